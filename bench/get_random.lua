-- wrk script: every request GETs one of the files bench/put_unique.lua created in earlier
-- slices of bench/growth.sh, picked at random, so reads spread over the whole store.
--
--   wrk ... -s bench/get_random.lua URL -- AUTH_HEADER SLICES PER_THREAD THREADS
--
-- Names are s<slice>/t<thread>-<n> with slice in [1, SLICES], thread in [1, THREADS] and n in
-- [2, PER_THREAD] (a lower bound of what every thread of every slice created). Never 1: wrk
-- calls the first thread's request() once before the run to check the script, so t1-1 is
-- made up but never sent (the 404s an earlier run of this bench reported).

function init(args)
  headers = { ["Authorization"] = args[1] }
  slices = tonumber(args[2])
  per_thread = tonumber(args[3])
  threads = tonumber(args[4])
  math.randomseed(os.time() * 1000 + math.random(1, 1000))
end

function request()
  local path = string.format("/dav/s%d/t%d-%d", math.random(1, slices), math.random(1, threads),
                             math.random(2, per_thread))
  return wrk.format("GET", path, headers)
end

-- Answers other than 200, by kind, summed over the threads and printed at the end, so that a
-- file missing from the guess (404) is told apart from a failed read (5xx).
local all_threads = {}

function setup(thread)
  table.insert(all_threads, thread)
end

function response(status, headers, body)
  if status == 404 then
    not_found = (not_found or 0) + 1
  elseif status >= 500 then
    server_errors = (server_errors or 0) + 1
  elseif status ~= 200 then
    other = (other or 0) + 1
  end
end

function done(summary, latency, requests)
  local n404, n5xx, nother = 0, 0, 0
  for _, thread in ipairs(all_threads) do
    n404 = n404 + (thread:get("not_found") or 0)
    n5xx = n5xx + (thread:get("server_errors") or 0)
    nother = nother + (thread:get("other") or 0)
  end
  io.write(string.format("statuses: 404=%d 5xx=%d other=%d\n", n404, n5xx, nother))
end
