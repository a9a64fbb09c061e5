-- Signed Twilio voice webhooks for wrk (python -m bench): one seeded number after another.
--   wrk -t1 -c32 -d5s -s webhooks.lua URL -- PATH LINES NONCE FIRST
-- LINES holds "signature<TAB>form body" per number (signed by the bench with the SDK, over the
-- public URL); request n goes to line (FIRST + n) mod #lines and carries its own
-- I-Twilio-Idempotency-Token (NONCE-n), so every request is a new call to be recorded. wrk asks
-- for one request before it starts and drops it (a run skips one line); done() reports how many
-- were asked for ("issued"), where the next run of the same target starts.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  path = args[1]
  nonce = args[3]
  first = tonumber(args[4]) or 0
  sent = first
  lines = {}
  for line in io.lines(args[2]) do
    local sig, body = line:match("^([^\t]*)\t(.*)$")
    if sig then lines[#lines + 1] = {sig, body} end
  end
end

function request()
  local r = lines[(sent % #lines) + 1]
  sent = sent + 1
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Twilio-Signature"] = r[1],
    ["I-Twilio-Idempotency-Token"] = nonce .. "-" .. sent,
  }, r[2])
end

function done(summary, latency, requests)
  local issued = 0
  for _, t in ipairs(threads) do issued = issued + t:get("sent") - t:get("first") end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"socket_errors":%d,"status_errors":%d,' ..
    '"p50_us":%d,"p99_us":%d,"issued":%d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99), issued))
end
