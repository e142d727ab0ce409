#!/usr/bin/env bash
# Throwaway PostgreSQL 15 cluster for tests and the demo.
#   scripts/testpg.sh start DIR   -> initdb + start in DIR, prints shell exports (RIGHTSIZE_TEST_PG_DSN, ...)
#   scripts/testpg.sh standby DIR PRIMARY_PORT
#                                 -> a streaming hot standby of the cluster on 127.0.0.1:PRIMARY_PORT (pg_basebackup -R)
#                                    in DIR, started on a free port; prints its port
#   scripts/testpg.sh pgbouncer DIR
#                                 -> PgBouncer in pool_mode=transaction in front of the cluster started in DIR,
#                                    on a free port of 127.0.0.1 (trust auth, user postgres); prints its export
#                                    (RIGHTSIZE_TEST_PGBOUNCER_PORT)
#   scripts/testpg.sh stop DIR    -> stops the PgBouncer and the cluster started in DIR (by their pid files) and
#                                    removes DIR
# The cluster listens on 127.0.0.1 only, on a free port, with trust auth, fsync off and
# pg_stat_statements preloaded and created in the postgres database.
set -euo pipefail

find_bindir() {
  for d in "${PG_BINDIR:-}" /usr/lib/postgresql/17/bin /usr/lib/postgresql/16/bin /usr/lib/postgresql/15/bin; do
    [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
  return 1
}

ensure_installed() {
  if find_bindir >/dev/null; then return 0; fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "testpg: PostgreSQL server binaries not found; installing postgresql-15 and postgresql-contrib from Debian" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 postgresql-contrib >&2
  fi
  find_bindir >/dev/null || {
    echo "testpg: PostgreSQL server binaries (initdb, pg_ctl, postgres) are missing." >&2
    echo "        Install them with: apt-get install postgresql-15 postgresql-contrib, or set PG_BINDIR." >&2
    exit 1
  }
}

find_pgbouncer() {
  for p in "${PGBOUNCER:-}" /usr/sbin/pgbouncer /usr/bin/pgbouncer; do
    [ -n "$p" ] && [ -x "$p" ] && { echo "$p"; return 0; }
  done
  command -v pgbouncer 2>/dev/null
}

ensure_pgbouncer() {
  if find_pgbouncer >/dev/null; then return 0; fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "testpg: pgbouncer not found; installing it from Debian" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer >&2
  fi
  find_pgbouncer >/dev/null || {
    echo "testpg: pgbouncer is missing. Install it with: apt-get install pgbouncer, or set PGBOUNCER to its path." >&2
    exit 1
  }
}

free_port() {
  python3 - <<'PY' 2>/dev/null || echo $(( 20000 + RANDOM % 20000 ))
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# own_dir creates DIR for a cluster, owned by postgres when running as root.
own_dir() {
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    chown postgres: "$dir"; chmod 700 "$dir"
  fi
}

# start_server starts the cluster in DIR (its postgresql.conf sets port = $port) and records its port in
# DIR/port. free_port's port is only free when it looks: until the server binds it, another process may take
# it (any outgoing connection takes a port of the same ephemeral range, and make test's packages connect and
# start servers in parallel). A start that fails on its address in use is retried on another free port.
start_server() {
  local attempt
  for attempt in 1 2 3 4 5; do
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null && {
      echo "$port" >"$dir/port"
      return 0
    }
    grep -q 'could not bind .*Address already in use' "$dir/server.log" && [ "$attempt" -lt 5 ] || break
    echo "testpg: port $port was taken before the server bound it; trying another" >&2
    port=$(free_port)
    echo "port = $port" >>"$dir/data/postgresql.conf" # the last setting wins
    : >"$dir/server.log"
  done
  cat "$dir/server.log" >&2
  exit 1
}

cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|pgbouncer|stop DIR" >&2; exit 2; }

case "$cmd" in
start)
  ensure_installed
  bindir=$(find_bindir)
  own_dir
  port=$(free_port)
  as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.max = 10000
pg_stat_statements.track = all
track_io_timing = on
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
# logical: the statistics tests create logical replication slots (pg_replication_slots)
wal_level = logical
CONF
  start_server
  "$bindir/../bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -qAt \
    -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null 2>&1 \
    || psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -qAt -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
  echo "export RIGHTSIZE_TEST_PG_DSN='postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable'"
  echo "export RIGHTSIZE_TEST_PG_HOST=127.0.0.1"
  echo "export RIGHTSIZE_TEST_PG_PORT=$port"
  echo "export RIGHTSIZE_TEST_PG_BINDIR=$bindir"
  ;;
standby)
  primary_port=${3:-}
  [ -n "$primary_port" ] || { echo "usage: $0 standby DIR PRIMARY_PORT" >&2; exit 2; }
  bindir=$(find_bindir)
  own_dir
  port=$(free_port)
  as_owner "$bindir/pg_basebackup" -h 127.0.0.1 -p "$primary_port" -U postgres -D "$dir/data" -R -X stream -c fast \
    >"$dir/basebackup.log" 2>&1 || { cat "$dir/basebackup.log" >&2; exit 1; }
  cat >>"$dir/data/postgresql.conf" <<CONF
port = $port
unix_socket_directories = '$dir'
hot_standby = on
CONF
  start_server
  echo "$port"
  ;;
pgbouncer)
  [ -f "$dir/port" ] || { echo "testpg: no cluster started in $dir" >&2; exit 1; }
  ensure_pgbouncer
  pgbouncer=$(find_pgbouncer)
  bport=$(free_port)
  echo '"postgres" ""' >"$dir/pgbouncer-users.txt"
  cat >"$dir/pgbouncer.ini" <<INI
[databases]
* = host=127.0.0.1 port=$(cat "$dir/port")
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $bport
unix_socket_dir =
auth_type = trust
auth_file = $dir/pgbouncer-users.txt
pool_mode = transaction
default_pool_size = 4
max_client_conn = 100
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
INI
  # PgBouncer 1.21 and later can track prepared statements per client (max_prepared_statements, on by
  # default from 1.24): off, so that the harness still fails on named prepared statements as earlier
  # versions (Debian bookworm's 1.18) do.
  ver=$("$pgbouncer" --version | awk 'NR == 1 { print $2 }')
  if [ "$(printf '%s\n' 1.21 "$ver" | sort -V | head -1)" = 1.21 ]; then
    echo "max_prepared_statements = 0" >>"$dir/pgbouncer.ini"
  fi
  [ "$(id -u)" = 0 ] && chown postgres: "$dir/pgbouncer.ini" "$dir/pgbouncer-users.txt"
  # As start_server: a port taken before PgBouncer bound it (its daemon then logs "Address already in use" and
  # exits) is replaced by another free one, up to five times. PgBouncer is up once its own log says it listens
  # on the port and the port answers: the port answering alone may be the listener that took it.
  for attempt in 1 2 3 4 5; do
    as_owner "$pgbouncer" -d -q "$dir/pgbouncer.ini" || { cat "$dir/pgbouncer.log" >&2 2>/dev/null; exit 1; }
    listening=
    for _ in $(seq 1 300); do
      grep -q " listening on 127.0.0.1:$bport\$" "$dir/pgbouncer.log" 2>/dev/null \
        && (exec 3<>"/dev/tcp/127.0.0.1/$bport") 2>/dev/null && { listening=1; break; }
      grep -q "cannot listen on 127.0.0.1:$bport: bind(): Address already in use" "$dir/pgbouncer.log" 2>/dev/null && break
      sleep 0.1
    done
    [ -n "$listening" ] && break
    if [ "$attempt" -lt 5 ] && grep -q "cannot listen on 127.0.0.1:$bport: bind(): Address already in use" "$dir/pgbouncer.log" 2>/dev/null; then
      echo "testpg: port $bport was taken before pgbouncer bound it; trying another" >&2
      bport=$(free_port)
      sed -i "s/^listen_port = .*/listen_port = $bport/" "$dir/pgbouncer.ini"
      [ "$(id -u)" = 0 ] && chown postgres: "$dir/pgbouncer.ini"
      continue
    fi
    echo "testpg: pgbouncer did not listen on 127.0.0.1:$bport" >&2
    cat "$dir/pgbouncer.log" >&2
    exit 1
  done
  echo "export RIGHTSIZE_TEST_PGBOUNCER_PORT=$bport"
  ;;
stop)
  if [ -f "$dir/pgbouncer.pid" ]; then
    pid=$(head -1 "$dir/pgbouncer.pid" 2>/dev/null || true)
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
  fi
  [ -d "$dir/data" ] || { rm -rf "$dir"; exit 0; } # initdb never ran
  bindir=$(find_bindir || true)
  if [ -n "$bindir" ] && [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 || {
      pid=$(head -1 "$dir/data/postmaster.pid" 2>/dev/null || true)
      [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
    }
  fi
  rm -rf "$dir"
  ;;
*) echo "usage: $0 start|pgbouncer|stop DIR, or $0 standby DIR PRIMARY_PORT" >&2; exit 2 ;;
esac
