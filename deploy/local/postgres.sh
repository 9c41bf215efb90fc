#!/usr/bin/env bash
# PostgreSQL for development and tests.
#   deploy/local/postgres.sh start|stop|reset|status
# Uses the server at DATABASE_URL when one answers; otherwise starts a private cluster under
# LOCAL_STACK_DIR (.local) on DATABASE_URL's port, installing PostgreSQL from Debian if missing,
# and creates DATABASE_URL's role and database.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
stack_dir=${LOCAL_STACK_DIR:-$root/.local}
pg_dir=$stack_dir/postgres
data_dir=$pg_dir/data
log_file=$pg_dir/server.log
url=${DATABASE_URL:-postgres://webhooks:webhooks@127.0.0.1:5433/webhooks}

say() { echo "postgres: $*"; }

# postgres://user:password@host:port/database
re='^postgres(ql)?://([^:@/]+)(:([^@/]*))?@([^:/]+)(:([0-9]+))?/([^?]+)'
[[ $url =~ $re ]] || { say "DATABASE_URL must look like postgres://user:password@host:port/database"; exit 1; }
db_user=${BASH_REMATCH[2]}
db_password=${BASH_REMATCH[4]}
db_host=${BASH_REMATCH[5]}
db_port=${BASH_REMATCH[7]:-5432}
db_name=${BASH_REMATCH[8]}

bin_dir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] && echo "$dir"
}

install_server() {
  bin_dir >/dev/null && return 0
  say "installing PostgreSQL from Debian"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  # The package starts a system cluster of its own; this project runs a private one.
  (command -v pg_ctlcluster >/dev/null && pg_lsclusters -h | while read -r ver name _; do
    pg_ctlcluster "$ver" "$name" stop || true
  done) || true
}

use_shared_dir() {
  pg_dir=/var/tmp/campaign-webhooks/postgres-$db_port
  data_dir=$pg_dir/data
  log_file=$pg_dir/server.log
}

answers() {
  PGPASSWORD=$db_password PGCONNECT_TIMEOUT=2 psql "$url" -qtAc 'select 1' >/dev/null 2>&1
}

# Runs a command as the cluster's owner: PostgreSQL refuses to run as root.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  if answers; then say "using the server at $db_host:$db_port"; return 0; fi
  case $db_host in
    127.0.0.1|localhost|::1) ;;
    *) say "no server answers at $db_host:$db_port, and a private cluster can only run on loopback"; exit 1 ;;
  esac
  install_server
  local bin
  bin=$(bin_dir)
  mkdir -p "$pg_dir"
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$pg_dir"
    # The cluster's owner must reach the data directory; a checkout under /root is out of its reach.
    if ! runuser -u postgres -- test -w "$pg_dir"; then
      use_shared_dir
      mkdir -p "$pg_dir"
      chown postgres: "$pg_dir"
    fi
  fi
  if [ ! -f "$data_dir/PG_VERSION" ]; then
    as_owner "$bin/initdb" -D "$data_dir" -U postgres -A trust -E UTF8 --no-locale >/dev/null
  fi
  if ! as_owner "$bin/pg_ctl" -D "$data_dir" status >/dev/null 2>&1; then
    say "starting a private cluster on 127.0.0.1:$db_port (log: $log_file)"
    as_owner "$bin/pg_ctl" -D "$data_dir" -l "$log_file" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -p $db_port -c unix_socket_directories='$pg_dir' -c fsync=off -c synchronous_commit=off -c max_connections=200" >/dev/null
  fi
  local admin=(psql -h 127.0.0.1 -p "$db_port" -U postgres -d postgres -qtAX -v ON_ERROR_STOP=1)
  if [ "$("${admin[@]}" -c "select 1 from pg_roles where rolname = '$db_user'")" != 1 ]; then
    "${admin[@]}" -c "create role \"$db_user\" login password '$db_password'"
  fi
  if [ "$("${admin[@]}" -c "select 1 from pg_database where datname = '$db_name'")" != 1 ]; then
    "${admin[@]}" -c "create database \"$db_name\" owner \"$db_user\""
  fi
  answers || { say "the private cluster does not accept $url; see $log_file"; exit 1; }
  say "ready on 127.0.0.1:$db_port, database $db_name"
}

stop() {
  local bin
  [ -f "$data_dir/PG_VERSION" ] || use_shared_dir
  if [ ! -f "$data_dir/PG_VERSION" ] || ! bin=$(bin_dir); then say "no private cluster"; return 0; fi
  if as_owner "$bin/pg_ctl" -D "$data_dir" status >/dev/null 2>&1; then
    as_owner "$bin/pg_ctl" -D "$data_dir" -m fast -w stop >/dev/null
    say "stopped"
  else
    say "not running"
  fi
}

# Removes the private cluster's data (stopping it first), so the next start begins empty.
reset() {
  stop
  [ -f "$data_dir/PG_VERSION" ] || use_shared_dir
  rm -rf "$data_dir"
  say "reset"
}

status() {
  if answers; then say "answering at $db_host:$db_port"; else say "not answering at $db_host:$db_port"; return 1; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  reset) reset ;;
  status) status ;;
  *) echo "usage: $0 start|stop|reset|status" >&2; exit 2 ;;
esac
