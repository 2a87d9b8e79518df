-- Applies count changes of one comet and refreshes its keys' TTL.
-- KEYS[1] = ol_{<server>} (hash: "n" -> its connections, "r<room key>" -> its connections in
-- the room), KEYS[2] = olu_{<server>} (set of user ids with connections there, for
-- delServer). ARGV: ttl (ms; 0: leave the TTL, the change comes from another comet's
-- call), number of changes n, n field/delta pairs, user ids to add.
-- A field may go below 0 for a while: changes of one connection come from different
-- logics and scripts (its login's +1 after the put, its undo's or disconnect's -1), and
-- the -1 may arrive first. Dropping a negative field would lose that -1 for good; kept,
-- the +1 brings it back to 0. Readers count a comet's negative field as 0.
local n = tonumber(ARGV[2])
for i = 3, 2 + 2 * n, 2 do
  if redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1]) == 0 then
    redis.call('HDEL', KEYS[1], ARGV[i])
  end
end
for i = 3 + 2 * n, #ARGV do
  redis.call('SADD', KEYS[2], ARGV[i])
end
if ARGV[1] ~= '0' then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  redis.call('PEXPIRE', KEYS[2], ARGV[1])
end
return 1
