-- Corrects one comet's online counts from the comet's own counts (RenewOnline).
-- KEYS[1] = ol_{<server>} (see count.lua), KEYS[2] = olc_{<server>}: hash, field -> the
-- difference (stored - reported) seen at the comet's previous report.
-- ARGV: all ("1" when the fields below list every room the comet holds: a room field stored
-- and not listed is reported as 0), ttl (ms), then field/count pairs ("n" -> its
-- connections, "r<room>" -> its connections in the room).
-- A report races the changes in flight (a login stored and not yet answered, a Disconnect
-- sent and not yet applied), so one difference alone proves nothing; a difference seen
-- unchanged in two reports in a row is a lost update (a count script whose reply was lost
-- to a timeout) and is corrected by adding it back (HINCRBY, so changes applied between the
-- reports stay). Returns how many fields were corrected.
local reported = {}
for i = 3, #ARGV, 2 do
  reported[ARGV[i]] = tonumber(ARGV[i + 1])
end
local stored = {}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  stored[all[i]] = tonumber(all[i + 1])
  if ARGV[1] == '1' and reported[all[i]] == nil then
    reported[all[i]] = 0
  end
end
local previous = {}
local prev = redis.call('HGETALL', KEYS[2])
for i = 1, #prev, 2 do
  previous[prev[i]] = tonumber(prev[i + 1])
end
if ARGV[1] == '1' then
  redis.call('DEL', KEYS[2])
end
local corrected, seen = 0, 0
for f, want in pairs(reported) do
  local d = (stored[f] or 0) - want
  if d ~= 0 and previous[f] == d then
    if redis.call('HINCRBY', KEYS[1], f, -d) == 0 then
      redis.call('HDEL', KEYS[1], f)
    end
    redis.call('HDEL', KEYS[2], f)
    corrected = corrected + 1
  elseif d ~= 0 then
    redis.call('HSET', KEYS[2], f, d)
    seen = seen + 1
  else
    redis.call('HDEL', KEYS[2], f)
  end
end
if corrected > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
if seen > 0 then
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
end
return corrected
