-- Removes connection ARGV[1] (<mid>_<seq>) of one user (KEYS[1] = mid_<mid>, see put.lua).
-- Returns {} when unknown, else {"<server>,<room>,<deadline>", connections the user still
-- has on that server}. A user left with no connection loses the key (and so its seq).
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then
  return {}
end
redis.call('HDEL', KEYS[1], ARGV[1])
local server = string.match(v, '^(%d+),')
local vals = redis.call('HVALS', KEYS[1])
local left, conns = 0, 0
for i = 1, #vals do
  local s = string.match(vals[i], '^(%d+),')
  if s then
    conns = conns + 1
    if s == server then left = left + 1 end
  end
end
if conns == 0 then
  redis.call('DEL', KEYS[1])
end
return {v, left}
