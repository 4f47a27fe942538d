-- W3: create todos. Args: token.
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")

local n = 0

function init(args)
  wrk.headers["Authorization"] = "Bearer " .. args[1]
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  n = n + 1
  local body = '{"title": "bench ' .. n .. '", "content": "created by wrk"}'
  return wrk.format("POST", "/todo/", nil, body)
end
