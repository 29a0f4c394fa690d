#!/bin/bash
# Run once by the postgres image on an empty data directory (docker-entrypoint-initdb.d), as its superuser. Two
# logins for the audit log, neither a superuser nor able to create roles or databases:
#   driftless_owner  owns the driftless database and the schema audit-service's migrations create; only migrations
#                    (and the one-time redaction of Secrets recorded in clear) log in as it
#   driftless        what audit-service runs as: owns nothing, a member of driftless_writer (insert and read the log)
#                    and driftless_retention (archive a month through the owner's function), so it cannot alter,
#                    disable triggers on, truncate, update, delete or drop anything of the log
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  --set=password="$DRIFTLESS_DB_PASSWORD" --set=owner_password="$DRIFTLESS_DB_OWNER_PASSWORD" <<'SQL'
CREATE ROLE driftless_writer NOLOGIN;
CREATE ROLE driftless_retention NOLOGIN;
CREATE ROLE driftless_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'owner_password';
CREATE ROLE driftless LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'password'
  IN ROLE driftless_writer, driftless_retention;
CREATE DATABASE driftless OWNER driftless_owner;
REVOKE ALL ON DATABASE driftless FROM PUBLIC;
GRANT CONNECT ON DATABASE driftless TO driftless;
SQL
