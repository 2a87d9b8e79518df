-- A connection with a client-chosen key closed: key_<key> is deleted if it still names that
-- connection (a newer login may have taken the key over; then it stays).
-- KEYS[1] key_<key>; ARGV[1] "<server>,<subKey>" of the closed connection. Returns 1 when deleted.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
