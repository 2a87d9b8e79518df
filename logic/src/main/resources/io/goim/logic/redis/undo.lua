-- Undoes login ARGV[2] of one user (KEYS[1] = mid_<mid>, see put.lua): remembers it as
-- undone (field l<login> -> "0,<now>"), so a put of it that arrives later stores nothing,
-- and deletes the session it stored, if any (as del.lua, its seq remembered as deleted).
-- ARGV: mid, login id, now (ms), expire (ms).
-- Returns {} when no session was deleted, else {"<server>,<room>,<deadline>", connections
-- the user still has on that server, its client key or "", seq}.
local key, mid = KEYS[1], ARGV[1]
local l = redis.call('HGET', key, 'l' .. ARGV[2])
redis.call('HSET', key, 'l' .. ARGV[2], '0,' .. ARGV[3])
redis.call('PEXPIRE', key, ARGV[4])
local seq = l and string.match(l, '^(%d+),')
if not seq or seq == '0' then
  return {}
end
redis.call('HSET', key, 'e' .. seq, ARGV[3])
local f = mid .. '_' .. seq
local v = redis.call('HGET', key, f)
if not v then
  return {}
end
local ck = redis.call('HGET', key, 'k' .. f) or ''
redis.call('HDEL', key, f, 'k' .. f)
local server = string.match(v, '^(%d+),')
local all = redis.call('HGETALL', key)
local left = 0
for i = 1, #all, 2 do
  if string.find(all[i], '^%d') and string.match(all[i + 1], '^(%d+),') == server then
    left = left + 1
  end
end
return {v, left, ck, seq}
