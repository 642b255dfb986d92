-- wrk script of bench/market.py: every request places one order of one unit of the same
-- product through the API (a bearer token, JSON body), so all connections race for its
-- stock; done() prints the run's figures as one line of JSON after "WRK_JSON ", with the
-- count of 201 (placed) and 422 (refused: out of stock) answers.
local body, token
placed, refused, other = 0, 0, 0  -- globals: done() reads them with thread:get
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  token, body = args[1], args[2]
  wrk.method = "POST"
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. token
end

function response(status, headers, body)
  if status == 201 then placed = placed + 1
  elseif status == 422 then refused = refused + 1
  else other = other + 1 end
end

function done(summary, latency, requests)
  local p, r, o = 0, 0, 0
  for _, thread in ipairs(threads) do
    p = p + thread:get("placed")
    r = r + thread:get("refused")
    o = o + thread:get("other")
  end
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"p50_us":%.0f,"p95_us":%.0f,"max_us":%.0f,'
      .. '"placed":%d,"refused":%d,"other":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency.max, p, r, o))
end
