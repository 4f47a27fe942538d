-- W0: GET /healthz, no auth and no database: the framework's own floor.
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")

function init(args)
  wrk.method = "GET"
  wrk.path = "/healthz"
end
