-- Registers a connection of one user (KEYS[1] = mid_<mid>, a hash: field <mid>_<seq> ->
-- "<server>,<rooms>,<deadline ms>", field "seq" -> the last seq handed out; rooms: the
-- connection's room set, room keys separated by newlines, empty for none, "-1" in values
-- written before room keys).
-- ARGV: mid, server, room (key, empty for none), now (ms), deadline (ms), expire (ms).
-- Connections past their deadline are dropped on the way. The next seq follows the last
-- one handed out and skips seqs still in use after it wraps (as the router's Session).
-- Returns {seq, "<server>,<rooms>,<delta>"...}: the count changes to apply.
local key, mid, now = KEYS[1], ARGV[1], tonumber(ARGV[4])
local all = redis.call('HGETALL', key)
local used, out, last = {}, {0}, 0
for i = 1, #all, 2 do
  local f, v = all[i], all[i + 1]
  if f == 'seq' then
    last = tonumber(v)
  else
    local s, r, d = string.match(v, '^(%d+),(.*),(%d+)$')
    if tonumber(d) <= now then
      redis.call('HDEL', key, f)
      out[#out + 1] = s .. ',' .. r .. ',-1'
    else
      used[f] = true
    end
  end
end
local seq = last
repeat
  if seq >= 2147483647 then seq = 1 else seq = seq + 1 end
until not used[mid .. '_' .. seq]
redis.call('HSET', key, 'seq', seq, mid .. '_' .. seq, ARGV[2] .. ',' .. ARGV[3] .. ',' .. ARGV[5])
redis.call('PEXPIRE', key, ARGV[6])
out[1] = seq
out[#out + 1] = ARGV[2] .. ',' .. ARGV[3] .. ',1'
return out
