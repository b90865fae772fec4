# shellcheck shell=bash
# A throwaway PostgreSQL cluster for a test, sourced after setup.sh: postgres_start makes one with
# initdb in a private folder and starts it with pg_ctl, listening only on a Unix socket in that
# folder (no TCP port, so tests never collide); postgres_stop stops it and removes the folder. As
# root the server runs as the postgres user (initdb refuses root). postgres_start sets
# PG_URL (a libpq URL of the database "postgres", superuser postgres, no password) and
# PG_CTL_STOP / PG_CTL_START (commands that stop and start the same server), and arranges the
# removal at exit, also on failure.
PG_BIN=${MOVIEREC_PG_BIN:-/usr/lib/postgresql/15/bin}
PG_PORT=5432  # only names the socket file in the private folder
PG_ROOT=

# Runs a command as the cluster's owner.
as_postgres() {
  if [[ $(id -u) -eq 0 ]]; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

postgres_start() {
  [[ -x $PG_BIN/initdb ]] || fail "no PostgreSQL at $PG_BIN (Debian: apt-get install postgresql)"
  PG_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/movierec-pg.XXXXXX")
  trap 'postgres_stop; rm -rf "$WORK"' EXIT
  mkdir -p "$PG_ROOT/socket"
  [[ $(id -u) -eq 0 ]] && chown -R postgres "$PG_ROOT"
  as_postgres "$PG_BIN/initdb" -D "$PG_ROOT/data" -U postgres --auth=trust -E UTF8 --locale=C \
    > "$PG_ROOT/initdb.log" 2>&1 || { cat "$PG_ROOT/initdb.log" >&2; fail "initdb failed"; }
  local as="" options="-k $PG_ROOT/socket -p $PG_PORT -c listen_addresses="
  [[ $(id -u) -eq 0 ]] && as="cd / && runuser -u postgres --"
  # Plain sh commands, for the unit tests' std::system as much as for this script.
  # shellcheck disable=SC2034  # used by the tests that source this file
  PG_CTL_START="$as '$PG_BIN/pg_ctl' -D '$PG_ROOT/data' -l '$PG_ROOT/server.log' -w -t 60 -o '$options' start > /dev/null"
  # shellcheck disable=SC2034
  PG_CTL_STOP="$as '$PG_BIN/pg_ctl' -D '$PG_ROOT/data' -m fast -w -t 60 stop > /dev/null"
  sh -c "$PG_CTL_START" || { cat "$PG_ROOT/server.log" >&2; fail "the PostgreSQL server did not start"; }
  # shellcheck disable=SC2034
  PG_URL="postgresql:///postgres?host=$PG_ROOT/socket&port=$PG_PORT&user=postgres"
}

postgres_stop() {
  [[ -n $PG_ROOT && -d $PG_ROOT ]] || return 0
  if [[ -f $PG_ROOT/data/postmaster.pid ]]; then
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_ROOT/data" -m immediate -w stop > /dev/null 2>&1 || true
  fi
  rm -rf "$PG_ROOT"
  PG_ROOT=
}
