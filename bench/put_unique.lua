-- wrk script: every request PUTs a new file with unique, incompressible content.
--
--   wrk -t2 -c16 -d10s -s bench/put_unique.lua URL -- PATH_PREFIX [TOKEN] [SIZE]
--
-- TOKEN is sent as "Authorization: Bearer TOKEN", or as it is when it names its scheme
-- ("Basic dXNlcjp0b2tlbg==", for WebDAV).
--
-- The request path is PATH_PREFIX .. "t<thread>-<n>" (unique per thread and request). The body
-- is SIZE bytes (default 4096) of pseudo-random bytes made once per thread, with the thread and
-- request number written over its first bytes, so no two bodies are equal (no deduplication)
-- and none compresses.

local next_thread = 0

function setup(thread)
  next_thread = next_thread + 1
  thread:set("tid", next_thread)
end

function init(args)
  prefix = args[1] or "/"
  local token = args[2]
  local size = tonumber(args[3] or "4096")
  headers = { ["Content-Type"] = "application/octet-stream" }
  if token ~= nil and token ~= "" then
    if token:find(" ", 1, true) then
      headers["Authorization"] = token
    else
      headers["Authorization"] = "Bearer " .. token
    end
  end
  math.randomseed(os.time() * 1000 + tid)
  local bytes = {}
  for i = 1, size do
    bytes[i] = string.char(math.random(0, 255))
  end
  filler = table.concat(bytes)
  counter = 0
end

function request()
  counter = counter + 1
  local tag = string.format("%d-%d-", tid, counter)
  local body = tag .. filler:sub(#tag + 1)
  return wrk.format("PUT", prefix .. "t" .. tid .. "-" .. counter, headers, body)
end
