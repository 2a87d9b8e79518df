-- Removes a comet's announcement (KEYS[1] = comet_{<server>}, value "<incarnation>:<base64
-- CometInstance>") when its incarnation is ARGV[1], or whatever it holds when ARGV[1] is "0",
-- so a late Withdraw of a comet's earlier process never removes the process that replaced it.
-- Returns 1 when removed, else 0.
local v = redis.call('GET', KEYS[1])
if not v then
  return 0
end
if ARGV[1] ~= '0' and string.sub(v, 1, #ARGV[1] + 1) ~= ARGV[1] .. ':' then
  return 0
end
return redis.call('DEL', KEYS[1])
