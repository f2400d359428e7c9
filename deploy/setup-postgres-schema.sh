#!/bin/sh
# Creates and migrates Temporal's two PostgreSQL databases (runs in temporalio/admin-tools, and natively from
# scripts/cluster.sh, which points TEMPORAL_SQL_TOOL and SCHEMA_ROOT at the tool and schema it built).
# Safe to re-run: an existing database is kept, setup-schema skips a schema past 0.0, and update-schema applies
# only the versions the database lacks, so a newer image migrates an old volume on the next `up`.
set -eu

: "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}" "${POSTGRES_PWD:?}"
DB_PORT="${DB_PORT:-5432}"
SCHEMA_ROOT="${SCHEMA_ROOT:-/etc/temporal/schema/postgresql/v12}"
TEMPORAL_SQL_TOOL="${TEMPORAL_SQL_TOOL:-temporal-sql-tool}"

# nc in admin-tools; pg_isready where PostgreSQL's client is installed; with neither, the tool's own errors tell.
port_open() {
  if command -v nc >/dev/null 2>&1; then nc -z "$POSTGRES_SEEDS" "$DB_PORT"
  elif command -v pg_isready >/dev/null 2>&1; then pg_isready -q -h "$POSTGRES_SEEDS" -p "$DB_PORT"
  else return 0
  fi
}

echo "waiting for PostgreSQL at $POSTGRES_SEEDS:$DB_PORT"
tries=0
until port_open; do
  tries=$((tries + 1))
  [ "$tries" -lt 60 ] || { echo "PostgreSQL did not open its port"; exit 1; }
  sleep 1
done

sql_tool() {
  "$TEMPORAL_SQL_TOOL" --plugin postgres12 --endpoint "$POSTGRES_SEEDS" --port "$DB_PORT" \
    --user "$POSTGRES_USER" --password "$POSTGRES_PWD" "$@"
}

for pair in "temporal:temporal" "temporal_visibility:visibility"; do
  db="${pair%%:*}"
  dir="${pair#*:}"
  echo "database $db"
  # create fails when the database exists; a real problem surfaces in setup-schema right after.
  sql_tool --database "$db" create || echo "  $db already exists"
  sql_tool --database "$db" setup-schema -v 0.0
  sql_tool --database "$db" update-schema -d "$SCHEMA_ROOT/$dir/versioned"
done
echo "Temporal schemas are up to date"
