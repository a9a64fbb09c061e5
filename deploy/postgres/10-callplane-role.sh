#!/bin/sh
# Runs once, when the compose file's PostgreSQL starts on an empty volume: the service's own
# ordinary role (no superuser, no BYPASSRLS: row-level security binds it) owning its database.
set -eu
psql -v ON_ERROR_STOP=1 -v pw="$CALLPLANE_DB_PASSWORD" --username "$POSTGRES_USER" --dbname postgres <<'SQL'
CREATE ROLE callplane LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD :'pw';
CREATE DATABASE callplane OWNER callplane;
SQL
