-- wrk script for bench/rest_throughput.py: each thread talks in its own 16 sessions, cycling
-- through the same conversation turns as the Python client; prints median and p95 latency.
local turns = {"bonjour", "je voudrais louer un scooter", "pour aujourd'hui", "c'est combien ?",
               "vous ouvrez à quelle heure ?", "merci, au revoir"}
local counter = 0
local thread_id = 0
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("thread_id", next_id)
end

function request()
  counter = counter + 1
  local session = "wrk-" .. thread_id .. "-" .. (counter % 16)
  local text = turns[(math.floor(counter / 16) % #turns) + 1]
  -- wrk.format takes these headers instead of wrk.headers: copy those given with -H (the API key).
  local headers = {["Content-Type"] = "application/json"}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  return wrk.format("POST", "/api/v1/conversations/" .. session .. "/messages", headers,
                    '{"text": "' .. text .. '"}')
end

function done(summary, latency, requests)
  io.write(string.format("WRK %d %d %d %.3f %.3f\n", summary.requests, summary.duration,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout, latency:percentile(50) / 1000, latency:percentile(95) / 1000))
end
