# shellcheck shell=bash
# Sourced by .ci/pg16 and .ci/pg17: a throwaway PostgreSQL test server of another major version.

# here CMD…: runs CMD on this machine (start_test_server's RUN for a server outside a chroot).
here() { "$@"; }

# start_test_server RUN BIN DATA PORT: a new cluster in DATA (which must not exist), made and
# started by RUN (here, or deploy/chroot-lib.sh's in_root) as the postgres user with BIN's
# initdb and pg_ctl — trust authentication, no fsync (a test server), on 127.0.0.1:PORT, its
# socket and log in DATA — then prints the server's version.
start_test_server() {
  local run=$1 bin=$2 data=$3 port=$4
  "$run" install -d -o postgres -m 700 "$data"
  "$run" runuser -u postgres -- "$bin/initdb" -D "$data" -A trust -U postgres --no-locale \
    -E UTF8 >/dev/null
  "$run" runuser -u postgres -- "$bin/pg_ctl" -D "$data" -w -l "$data/server.log" \
    -o "-p $port -k $data -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
  "$run" runuser -u postgres -- "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -Atc \
    "SHOW server_version"
}
