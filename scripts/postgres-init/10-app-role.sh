#!/bin/sh
# Run by the postgres container once, when it initialises an empty data directory (files
# in /docker-entrypoint-initdb.d). Creates the role the application connects as:
# customs_app logs in, owns nothing and holds no special attribute, so it cannot ALTER,
# TRUNCATE or DROP the tables that the owner (POSTGRES_USER) creates. The migrate
# service grants it its table rights after each migrate (`manage.py grant_app_role`):
# every table read and written, the audit trail only read and appended. The default
# privileges below give it the same rights on tables that later migrations create
# until then.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v app_password="$APP_DB_PASSWORD" -v db="$POSTGRES_DB" -v owner="$POSTGRES_USER" <<'SQL'
CREATE ROLE customs_app LOGIN PASSWORD :'app_password' NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
GRANT CONNECT ON DATABASE :"db" TO customs_app;
GRANT USAGE ON SCHEMA public TO customs_app;
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO customs_app;
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO customs_app;
SQL
