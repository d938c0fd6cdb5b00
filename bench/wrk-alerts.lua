-- wrk script for PATRIOT's bench: every request is a new, unique alert (never the dedupe path).
-- Settings come from the environment (bench/load.ts sets them):
--   WRK_SECRET    the webhook secret put in each alert
--   WRK_PREFIX    alert ids are WRK_PREFIX-<thread>-<n>
--   WRK_CONTRACTS quantity (default 0.0001 BTC ~ 9.7 USDT, above the paper exchange's 5 USDT minimum)
-- Buy and sell alternate so balances never run out. done() prints one line, "WRK_RESULT {json}",
-- which bench/load.ts parses (status counts, latency percentiles in microseconds, errors).
local secret = os.getenv("WRK_SECRET") or "baseline-secret"
local prefix = os.getenv("WRK_PREFIX") or "wrk"
local contracts = os.getenv("WRK_CONTRACTS") or "0.0001"
local threads = {}

local function escape(s)
  return (s:gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end))
end

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
  n = 0
  statuses = {}
  head = '{"secret":"' .. escape(secret) .. '","id":"' .. escape(prefix) .. "-" .. tid .. "-"
  headers = { ["Content-Type"] = "application/json" }
end

function request()
  n = n + 1
  local action = (n % 2 == 1) and "buy" or "sell"
  local body = head .. n .. '","action":"' .. action .. '","ticker":"BINANCE:BTCUSDT","contracts":"' .. contracts .. '"}'
  return wrk.format("POST", nil, headers, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses")
    if s then
      for code, count in pairs(s) do merged[code] = (merged[code] or 0) + count end
    end
  end
  local parts = {}
  for code, count in pairs(merged) do table.insert(parts, string.format('"%d":%d', code, count)) end
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"durationUs":%d,"requests":%d,"byStatus":{%s},"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latencyUs":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}}\n',
    summary.duration, summary.requests, table.concat(parts, ","), e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
