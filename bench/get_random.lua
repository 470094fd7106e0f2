-- wrk script: every request GETs one of the files bench/put_unique.lua created in earlier
-- slices of bench/growth.sh, picked at random, so reads spread over the whole store.
--
--   wrk ... -s bench/get_random.lua URL -- AUTH_HEADER SLICES PER_THREAD THREADS
--
-- Names are s<slice>/t<thread>-<n> with slice in [1, SLICES], thread in [1, THREADS] and n in
-- [1, PER_THREAD] (a lower bound of what every thread of every slice created).

function init(args)
  headers = { ["Authorization"] = args[1] }
  slices = tonumber(args[2])
  per_thread = tonumber(args[3])
  threads = tonumber(args[4])
  math.randomseed(os.time() * 1000 + math.random(1, 1000))
end

function request()
  local path = string.format("/dav/s%d/t%d-%d", math.random(1, slices), math.random(1, threads),
                             math.random(1, per_thread))
  return wrk.format("GET", path, headers)
end
