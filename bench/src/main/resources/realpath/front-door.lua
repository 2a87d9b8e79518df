-- wrk script of the real-path benchmark's front-door scenarios (io.goim.bench.realpath.FrontDoor):
-- POSTs a small JSON body on keep-alive connections, counts {"ret":1} answers as accepted and any
-- other answer as refused, and prints "frontdoor key=value" lines at the end, one per line, for the tool.
wrk.method = "POST"
wrk.body = '{"t":1,"n":1}'
wrk.headers["Content-Type"] = "application/json"

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  accepted = 0
  refused = 0
  first_refusal = ""
end

function response(status, headers, body)
  if status == 200 and string.find(body, '"ret":1', 1, true) then
    accepted = accepted + 1
  else
    refused = refused + 1
    if first_refusal == "" then
      first_refusal = status .. " " .. string.sub(body, 1, 120)
    end
  end
end

function done(summary, latency, requests)
  local a, r, first = 0, 0, ""
  for _, t in ipairs(threads) do
    a = a + t:get("accepted")
    r = r + t:get("refused")
    if first == "" then first = t:get("first_refusal") end
  end
  local e = summary.errors
  io.write(string.format("frontdoor accepted=%d\n", a))
  io.write(string.format("frontdoor refused=%d\n", r))
  io.write(string.format("frontdoor errors=%d\n", e.connect + e.read + e.write + e.timeout))
  io.write(string.format("frontdoor duration_us=%d\n", summary.duration))
  for _, p in ipairs({50, 99, 99.9}) do
    io.write(string.format("frontdoor p%s_us=%d\n", p, latency:percentile(p)))
  end
  io.write(string.format("frontdoor max_us=%d\n", latency.max))
  io.write("frontdoor first_refusal=" .. string.gsub(first, "\n", " ") .. "\n")
end
