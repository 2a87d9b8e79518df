-- Drops every connection of one user (KEYS[1] = mid_<mid>, see put.lua) held by comet
-- ARGV[1], with their client key fields. Returns how many; a user left with none loses the key.
local all = redis.call('HGETALL', KEYS[1])
local removed, conns = 0, 0
for i = 1, #all, 2 do
  local f = all[i]
  if f ~= 'seq' and string.sub(f, 1, 1) ~= 'k' then
    local s = string.match(all[i + 1], '^(%d+),')
    if s == ARGV[1] then
      redis.call('HDEL', KEYS[1], f, 'k' .. f)
      removed = removed + 1
    elseif s then
      conns = conns + 1
    end
  end
end
if conns == 0 then
  redis.call('DEL', KEYS[1])
end
return removed
