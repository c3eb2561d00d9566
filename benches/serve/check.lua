-- wrk script for the stop-under-load measurement: counts every response that
-- is not `200 hello flask`, summed over wrk's threads at the end.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  good = 0
  bad = 0
end

function response(status, headers, body)
  if status == 200 and body == "hello flask" then
    good = good + 1
  else
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local g, b = 0, 0
  for _, t in ipairs(threads) do
    g = g + t:get("good")
    b = b + t:get("bad")
  end
  io.write(string.format("CHECKED good=%d bad=%d\n", g, b))
end
