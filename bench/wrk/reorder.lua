-- W8: reorders within one list of many todos, from every connection at once: each
-- request moves a random todo just after or just before another random one.
-- Args: token, a file of the list's todo ids (one a line).
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")

local ids = {}

function init(args)
  wrk.method = "PATCH"
  wrk.headers["Authorization"] = "Bearer " .. args[1]
  wrk.headers["Content-Type"] = "application/json"
  for line in io.lines(args[2]) do
    ids[#ids + 1] = line
  end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

function request()
  local moved = math.random(#ids)
  local anchor = math.random(#ids - 1)
  if anchor >= moved then
    anchor = anchor + 1 -- never the todo itself
  end
  local side = math.random(2) == 1 and "after" or "before"
  local body = '{"' .. side .. '": "' .. ids[anchor] .. '"}'
  return wrk.format(nil, "/todo/" .. ids[moved], nil, body)
end
