#!/usr/bin/env bash
# Installs (when missing), starts and stops PostgreSQL 15 and RabbitMQ on localhost, with their data under
# the project's .vendor/ folder. Idempotent: running any command twice does no harm.
#   deploy/local/infra.sh install|start|stop|status|start-postgres|stop-postgres|start-rabbitmq|stop-rabbitmq|data-dir
# A second, private pair (the fault tests) sets VENDOR_STATE_DIR, VENDOR_PG_PORT, VENDOR_RABBIT_PORT and VENDOR_RABBIT_NODE.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="${VENDOR_STATE_DIR:-$ROOT/.vendor}"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_PORT="${VENDOR_PG_PORT:-5432}"
RABBIT_PORT="${VENDOR_RABBIT_PORT:-5672}"
export RABBITMQ_NODENAME="${VENDOR_RABBIT_NODE:-rabbit@localhost}"

# The servers run as their own users: their data goes under .vendor/ when those users can reach it, else (a
# checkout under a private home such as /root) under /var/lib/vendor-data/<hash of checkout and state dir> (the state dir is in
# the hash: a second pair with its own VENDOR_STATE_DIR must never share the first one's data).
data_root() {
  mkdir -p "$STATE"
  if [ "$(id -u)" != 0 ] || su postgres -s /bin/sh -c "test -x '$STATE'" 2>/dev/null; then echo "$STATE"
  elif [ "$STATE" = "$ROOT/.vendor" ]; then echo "/var/lib/vendor-data/$(echo "$ROOT" | md5sum | cut -c1-12)"
  else echo "/var/lib/vendor-data/$(echo "$ROOT|$STATE" | md5sum | cut -c1-12)"; fi
}
# Chosen after install (the postgres and rabbitmq users exist only then).
set_data_dirs() { DATA="$(data_root)"; PG_DATA="$DATA/postgres"; RABBIT_BASE="$DATA/rabbitmq"; }

log() { echo "[infra] $*" >&2; }
as_user() { local user="$1"; shift; if [ "$(id -u)" = 0 ]; then su "$user" -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
apt_install() {
  [ "$(id -u)" = 0 ] || { log "need root to apt-get install $*"; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

install() {
  if [ ! -x "$PG_BIN/postgres" ]; then log "installing postgresql-15"; apt_install postgresql-15; fi
  if ! command -v rabbitmq-server >/dev/null 2>&1; then
    log "installing rabbitmq-server"; apt_install rabbitmq-server
    # Where an init system runs, the package starts its own broker on 5672; we run our own node instead.
    service rabbitmq-server stop >/dev/null 2>&1 || true
  fi
}

pg_ready() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; }

start_postgres() {
  if pg_ready; then
    "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "SELECT 1" >/dev/null 2>&1 \
      || { log "port $PG_PORT answers but not as our trust-auth postgres; set VENDOR_PG_PORT (and VENDOR_POSTGRES)"; exit 1; }
    create_database; log "postgres already accepting connections on $PG_PORT"; return
  fi
  mkdir -p "$(dirname "$PG_DATA")"
  if [ ! -s "$PG_DATA/PG_VERSION" ]; then
    log "initialising PostgreSQL cluster in $PG_DATA"
    mkdir -p "$PG_DATA"; chown postgres:postgres "$PG_DATA" 2>/dev/null || true; chmod 700 "$PG_DATA"
    # Character classes from C.UTF-8 (pg_trgm sees no CJK characters in a C-locale cluster, STACK.md); comparisons in byte order
    # (collation C): the same order as C.UTF-8 gives (code points), without a strcoll call per comparison in every text index.
    as_user postgres "'$PG_BIN/initdb' -D '$PG_DATA' -U postgres -A trust -E UTF8 --locale=C.UTF-8 --lc-collate=C >/dev/null"
    cat >> "$PG_DATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PG_PORT
# TCP is what every client uses; a socket under a long checkout path would exceed the 107-byte limit.
unix_socket_directories = '/tmp'
max_connections = 300
fsync = on
# Ingestion at full speed writes ~1 GB of WAL and dirties shared buffers faster than the defaults flush them:
# a bigger pool, a busier background writer and calmer checkpoints (measured with ./vendor bench ingest).
shared_buffers = ${VENDOR_PG_SHARED_BUFFERS:-2GB}
wal_buffers = 64MB
bgwriter_lru_maxpages = 1000
bgwriter_delay = 20ms
max_wal_size = 4GB
checkpoint_timeout = 15min
# Outbox events of a 500-conversation request are ~150 KB of jsonb: lz4 compresses them far cheaper than pglz (+8 % ingest).
default_toast_compression = lz4
CONF
  fi
  as_user postgres "'$PG_BIN/pg_ctl' -D '$PG_DATA' -l '$PG_DATA/server.log' -w -t 60 start >/dev/null"
  for _ in $(seq 1 60); do pg_ready && break; sleep 1; done
  pg_ready || { log "postgres did not start; see $PG_DATA/server.log"; exit 1; }
  create_database
  log "postgres ready on 127.0.0.1:$PG_PORT"
}

create_database() {
  "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='vendor'" | grep -q 1 \
    || "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE vendor TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C.UTF-8'"
}

rabbit_env() {
  echo "RABBITMQ_NODENAME=$RABBITMQ_NODENAME RABBITMQ_NODE_PORT=$RABBIT_PORT RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
RABBITMQ_MNESIA_BASE='$RABBIT_BASE/mnesia' RABBITMQ_LOG_BASE='$RABBIT_BASE/log' RABBITMQ_PID_FILE='$RABBIT_BASE/rabbit.pid' \
RABBITMQ_DIST_PORT=$((RABBIT_PORT + 20000)) HOME=/var/lib/rabbitmq"
}

rabbit_ready() { as_user rabbitmq "$(rabbit_env) rabbitmq-diagnostics -q ping" >/dev/null 2>&1; }
rabbit_port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$RABBIT_PORT") 2>/dev/null; }

start_rabbitmq() {
  if rabbit_port_open && rabbit_ready; then log "rabbitmq already up on $RABBIT_PORT"; return; fi
  if rabbit_port_open; then
    log "port $RABBIT_PORT answers but not as node $RABBITMQ_NODENAME (a broker the package started?); stop it or set VENDOR_RABBIT_PORT"
    exit 1
  fi
  mkdir -p "$RABBIT_BASE/mnesia" "$RABBIT_BASE/log"
  chown -R rabbitmq:rabbitmq "$RABBIT_BASE" 2>/dev/null || true
  log "starting rabbitmq"
  as_user rabbitmq "$(rabbit_env) nohup rabbitmq-server >'$RABBIT_BASE/log/stdout.log' 2>&1 &"
  for _ in $(seq 1 120); do rabbit_port_open && rabbit_ready && break; sleep 1; done
  rabbit_port_open && rabbit_ready || { log "rabbitmq did not start; see $RABBIT_BASE/log"; exit 1; }
  log "rabbitmq ready on 127.0.0.1:$RABBIT_PORT"
}

stop_postgres() {
  if [ -s "$PG_DATA/postmaster.pid" ]; then
    as_user postgres "'$PG_BIN/pg_ctl' -D '$PG_DATA' -m fast -w stop >/dev/null" || true
    log "postgres stopped"
  fi
}

stop_rabbitmq() {
  if rabbit_port_open; then
    as_user rabbitmq "$(rabbit_env) rabbitmqctl -q stop" >/dev/null 2>&1 || true
    for _ in $(seq 1 30); do rabbit_port_open || break; sleep 1; done
    log "rabbitmq stopped"
  fi
}

stop() { stop_postgres; stop_rabbitmq; }

status() {
  pg_ready && echo "postgres: up (127.0.0.1:$PG_PORT)" || echo "postgres: down"
  rabbit_port_open && echo "rabbitmq: up (127.0.0.1:$RABBIT_PORT)" || echo "rabbitmq: down"
}

case "${1:-}" in
  install) install ;;
  start) install; set_data_dirs; start_postgres; start_rabbitmq ;;
  stop) set_data_dirs; stop ;;
  start-postgres) install; set_data_dirs; start_postgres ;;
  stop-postgres) set_data_dirs; stop_postgres ;;
  start-rabbitmq) install; set_data_dirs; start_rabbitmq ;;
  stop-rabbitmq) set_data_dirs; stop_rabbitmq ;;
  data-dir) install >&2; set_data_dirs; echo "$DATA" ;;
  status) status ;;
  # rabbitmqctl against this node, as the rabbitmq user with the node's settings: ctl -q list_queues name messages
  ctl) shift; set_data_dirs; as_user rabbitmq "$(rabbit_env) rabbitmqctl $(printf '%q ' "$@")" ;;
  *) echo "usage: $0 install|start|stop|status|start-postgres|stop-postgres|start-rabbitmq|stop-rabbitmq|data-dir|ctl ARGS" >&2; exit 2 ;;
esac
