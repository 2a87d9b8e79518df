-- A connection with a client-chosen key (goim v2) claims or keeps key_<key>.
-- KEYS[1] key_<key>; ARGV[1] "<server>,<subKey>"; ARGV[2] TTL ms; ARGV[3] "1": take it
-- even from another connection (a login: the newest owns the key), "0": only when free
-- or already ours (a renew).
local v = redis.call('GET', KEYS[1])
if ARGV[3] == '1' or not v or v == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
