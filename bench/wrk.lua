-- wrk script of the benchmark: every request takes the next path of a list, and the run ends
-- with one JSON line ("BENCH_JSON {...}") that bench/load.py reads.
--
--   wrk -t2 -c8 -d10s -s bench/wrk.lua http://127.0.0.1:8000/ -- paths.txt
--
-- paths.txt holds one URL-encoded path per line (e.g. /fa/products/?q=%D9%85...). Each thread
-- starts at its own place in the list, so the threads do not ask for the same page at once.

local threads = {}

function setup(thread)
  thread:set("thread_number", #threads)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do
    if #line > 0 then
      paths[#paths + 1] = line
    end
  end
  position = math.floor(#paths * thread_number / 2)
  non2xx, cache_hits = 0, 0
end

-- Visitors come from many addresses, as they do through the production proxy: each request
-- names one of 768 documentation addresses (TEST-NET-1 to 3, RFC 5737) in X-Forwarded-For, so
-- the API's per-address throttle keeps its production limit and its usual small history,
-- instead of one address's history of every request of the run.
local networks = {"192.0.2.", "198.51.100.", "203.0.113."}
local client = 0
local headers = nil

function request()
  if headers == nil then
    -- wrk.format uses the table it is given instead of the -H headers (the session cookie):
    -- start from a copy of them.
    headers = {}
    for name, value in pairs(wrk.headers) do
      headers[name] = value
    end
  end
  position = position % #paths + 1
  client = client % 768 + 1
  headers["X-Forwarded-For"] = networks[(client - 1) % 3 + 1] .. tostring(math.floor((client - 1) / 3))
  return wrk.format(nil, paths[position], headers)
end

-- Counts what wrk itself does not: redirects and other non-2xx answers, and page-cache hits.
function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
  if headers["X-Page-Cache"] == "hit" then
    cache_hits = cache_hits + 1
  end
end

function done(summary, latency, requests)
  local non2xx_total, hits_total = 0, 0
  for _, thread in ipairs(threads) do
    non2xx_total = non2xx_total + thread:get("non2xx")
    hits_total = hits_total + thread:get("cache_hits")
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %.0f, "duration_us": %.0f, "bytes": %.0f, "non2xx": %.0f, "cache_hits": %.0f, '
      .. '"errors": {"connect": %.0f, "read": %.0f, "write": %.0f, "status": %.0f, "timeout": %.0f}, '
      .. '"latency_us": {"p50": %.0f, "p90": %.0f, "p99": %.0f, "max": %.0f, "mean": %.1f}}\n',
    summary.requests, summary.duration, summary.bytes, non2xx_total, hits_total,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean
  ))
end
