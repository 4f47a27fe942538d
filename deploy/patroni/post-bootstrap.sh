#!/bin/sh
# Run once by Patroni on the node that bootstraps the cluster (bootstrap.post_bootstrap
# in patroni.yml), with a superuser connection string as $1: the app's role and
# database, which `minor-illusion migrate` then fills. The password comes from the
# environment (APP_DB_PASSWORD), passed to psql as a variable so it is quoted by psql.
set -eu
: "${APP_DB_PASSWORD:?APP_DB_PASSWORD is not set}"
APP_DB_USER="${APP_DB_USER:-app}"
APP_DB_NAME="${APP_DB_NAME:-minor_illusion}"
psql "$1" --no-psqlrc -v ON_ERROR_STOP=1 \
    -v user="$APP_DB_USER" -v password="$APP_DB_PASSWORD" -v database="$APP_DB_NAME" <<'SQL'
CREATE ROLE :"user" LOGIN PASSWORD :'password';
CREATE DATABASE :"database" OWNER :"user";
SQL
