-- W4: 80 % GET / 20 % PUT of one todo. Args: token, id.
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")

local path
local n = 0

function init(args)
  wrk.headers["Authorization"] = "Bearer " .. args[1]
  wrk.headers["Content-Type"] = "application/json"
  path = "/todo/" .. args[2]
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

function request()
  n = n + 1
  if math.random(100) <= 20 then
    return wrk.format("PUT", path, nil, '{"title": "edit ' .. n .. '", "completed": false}')
  end
  return wrk.format("GET", path)
end
