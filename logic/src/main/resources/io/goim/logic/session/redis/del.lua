-- Removes one connection of one user (KEYS[1] = mid_<mid>, see put.lua), named by its seq
-- (a Disconnect) or by the login that stored it (an undo: Logic.Undo, for a login whose
-- Connect got no answer, or logic's own undo of a login it could not answer).
-- An undo first remembers the login as undone (field l<login> -> "0,<now>"), so a put of
-- it that arrives later stores nothing, and takes the seq that login got, if any.
-- The connection <mid>_<seq> and the client key it was given (field k<mid>_<seq>) are
-- deleted when comet ARGV[3] holds it ("0": any comet). The seq is remembered as deleted
-- (field e<seq> -> now, in ms), so a renew that crossed this delete does not bring it
-- back; the hash's TTL becomes the session expiry.
-- ARGV: mid, seq ("" for an undo), comet, now (ms), expire (ms), login id ("" for a Disconnect).
-- Returns {} when unknown (there), else {"<server>,<room>,<deadline>", connections the user
-- still has on that server, its client key or "", seq}. A user left with no connection
-- keeps its hash (and so its last seq) until it expires.
local key, mid, seq, comet, now, expire, login = KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
if login ~= '' then
  local l = redis.call('HGET', key, 'l' .. login)
  redis.call('HSET', key, 'l' .. login, '0,' .. now)
  redis.call('PEXPIRE', key, expire)
  seq = l and string.match(l, '^(%d+),')
  if not seq or seq == '0' then
    return {}
  end
end
local f = mid .. '_' .. seq
local v = redis.call('HGET', key, f)
if v and comet ~= '0' and string.match(v, '^(%d+),') ~= comet then
  return {}
end
redis.call('HSET', key, 'e' .. seq, now)
redis.call('PEXPIRE', key, expire)
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
