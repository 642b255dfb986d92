-- wrk script of bench/api.py. Each request takes a random path from the file named by the
-- first script argument (one path a line, e.g. 1000 organisation ids, or one list URL);
-- done() prints the run's figures, p95 included, as one line of JSON after "WRK_JSON ".
local prepared = {}

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then
      prepared[#prepared + 1] = wrk.format("GET", line)
    end
  end
  local address = tostring(prepared):match("0x(%x+)") or "0"
  math.randomseed(os.time() + tonumber(address:sub(-6), 16))
end

function request()
  return prepared[math.random(#prepared)]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"p50_us":%.0f,"p95_us":%.0f,"p99_us":%.0f,'
      .. '"max_us":%.0f,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
