-- W1 and W5: the caller's list (first page). Args: token.
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")

function init(args)
  wrk.method = "GET"
  wrk.path = "/todo/"
  wrk.headers["Authorization"] = "Bearer " .. args[1]
end
