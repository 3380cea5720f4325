#!/usr/bin/env bash
# Runs rigor-store's test suite against a throw-away PostgreSQL server.
#
#   tools/pg-test.sh            # needs Debian's postgresql package (initdb, pg_ctl)
#
# Creates a cluster in a temp dir, listens on 127.0.0.1 on a free port, runs
# `cargo test -p rigor-store --test store_suite` with RIGOR_TEST_POSTGRES_URL set, and
# removes the cluster afterwards. As root, the server runs as the `postgres` user (or
# `nobody`), since PostgreSQL refuses to run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "pg-test: PostgreSQL is not installed (apt-get install postgresql)" >&2
  exit 1
fi
tmp=$(mktemp -d /tmp/rigor-pg.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_user=()
if [ "$(id -u)" = 0 ]; then
  user=postgres
  getent passwd postgres >/dev/null || user=nobody
  chown "$user" "$tmp"
  as_user=(runuser -u "$user" --)
fi
cleanup() {
  "${as_user[@]}" "$bindir/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
"${as_user[@]}" "$bindir/initdb" -D "$tmp/data" -U rigor --auth=trust >/dev/null
"${as_user[@]}" "$bindir/pg_ctl" -D "$tmp/data" -l "$tmp/log" -w \
  -o "-p $port -k $tmp -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
export RIGOR_TEST_POSTGRES_URL="postgres://rigor@127.0.0.1:$port/postgres"
cargo test -p rigor-store --test store_suite "$@"
