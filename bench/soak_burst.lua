-- make soak: every request distinct, so none is answered from the response cache.
-- Counts answers by status, and 503s that lack problem+json or Retry-After.
local threads = {}
local words = {"async", "orm", "admin", "fast", "micro", "socket", "template", "routing",
               "schema", "stream", "cache", "form", "auth", "queue", "plugin", "view"}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  counter = 0
  statuses = {}
  bad503 = 0
  math.randomseed(os.time() * 100 + id)
end

function request()
  counter = counter + 1
  local word = words[math.random(#words)]
  return wrk.format("GET", "/api/v1/frameworks?q=" .. word .. "-" .. id .. "-" .. counter)
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
  if status == 503 then
    local ctype, retry = nil, nil
    for name, value in pairs(headers) do
      local lower = string.lower(name)
      if lower == "content-type" then ctype = value end
      if lower == "retry-after" then retry = value end
    end
    if retry == nil or ctype == nil or string.find(ctype, "application/problem+json", 1, true) ~= 1 then
      bad503 = bad503 + 1
    end
  end
end

function done(summary, latency, requests)
  local total = {}
  local bad = 0
  local sent = 0
  for _, thread in ipairs(threads) do
    sent = sent + thread:get("counter")
    for key, n in pairs(thread:get("statuses")) do
      total[key] = (total[key] or 0) + n
    end
    bad = bad + thread:get("bad503")
  end
  for key, n in pairs(total) do
    io.write(string.format("SOAK status %s %d\n", key, n))
  end
  io.write(string.format("SOAK bad503 %d\n", bad))
  io.write(string.format("SOAK sent %d\n", sent))
  local e = summary.errors
  io.write(string.format("SOAK errors connect=%d read=%d write=%d timeout=%d status=%d\n",
                         e.connect, e.read, e.write, e.timeout, e.status))
  io.write(string.format("SOAK summary requests=%d duration_us=%d p99_us=%d max_us=%d\n",
                         summary.requests, summary.duration, latency:percentile(99), latency.max))
end
