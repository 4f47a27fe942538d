-- W2: read one todo, cycling through the caller's ids. Args: token, id1,id2,...
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")

local ids = {}
local n = 0

function init(args)
  wrk.headers["Authorization"] = "Bearer " .. args[1]
  for id in string.gmatch(args[2], "[^,]+") do table.insert(ids, id) end
end

function request()
  n = n + 1
  return wrk.format("GET", "/todo/" .. ids[(n % #ids) + 1])
end
