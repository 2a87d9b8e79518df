-- Removes connection ARGV[1] (<mid>_<seq>) of one user (KEYS[1] = mid_<mid>, see put.lua),
-- and the client key it was given (field k<mid>_<seq>), when comet ARGV[2] holds it ("0":
-- any comet). The seq is remembered as deleted (field e<seq> -> ARGV[3], now in ms), so a
-- renew that crossed this delete does not bring it back; the hash's TTL becomes ARGV[4]
-- (the session expiry). ARGV[5]: the seq.
-- Returns {} when unknown (there), else {"<server>,<room>,<deadline>", connections the user
-- still has on that server, its client key or ""}. A user left with no connection keeps
-- its hash (and so its last seq) until it expires.
local v = redis.call('HGET', KEYS[1], ARGV[1])
if v and ARGV[2] ~= '0' and string.match(v, '^(%d+),') ~= ARGV[2] then
  return {}
end
redis.call('HSET', KEYS[1], 'e' .. ARGV[5], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
if not v then
  return {}
end
local ck = redis.call('HGET', KEYS[1], 'k' .. ARGV[1]) or ''
redis.call('HDEL', KEYS[1], ARGV[1], 'k' .. ARGV[1])
local server = string.match(v, '^(%d+),')
local all = redis.call('HGETALL', KEYS[1])
local left = 0
for i = 1, #all, 2 do
  if string.find(all[i], '^%d') and string.match(all[i + 1], '^(%d+),') == server then
    left = left + 1
  end
end
return {v, left, ck}
