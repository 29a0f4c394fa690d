#!/bin/bash
# Run once by the postgres image on an empty data directory (docker-entrypoint-initdb.d), as its superuser: the
# login audit-service uses owns the driftless database and nothing else (no superuser, no role or database creation).
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  --set=password="$DRIFTLESS_DB_PASSWORD" <<'SQL'
CREATE ROLE driftless LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'password';
CREATE DATABASE driftless OWNER driftless;
REVOKE ALL ON DATABASE driftless FROM PUBLIC;
SQL
