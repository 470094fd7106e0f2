-- wrk script: every request is METHOD on the next presigned URL of a file that
-- bench/s3_presign.py wrote (one path-and-query per line). Threads take every THREADS-th line
-- from their own offset, so no two requests of a run share a URL; PUT bodies are SIZE bytes of
-- pseudo-random data with the request's tag over their first bytes (no deduplication).
--
--   wrk -t2 ... -s bench/presigned.lua URL -- METHOD URL_FILE THREADS [SIZE]

local next_thread = 0

function setup(thread)
  next_thread = next_thread + 1
  thread:set("tid", next_thread)
end

function init(args)
  method = args[1]
  threads = tonumber(args[3])
  local size = tonumber(args[4] or "4096")
  urls = {}
  for line in io.lines(args[2]) do urls[#urls + 1] = line end
  math.randomseed(os.time() * 1000 + tid)
  local bytes = {}
  for i = 1, size do bytes[i] = string.char(math.random(0, 255)) end
  filler = table.concat(bytes)
  at = tid
  headers = { ["Content-Type"] = "application/octet-stream" }
end

function request()
  -- PUT runs get more URLs than they can use; a GET run has one, read over and over.
  local url = urls[((at - 1) % #urls) + 1]
  at = at + threads
  if method == "PUT" then
    local tag = string.format("%d-%d-", tid, at)
    return wrk.format("PUT", url, headers, tag .. filler:sub(#tag + 1))
  end
  return wrk.format("GET", url)
end
