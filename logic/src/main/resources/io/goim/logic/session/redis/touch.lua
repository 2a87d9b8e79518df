-- A comet vouches for connections of one user (KEYS[1] = mid_<mid>, see put.lua).
-- ARGV: mid, server, now (ms), deadline (ms), expire (ms), recent window (ms), then seq,
-- room set, client key
-- triples (client key "" for none; one that is set is written to field k<mid>_<seq>, so a
-- Redis that lost it relearns it).
-- Per connection: 0 refreshed (known on that server: new deadline, rooms as reported,
-- which is how a connection that changed rooms moves between the counts),
-- 1 relearned (unknown, or held by another comet past its deadline: registered again
-- under the same seq, and later puts continue after it), 2 conflict (held by another
-- comet: nothing changes), 3 ended (unknown, and deleted by name within the recent window,
-- field e<seq>: a Disconnect or undo this renew crossed; not registered again).
-- Returns {"<code per connection>", "<server>,<rooms>,<delta>"...}.
local key, mid, server, now = KEYS[1], ARGV[1], ARGV[2], tonumber(ARGV[3])
local last = tonumber(redis.call('HGET', key, 'seq') or '0')
local codes, out = {}, {''}
for i = 7, #ARGV, 3 do
  local seq, room, ck = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local f = mid .. '_' .. seq
  local v = redis.call('HGET', key, f)
  local code = 1
  if v then
    local s, r, d = string.match(v, '^(%d+),(.*),(%d+)$')
    if s == server then
      code = 0
      if r ~= room then
        out[#out + 1] = s .. ',' .. r .. ',-1'
        out[#out + 1] = server .. ',' .. room .. ',1'
      end
    elseif tonumber(d) <= now then
      out[#out + 1] = s .. ',' .. r .. ',-1'
      out[#out + 1] = server .. ',' .. room .. ',1'
    else
      code = 2
    end
  else
    local e = redis.call('HGET', key, 'e' .. seq)
    if e and tonumber(e) + tonumber(ARGV[6]) > now then
      code = 3
    else
      out[#out + 1] = server .. ',' .. room .. ',1'
    end
  end
  if code < 2 then
    redis.call('HSET', key, f, server .. ',' .. room .. ',' .. ARGV[4])
    if ck ~= '' then
      redis.call('HSET', key, 'k' .. f, ck)
    end
    if tonumber(seq) > last then last = tonumber(seq) end
  end
  codes[#codes + 1] = code
end
if last > 0 then
  redis.call('HSET', key, 'seq', last)
  redis.call('PEXPIRE', key, ARGV[5])
end
out[1] = table.concat(codes)
return out
