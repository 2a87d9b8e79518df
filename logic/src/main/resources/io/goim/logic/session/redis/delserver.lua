-- Drops every connection of one user (KEYS[1] = mid_<mid>, see put.lua) held by comet
-- ARGV[1], with their client key fields. Returns how many. A user left with none keeps its
-- hash (its last seq, see put.lua) until the hash expires.
local all = redis.call('HGETALL', KEYS[1])
local removed = 0
for i = 1, #all, 2 do
  local f = all[i]
  if string.find(f, '^%d') and string.match(all[i + 1], '^(%d+),') == ARGV[1] then
    redis.call('HDEL', KEYS[1], f, 'k' .. f)
    removed = removed + 1
  end
end
return removed
