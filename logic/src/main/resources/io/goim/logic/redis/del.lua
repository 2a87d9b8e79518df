-- Removes connection ARGV[1] (<mid>_<seq>) of one user (KEYS[1] = mid_<mid>, see put.lua),
-- and the client key it was given (field k<mid>_<seq>).
-- Returns {} when unknown, else {"<server>,<room>,<deadline>", connections the user still
-- has on that server, its client key or ""}. A user left with no connection loses the key
-- (and so its seq).
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then
  return {}
end
local ck = redis.call('HGET', KEYS[1], 'k' .. ARGV[1]) or ''
redis.call('HDEL', KEYS[1], ARGV[1], 'k' .. ARGV[1])
local server = string.match(v, '^(%d+),')
local all = redis.call('HGETALL', KEYS[1])
local left, conns = 0, 0
for i = 1, #all, 2 do
  local f = all[i]
  if f ~= 'seq' and string.sub(f, 1, 1) ~= 'k' then
    local s = string.match(all[i + 1], '^(%d+),')
    if s then
      conns = conns + 1
      if s == server then left = left + 1 end
    end
  end
end
if conns == 0 then
  redis.call('DEL', KEYS[1])
end
return {v, left, ck}
