-- Corrects one comet's online counts from the comet's own counts (RenewOnline).
-- KEYS[1] = ol_{<server>} (see count.lua), KEYS[2] = olc_{<server>}: hash, field -> the
-- difference (stored - reported) seen at the comet's previous report, KEYS[3] =
-- olr_{<server>}: hash, the fields listed so far by a report split over several calls,
-- with ':round' (the report) and ':parts' (its calls seen so far, in order).
-- ARGV: which rooms the fields list: "1" every room the comet holds, "0" some (a comet
-- of an earlier release), "<round>:<part>:<parts>" call <part> (1-based) of the <parts>
-- calls of report <round>, sent one after another, which together list every room; then
-- ttl (ms), then field/count pairs ("n" -> its connections, "r<room>" -> its connections
-- in the room).
-- A report that lists every room (in one call, or in all the calls of a round, arrived
-- in order) reports a room field stored and listed nowhere as 0.
-- A report races the changes in flight (a login stored and not yet answered, a Disconnect
-- sent and not yet applied), so one difference alone proves nothing; a difference seen
-- unchanged in two reports in a row is a lost update (a count script whose reply was lost
-- to a timeout) and is corrected by adding it back (HINCRBY, so changes applied between the
-- reports stay). Returns how many fields were corrected.
local reported = {}
for i = 3, #ARGV, 2 do
  reported[ARGV[i]] = tonumber(ARGV[i + 1])
end
local whole = ARGV[1] == '1'
-- Fields listed by the earlier calls of this round: handled by those calls already.
local earlier = {}
local round, part, parts = string.match(ARGV[1], '^(%d+):(%d+):(%d+)$')
if round then
  if part == '1' then
    redis.call('DEL', KEYS[3])
    redis.call('HSET', KEYS[3], ':round', round)
  end
  if redis.call('HGET', KEYS[3], ':round') == round
      and redis.call('HINCRBY', KEYS[3], ':parts', 1) == tonumber(part) then
    if part == parts then
      for _, f in ipairs(redis.call('HKEYS', KEYS[3])) do
        if string.sub(f, 1, 1) ~= ':' then
          earlier[f] = true
        end
      end
      redis.call('DEL', KEYS[3])
      whole = true
    else
      for f in pairs(reported) do
        redis.call('HSET', KEYS[3], f, '1')
      end
      redis.call('PEXPIRE', KEYS[3], ARGV[2])
    end
  else
    -- A call of this round is missing (it failed): the round lists only what its calls list.
    redis.call('DEL', KEYS[3])
  end
end
local stored = {}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  stored[all[i]] = tonumber(all[i + 1])
  if whole and reported[all[i]] == nil and not earlier[all[i]] then
    reported[all[i]] = 0
  end
end
local previous = {}
local prev = redis.call('HGETALL', KEYS[2])
for i = 1, #prev, 2 do
  previous[prev[i]] = tonumber(prev[i + 1])
  if whole and reported[prev[i]] == nil and not earlier[prev[i]] then
    -- A field neither stored nor listed: nothing left to watch.
    redis.call('HDEL', KEYS[2], prev[i])
  end
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
