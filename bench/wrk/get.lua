-- W7: one GET of the caller's, the same each time. Args: token, path (with its query).
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")

function init(args)
  wrk.method = "GET"
  wrk.path = args[2]
  wrk.headers["Authorization"] = "Bearer " .. args[1]
end
