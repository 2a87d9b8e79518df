-- Registers a connection of one user (KEYS[1] = mid_<mid>, a hash: field <mid>_<seq> ->
-- "<server>,<rooms>,<deadline ms>", field "seq" -> the last seq handed out; rooms: the
-- connection's room set, room keys separated by newlines, empty for none, "-1" in values
-- written before room keys).
-- A connection whose client chose its key (goim v2) also gets field k<mid>_<seq> -> that
-- key, so a push by mid reaches it under the key its comet knows it by.
-- Session identity (as the router's Session): the hash outlives the user's last connection
-- (del.lua keeps it; its TTL is the session expiry), so "seq" only grows and a seq is never
-- handed out twice. Field l<login id> -> "<seq>,<at ms>" remembers which seq a login got
-- ("0,..." when it was undone), e<seq> -> "<at ms>" the seqs deleted by name; both are
-- dropped here once older than the recent window.
-- ARGV: mid, server, room (key, empty for none), now (ms), deadline (ms), expire (ms),
-- client key (empty for none), login id ("0" for none), recent window (ms).
-- Connections past their deadline are dropped on the way. The next seq follows the last
-- one handed out and skips seqs still in use after it wraps.
-- Returns {seq, "<server>,<rooms>,<delta>"...}: the count changes to apply; {seq} alone for
-- a repeat of a login already stored; {-1} for a login undone (nothing stored).
local key, mid, now, login = KEYS[1], ARGV[1], tonumber(ARGV[4]), ARGV[8] or '0'
local recent = tonumber(ARGV[9] or '0')
local all = redis.call('HGETALL', key)
local used, out, last, got = {}, {0}, 0, nil
for i = 1, #all, 2 do
  local f, v = all[i], all[i + 1]
  local c = string.sub(f, 1, 1)
  if f == 'seq' then
    last = tonumber(v)
  elseif c == 'l' or c == 'e' then
    local at = tonumber(string.match(v, '(%d+)$'))
    if at + recent <= now then
      redis.call('HDEL', key, f)
    elseif f == 'l' .. login then
      got = tonumber(string.match(v, '^(%d+),'))
    end
  elseif string.find(f, '^%d') then
    local s, r, d = string.match(v, '^(%d+),(.*),(%d+)$')
    if tonumber(d) <= now then
      redis.call('HDEL', key, f, 'k' .. f)
      out[#out + 1] = s .. ',' .. r .. ',-1'
    else
      used[f] = true
    end
  end
end
if got ~= nil then
  if got > 0 and used[mid .. '_' .. got] then
    return {got}
  end
  return {-1}
end
local seq = last
repeat
  if seq >= 2147483647 then seq = 1 else seq = seq + 1 end
until not used[mid .. '_' .. seq]
redis.call('HSET', key, 'seq', seq, mid .. '_' .. seq, ARGV[2] .. ',' .. ARGV[3] .. ',' .. ARGV[5])
if ARGV[7] and ARGV[7] ~= '' then
  redis.call('HSET', key, 'k' .. mid .. '_' .. seq, ARGV[7])
end
if login ~= '0' then
  redis.call('HSET', key, 'l' .. login, seq .. ',' .. ARGV[4])
end
redis.call('PEXPIRE', key, ARGV[6])
out[1] = seq
out[#out + 1] = ARGV[2] .. ',' .. ARGV[3] .. ',1'
return out
