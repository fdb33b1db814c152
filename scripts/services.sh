#!/usr/bin/env bash
# CityCheck backing services: PostgreSQL 15 + PostGIS 3 and Redis.
#
#   eval "$(bash scripts/services.sh)"          # DATABASE_URL -> database citycheck
#   eval "$(bash scripts/services.sh --test)"   # DATABASE_URL -> database citycheck_test
#   bash scripts/services.sh stop               # stop the private instances
#
# STDOUT carries exactly two `export NAME=value` lines (also written to .services/env);
# every decision is logged to STDERR, one line each.
#
# Order of preference, per service:
#   1. DATABASE_URL / REDIS_URL from the environment, when reachable
#      (PostgreSQL must allow `CREATE EXTENSION IF NOT EXISTS postgis`).
#   2. A private instance of this checkout, started from the installed packages:
#        PostgreSQL: data dir .services/pg, 127.0.0.1:${CITYCHECK_PG_PORT:-55432},
#                    trust auth, superuser postgres, databases citycheck + citycheck_test
#                    (both with postgis), TCP only (no unix socket),
#                    fsync=off, synchronous_commit=off, full_page_writes=off
#                    (throw-away dev/test server: a crash may lose or corrupt data).
#        Redis:      dir .services/redis, 127.0.0.1:${CITYCHECK_REDIS_PORT:-56379},
#                    no persistence (--save '' --appendonly no).
#      A running instance from an earlier call is reused.
#   3. Missing binaries are installed with apt-get when running as root on Debian;
#      otherwise the script fails and says what to install.
#
# Running as root: initdb/postgres refuse root, so they run as the `postgres` system user
# (runuser). The data dir is .services/pg (owned by postgres, mode 0700) when postgres can
# traverse the project directory; when it cannot, the data dir moves to
# /tmp/citycheck-services-<sha256(project path):12>/pg, which is logged.
set -euo pipefail

# Everything that is not the final result goes to stderr; the result goes to fd 3.
# Daemons (postgres, redis, anything apt starts) are launched with fds 3 and 9 closed, so they
# neither keep a caller's $(...) open nor hold the lock below.
exec 3>&1 1>&2

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
SERVICES_DIR="$ROOT/.services"
PG_PORT="${CITYCHECK_PG_PORT:-55432}"
REDIS_PORT="${CITYCHECK_REDIS_PORT:-56379}"
PG_SUPERUSER=postgres
REDIS_DIR="$SERVICES_DIR/redis"
REDIS_PIDFILE="$REDIS_DIR/redis.pid"
APT_LOG="$SERVICES_DIR/apt.log"
DEBIAN_PKGS=(postgresql-15 postgresql-15-postgis-3 redis-server postgresql-client-15)

log() { printf 'services: %s\n' "$*" >&2; }
die() {
  printf 'services: ERROR: %s\n' "$*" >&2
  exit 1
}
# die_log MESSAGE LOGFILE: show the end of a tool's log, then fail.
die_log() {
  tail -n 30 "$2" >&2 || true
  die "$1 (full output: $2)"
}

usage() {
  cat >&2 <<'EOF'
usage: scripts/services.sh [--test]   start/reuse PostgreSQL+PostGIS and Redis, print exports
       scripts/services.sh stop       stop the private instances
env:   DATABASE_URL, REDIS_URL        use these servers instead of private ones (when reachable)
       CITYCHECK_PG_PORT (55432), CITYCHECK_REDIS_PORT (56379), CITYCHECK_PG_BIN
EOF
}

MODE=start
DB_NAME=citycheck
for arg in "$@"; do
  case "$arg" in
    --test) DB_NAME=citycheck_test ;;
    stop) MODE=stop ;;
    start) MODE=start ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      usage
      die "unknown argument: $arg"
      ;;
  esac
done

is_root() { [ "$(id -u)" = 0 ]; }
is_debian() { [ -f /etc/debian_version ]; }

# ---------------------------------------------------------------- package installation
APT_UPDATED=0
# apt_install REASON PKG... : install when root on Debian, else fail with instructions.
apt_install() {
  local reason="$1"
  shift
  if ! is_root || ! is_debian; then
    die "$reason. Install PostgreSQL 15 + PostGIS 3 + Redis (Debian/Ubuntu: apt-get install ${DEBIAN_PKGS[*]}) or set DATABASE_URL / REDIS_URL to reachable servers."
  fi
  command -v apt-get >/dev/null || die "$reason, and apt-get is not available; install the packages or set DATABASE_URL / REDIS_URL."
  log "$reason: installing with apt-get: $* (takes a few minutes)"
  if [ "$APT_UPDATED" = 0 ]; then
    apt-get -o DPkg::Lock::Timeout=600 update >>"$APT_LOG" 2>&1 3>&- 9>&- || die_log "apt-get update failed" "$APT_LOG"
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y "$@" >>"$APT_LOG" 2>&1 3>&- 9>&- ||
    die_log "apt-get install $* failed" "$APT_LOG"
  log "installed: $* (apt output in $APT_LOG)"
}

# ---------------------------------------------------------------- PostgreSQL helpers
find_pg_bin() {
  if [ -n "${CITYCHECK_PG_BIN:-}" ]; then
    PG_BIN="$CITYCHECK_PG_BIN"
  elif [ -x /usr/lib/postgresql/15/bin/initdb ]; then
    PG_BIN=/usr/lib/postgresql/15/bin
  elif command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    PG_BIN="$(dirname "$(command -v initdb)")"
  else
    PG_BIN=/usr/lib/postgresql/15/bin
  fi
}

pg_server_present() { [ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ] && [ -x "$PG_BIN/postgres" ]; }
pg_client_present() { [ -x "$PG_BIN/psql" ] || command -v psql >/dev/null 2>&1; }
postgis_present() {
  local share
  share="$("$PG_BIN/pg_config" --sharedir 2>/dev/null)" || share=/usr/share/postgresql/15
  [ -f "$share/extension/postgis.control" ]
}
psql_bin() { if [ -x "$PG_BIN/psql" ]; then echo "$PG_BIN/psql"; else command -v psql; fi; }

# Decide where the private data dir lives (deterministic, so `stop` finds it again).
resolve_pgdata() {
  PGDATA_DIR="$SERVICES_DIR/pg"
  if ! is_root; then return; fi
  if [ -f "$PGDATA_DIR/PG_VERSION" ]; then return; fi
  if runuser -u postgres -- test -x "$SERVICES_DIR" 2>/dev/null; then return; fi
  local hash
  hash="$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)"
  PGDATA_DIR="/tmp/citycheck-services-$hash/pg"
  PGDATA_FALLBACK=1
}

# Run a PostgreSQL server binary as the postgres user when we are root
# (from /, since postgres may not be allowed into the current directory).
as_pg() {
  if is_root; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

pg_private_running() { [ -f "$PGDATA_DIR/PG_VERSION" ] && as_pg "$PG_BIN/pg_ctl" status -D "$PGDATA_DIR" >/dev/null 2>&1; }
pg_port_answers() { PGCONNECT_TIMEOUT=5 "$(psql_bin)" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_SUPERUSER" -d postgres -Atqc 'select 1' >/dev/null 2>&1; }

# ---------------------------------------------------------------- Redis helpers
redis_pid_alive() {
  [ -f "$REDIS_PIDFILE" ] || return 1
  local pid
  pid="$(cat "$REDIS_PIDFILE" 2>/dev/null)" || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}
redis_port_answers() { [ "$(timeout 5 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; }

if ! mkdir -p "$SERVICES_DIR" 2>/dev/null || [ ! -w "$SERVICES_DIR" ]; then
  die "cannot create or write $SERVICES_DIR (created by another user?)"
fi
chmod 755 "$SERVICES_DIR" 2>/dev/null || true

# One run at a time per checkout (parallel calls would race on apt, initdb and createdb).
if command -v flock >/dev/null 2>&1; then
  exec 9>"$SERVICES_DIR/.lock"
  if ! flock -n 9; then
    log "another services.sh run holds $SERVICES_DIR/.lock; waiting for it"
    flock 9
  fi
fi

find_pg_bin
PGDATA_FALLBACK=0
resolve_pgdata

# ---------------------------------------------------------------- stop
if [ "$MODE" = stop ]; then
  if pg_server_present && pg_private_running; then
    as_pg "$PG_BIN/pg_ctl" stop -s -D "$PGDATA_DIR" -m fast -w >&2
    log "stopped private PostgreSQL (data dir $PGDATA_DIR, port $PG_PORT)"
  else
    log "private PostgreSQL not running (data dir $PGDATA_DIR)"
  fi
  if redis_pid_alive; then
    pid="$(cat "$REDIS_PIDFILE")"
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      kill -9 "$pid" 2>/dev/null || true
      log "private Redis (pid $pid) did not stop in 5s; killed it"
    else
      log "stopped private Redis (pid $pid, port $REDIS_PORT)"
    fi
    rm -f "$REDIS_PIDFILE"
  else
    log "private Redis not running (no live pid in $REDIS_PIDFILE)"
  fi
  rm -f "$SERVICES_DIR/env"
  exit 0
fi

# ---------------------------------------------------------------- external PostgreSQL
DB_URL=""
if [ -n "${DATABASE_URL:-}" ]; then
  if ! pg_client_present; then
    apt_install "DATABASE_URL is set but psql is missing" postgresql-client-15
  fi
  if PGCONNECT_TIMEOUT=5 "$(psql_bin)" "$DATABASE_URL" -Atqc 'select 1' >/dev/null 2>&1; then
    log "DATABASE_URL is set and reachable: using it (no private PostgreSQL)"
    if err="$(PGCONNECT_TIMEOUT=5 "$(psql_bin)" "$DATABASE_URL" -v ON_ERROR_STOP=1 -qc 'SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS postgis' 2>&1)"; then
      log "DATABASE_URL: postgis extension available ($(PGCONNECT_TIMEOUT=5 "$(psql_bin)" "$DATABASE_URL" -Atqc 'select postgis_lib_version()' 2>/dev/null || echo '?'))"
    else
      die "DATABASE_URL: 'CREATE EXTENSION IF NOT EXISTS postgis' failed — PostGIS 3 is missing on that server or the user may not create it: ${err//$'\n'/ }"
    fi
    if [ "$DB_NAME" = citycheck_test ]; then
      log "--test with an external DATABASE_URL: using that database as-is (tests may write to it)"
    fi
    DB_URL="$DATABASE_URL"
  else
    log "DATABASE_URL is set but not reachable (psql 'select 1' failed): falling back to a private PostgreSQL"
  fi
fi

# ---------------------------------------------------------------- external Redis
R_URL=""
if [ -n "${REDIS_URL:-}" ]; then
  if ! command -v redis-cli >/dev/null 2>&1; then
    apt_install "REDIS_URL is set but redis-cli is missing" redis-tools
  fi
  if [ "$(timeout 5 redis-cli -u "$REDIS_URL" ping 2>/dev/null)" = PONG ]; then
    log "REDIS_URL is set and answers PING: using it (no private Redis)"
    R_URL="$REDIS_URL"
  else
    log "REDIS_URL is set but does not answer PING: falling back to a private Redis"
  fi
fi

# ---------------------------------------------------------------- binaries for private instances
missing=()
if [ -z "$DB_URL" ]; then
  pg_server_present || missing+=("PostgreSQL 15 server")
  pg_client_present || missing+=("psql")
  postgis_present || missing+=("PostGIS 3")
fi
if [ -z "$R_URL" ]; then
  command -v redis-server >/dev/null 2>&1 || missing+=("redis-server")
  command -v redis-cli >/dev/null 2>&1 || missing+=("redis-cli")
fi
if [ "${#missing[@]}" -gt 0 ]; then
  list="${missing[*]/%/,}"
  apt_install "missing: ${list%,}" "${DEBIAN_PKGS[@]}"
  find_pg_bin
  resolve_pgdata
  if [ -z "$DB_URL" ]; then
    pg_server_present || die "PostgreSQL server binaries still not found in $PG_BIN after installing"
    postgis_present || die "PostGIS extension files still not found for $PG_BIN after installing"
  fi
  if [ -z "$R_URL" ]; then
    command -v redis-server >/dev/null 2>&1 || die "redis-server still not found after installing"
  fi
fi

# ---------------------------------------------------------------- private PostgreSQL
if [ -z "$DB_URL" ]; then
  log "PostgreSQL binaries: $PG_BIN ($("$PG_BIN/postgres" --version)), PostGIS extension installed"
  PSQL="$(psql_bin)"

  if pg_private_running; then
    log "private PostgreSQL already running (data dir $PGDATA_DIR): reusing it"
    pg_port_answers || die "private PostgreSQL (data dir $PGDATA_DIR) is running but does not answer on 127.0.0.1:$PG_PORT — was it started with another CITYCHECK_PG_PORT? Run 'scripts/services.sh stop' first."
  elif pg_port_answers; then
    log "127.0.0.1:$PG_PORT already answers as a trust-auth PostgreSQL not started from $PGDATA_DIR: reusing it (set CITYCHECK_PG_PORT for a separate one)"
  else
    if (echo >"/dev/tcp/127.0.0.1/$PG_PORT") 2>/dev/null; then
      die "port $PG_PORT on 127.0.0.1 is taken by something that is not a usable PostgreSQL; set CITYCHECK_PG_PORT to a free port"
    fi
    if [ "$PGDATA_FALLBACK" = 1 ]; then
      log "user postgres cannot traverse $SERVICES_DIR: using data dir $PGDATA_DIR instead of .services/pg"
      mkdir -p "$(dirname "$PGDATA_DIR")"
      chmod 755 "$(dirname "$PGDATA_DIR")"
    fi
    if [ ! -f "$PGDATA_DIR/PG_VERSION" ]; then
      if [ -d "$PGDATA_DIR" ] && [ -n "$(ls -A "$PGDATA_DIR")" ]; then
        die "$PGDATA_DIR exists, is not empty and is not a PostgreSQL data dir; remove it and rerun"
      fi
      mkdir -p "$PGDATA_DIR"
      if is_root; then chown postgres:postgres "$PGDATA_DIR"; fi
      chmod 700 "$PGDATA_DIR"
      log "initdb: new cluster in $PGDATA_DIR ($(is_root && echo 'as user postgres, ')superuser $PG_SUPERUSER, trust auth, UTF8)"
      as_pg "$PG_BIN/initdb" -D "$PGDATA_DIR" -U "$PG_SUPERUSER" --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
        >"$SERVICES_DIR/initdb.log" 2>&1 || die_log "initdb failed for $PGDATA_DIR" "$SERVICES_DIR/initdb.log"
      as_pg tee -a "$PGDATA_DIR/postgresql.conf" >/dev/null <<'EOF'

# --- CityCheck private dev/test server (scripts/services.sh) ---
# Throw-away data: durability switched off for speed.
fsync = off
synchronous_commit = off
full_page_writes = off
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
max_connections = 200
EOF
      log "postgresql.conf: fsync=off, synchronous_commit=off, full_page_writes=off (fast, not crash-safe), TCP on 127.0.0.1 only, no unix socket"
    else
      log "existing private cluster in $PGDATA_DIR: starting it"
    fi
    if is_root; then chown postgres:postgres "$PGDATA_DIR"; fi
    as_pg "$PG_BIN/pg_ctl" start -s -D "$PGDATA_DIR" -w -t 60 -l "$PGDATA_DIR/server.log" \
      -o "-p $PG_PORT -c listen_addresses=127.0.0.1" >&2 3>&- 9>&- ||
      die_log "PostgreSQL failed to start" "$PGDATA_DIR/server.log"
    log "started private PostgreSQL on 127.0.0.1:$PG_PORT (log $PGDATA_DIR/server.log)"
  fi

  for db in citycheck citycheck_test; do
    if [ "$("$PSQL" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_SUPERUSER" -d postgres -Atqc "select 1 from pg_database where datname = '$db'")" = 1 ]; then
      created="exists"
    else
      "$PSQL" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_SUPERUSER" -d postgres -v ON_ERROR_STOP=1 -qc "CREATE DATABASE $db" >&2 ||
        die "CREATE DATABASE $db failed"
      created="created"
    fi
    "$PSQL" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_SUPERUSER" -d "$db" -v ON_ERROR_STOP=1 -qc \
      'SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS postgis' >&2 ||
      die "CREATE EXTENSION postgis failed in database $db"
    log "database $db: $created, postgis $("$PSQL" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_SUPERUSER" -d "$db" -Atqc "select extversion from pg_extension where extname = 'postgis'")"
  done
  DB_URL="postgres://$PG_SUPERUSER@127.0.0.1:$PG_PORT/$DB_NAME"
fi

# ---------------------------------------------------------------- private Redis
if [ -z "$R_URL" ]; then
  log "Redis binaries: $(command -v redis-server) ($(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p'))"
  if redis_pid_alive && redis_port_answers; then
    log "private Redis already running (pid $(cat "$REDIS_PIDFILE"), port $REDIS_PORT): reusing it"
  elif redis_port_answers; then
    log "127.0.0.1:$REDIS_PORT already answers PING but was not started from $REDIS_DIR: reusing it (set CITYCHECK_REDIS_PORT for a separate one)"
  else
    if redis_pid_alive; then
      die "private Redis (pid $(cat "$REDIS_PIDFILE")) is running but not answering on port $REDIS_PORT — started with another CITYCHECK_REDIS_PORT? Run 'scripts/services.sh stop' first."
    fi
    if (echo >"/dev/tcp/127.0.0.1/$REDIS_PORT") 2>/dev/null; then
      die "port $REDIS_PORT on 127.0.0.1 is taken by something that is not Redis; set CITYCHECK_REDIS_PORT to a free port"
    fi
    mkdir -p "$REDIS_DIR"
    rm -f "$REDIS_PIDFILE"
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --dir "$REDIS_DIR" \
      --save '' --appendonly no --pidfile "$REDIS_PIDFILE" --logfile "$REDIS_DIR/redis.log" >&2 3>&- 9>&- ||
      die_log "redis-server failed to start" "$REDIS_DIR/redis.log"
    for _ in $(seq 1 100); do redis_port_answers && break; sleep 0.1; done
    redis_port_answers || die_log "redis-server did not answer on 127.0.0.1:$REDIS_PORT within 10s" "$REDIS_DIR/redis.log"
    log "started private Redis on 127.0.0.1:$REDIS_PORT (dir $REDIS_DIR, no persistence: --save '' --appendonly no)"
  fi
  R_URL="redis://127.0.0.1:$REDIS_PORT"
fi

# ---------------------------------------------------------------- result
result="$(printf 'export DATABASE_URL=%q\nexport REDIS_URL=%q' "$DB_URL" "$R_URL")"
printf '%s\n' "$result" >"$SERVICES_DIR/env"
log "wrote $SERVICES_DIR/env"
printf '%s\n' "$result" >&3
