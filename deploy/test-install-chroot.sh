#!/usr/bin/env bash
# deploy/install.sh for real, as root, in a throwaway Debian 12 root (debootstrap minbase), run
# twice and checked from outside: one PASS or FAIL line per check, then
# "install-chroot: N passed, N failed"; exit status 1 when a check failed.
#
#   deploy/test-install-chroot.sh          (as root; tests/test_install_chroot.py runs it when
#                                           GONGJIAN_TEST_INSTALL=1)
#
# What it installs is the checkout's HEAD with its uncommitted changes to tracked files
# (`git stash create`), as a `git archive` unpacked in /usr/local/src/gongjian of the root; the
# install copies it to /opt/gongjian as it would from any other checkout.
#
# Cached in /var/cache/gongjian-ci (GJ_CACHE): debootstrap's package tarball, the unpacked root
# as a tar, the .debs and package lists apt fetches, pip's cache. The first run downloads
# everything from Debian's mirror and PyPI; later ones only check for newer lists.
#
# The root shares this machine's network, where PostgreSQL (5432) and Redis (6379) may already
# listen; nothing started here may take those ports. So before the install the root gets a
# Redis configured on port 6380 (a server whose Redis is set up already), and Debian creates
# the root's PostgreSQL cluster on the next free port (5433) because 5432 is taken; install.sh
# reads both ports from their configuration, as on any server. As in Debian's container images,
# package scripts start no daemons (policy-rc.d). systemd is not running in a chroot: install.sh
# says so and starts nothing through it; this script then starts each unit's ExecStart= as its
# User= with its EnvironmentFile=, in its WorkingDirectory= (gunicorn with GUNICORN_BIND on
# 127.0.0.1:$GJ_WEB_PORT, like a drop-in), and checks them.
#
# Everything it mounts is unmounted and every process it started in the root is stopped on
# exit; the root is removed unless GJ_KEEP=1.
set -euo pipefail

SUITE=${GJ_SUITE:-bookworm}
ROOT=${GJ_CHROOT:-/var/tmp/gj-root}
WEB_PORT=${GJ_WEB_PORT:-18741}
REDIS_PORT=6380
HOST_NAME=gongjian.example.gov.cn   # the example env file's ALLOWED_HOSTS
# shellcheck source=deploy/chroot-lib.sh
. "$(dirname "$0")/chroot-lib.sh"
preflight debootstrap:debootstrap curl:curl ss:iproute2

passed=0
failed=0
pass() { passed=$((passed + 1)); printf 'PASS: %s\n' "$*"; }
fail() { failed=$((failed + 1)); printf 'FAIL: %s\n' "$*"; }
expect() {  # DESCRIPTION COMMAND...: PASS when the command succeeds
  local what=$1; shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}
equal() {  # DESCRIPTION ACTUAL EXPECTED
  if [ "$2" = "$3" ]; then pass "$1"; else fail "$1 (got '$2', expected '$3')"; fi
}

# --- the clean root, from the cache when it is there ------------------------------------------
make_root
# A throwaway root needs no fsync after each file dpkg writes (as in Debian's container images).
echo force-unsafe-io > "$ROOT/etc/dpkg/dpkg.cfg.d/unsafe-io"

stage "a Redis already configured on port $REDIS_PORT (6379 is this machine's)"
root_apt_install redis-server
sed -i "s/^port 6379\$/port $REDIS_PORT/" "$ROOT/etc/redis/redis.conf"

unpack_code /usr/local/src/gongjian

# --- the install, then the checks -----------------------------------------------------------
# From here on a failing command is a failed check, never the end of the run.
set +e
stage "deploy/install.sh, first run"
LOGS=$ROOT/var/tmp/gj-test
mkdir -p "$LOGS"
run_install() {  # N: the Nth run, its output kept and shown with the seconds since its start
  local start=$SECONDS line
  in_root /usr/local/src/gongjian/deploy/install.sh 2>&1 | tee "$LOGS/install-$1.log" |
    while IFS= read -r line; do printf '[%3ds] %s\n' "$((SECONDS - start))" "$line"; done
  return "${PIPESTATUS[0]}"
}
FIRST_START=$SECONDS
expect "install.sh (first run) exits 0" run_install 1
FIRST_TIME=$((SECONDS - FIRST_START))
expect "install.sh says systemd is not running and starts no unit" \
  grep -q "systemd is not the running init here: .*NOT started" "$LOGS/install-1.log"

stage "checks"
mode() { in_root stat -c '%a %U:%G' "$1" 2>&1; }
equal "user gongjian: a system user without a login shell" \
  "$(in_root getent passwd gongjian | awk -F: '{ print ($3 < 1000), $6, $7 }')" \
  "1 /var/lib/gongjian /usr/sbin/nologin"
equal "/opt/gongjian: root:root 755" "$(mode /opt/gongjian)" "755 root:root"
equal "/etc/gongjian: root:gongjian 750" "$(mode /etc/gongjian)" "750 root:gongjian"
for dir in /var/lib/gongjian /var/lib/gongjian/media /var/lib/gongjian/static \
  /var/lib/gongjian/broker /var/lib/gongjian/backups; do
  equal "$dir: gongjian:gongjian 750" "$(mode "$dir")" "750 gongjian:gongjian"
done
equal "secret key: gongjian:gongjian 600" "$(mode /etc/gongjian/secret_key)" "600 gongjian:gongjian"
expect "secret key: at least 50 characters, readable by gongjian" \
  test "$(in_root runuser -u gongjian -- cat /etc/gongjian/secret_key | tr -d '\n' | wc -c)" -ge 50
expect "secret key: not readable by another user" \
  test -z "$(in_root runuser -u nobody -- cat /etc/gongjian/secret_key 2>/dev/null)"
equal "env file: root:root 600" "$(mode /etc/gongjian/gongjian.env)" "600 root:root"

PG_PORT=$(in_root pg_lsclusters --no-header | awk 'NR == 1 { print $3 }')
expect "the root's PostgreSQL cluster is not on 5432 (it is on ${PG_PORT:-none})" \
  test "${PG_PORT:-5432}" != 5432
env_line() { grep "^$1=" "$ROOT/etc/gongjian/gongjian.env"; }
equal "env file: the database through the local socket, on the cluster's port" \
  "$(env_line DATABASE_URL)" "DATABASE_URL=postgres://gongjian@%2Fvar%2Frun%2Fpostgresql:$PG_PORT/gongjian"
equal "env file: Redis on the local Redis's port" \
  "$(env_line CELERY_BROKER_URL) $(env_line REDIS_URL)" \
  "CELERY_BROKER_URL=redis://127.0.0.1:$REDIS_PORT/0 REDIS_URL=redis://127.0.0.1:$REDIS_PORT/1"
equal "env file: the secret's file and the data directory" \
  "$(env_line SECRET_KEY_FILE) $(env_line GONGJIAN_VAR_DIR)" \
  "SECRET_KEY_FILE=/etc/gongjian/secret_key GONGJIAN_VAR_DIR=/var/lib/gongjian"

psql_root() { in_root runuser -u postgres -- psql -h /var/run/postgresql -p "$PG_PORT" -tA "$@"; }
equal "PostgreSQL role gongjian: may log in, not a superuser" \
  "$(psql_root -c "SELECT rolcanlogin, rolsuper FROM pg_roles WHERE rolname = 'gongjian'")" "t|f"
equal "PostgreSQL database gongjian owned by gongjian" \
  "$(psql_root -c "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'gongjian'")" \
  "gongjian"

manage_as_gongjian() {
  in_root sh -c 'cd /opt/gongjian && set -a && . /etc/gongjian/gongjian.env && set +a &&
    exec runuser -u gongjian -- /opt/gongjian/.venv/bin/python manage.py "$@"' sh "$@"
}
PLAN=$(manage_as_gongjian showmigrations --plan 2>&1) || true
APPLIED=$(grep -c '^\[X\]' <<<"$PLAN" || true)
equal "migrations: every one applied (showmigrations --plan: none left, some applied)" \
  "$(grep -c '^\[ \]' <<<"$PLAN" || true) $([ "$APPLIED" -gt 0 ] && echo some)" "0 some"
equal "migrations: $APPLIED applied, recorded in django_migrations, a table of gongjian's" \
  "$(psql_root -d gongjian -c 'SELECT count(*) FROM django_migrations') $(psql_root -d gongjian \
    -c "SELECT tableowner FROM pg_tables WHERE tablename = 'django_migrations'")" "$APPLIED gongjian"
STATIC_COUNT=$(in_root find /var/lib/gongjian/static -type f | wc -l)
expect "static files collected ($STATIC_COUNT files)" test "$STATIC_COUNT" -gt 10
equal "static files: the manifest there, every file owned by gongjian" \
  "$(in_root find /var/lib/gongjian/static -maxdepth 1 -name staticfiles.json) $(in_root find \
    /var/lib/gongjian/static ! -user gongjian | wc -l)" "/var/lib/gongjian/static/staticfiles.json 0"
for unit in gongjian-web gongjian-worker gongjian-beat; do
  equal "unit $unit installed, root 644" "$(mode "/etc/systemd/system/$unit.service")" "644 root:root"
done

stage "the units' commands, as systemd would start them"
unit_key() { sed -n "s/^$2=//p" "$ROOT/etc/systemd/system/$1.service" | head -n 1; }
start_unit() {  # UNIT [VAR=VALUE...]: ExecStart as User in WorkingDirectory with EnvironmentFile
  local unit=$1; shift
  local exec_start
  read -r -a exec_start <<<"$(unit_key "$unit" ExecStart)"
  # shellcheck disable=SC2016  # expanded by the root's shell
  in_root sh -c 'cd "$1" && set -a && . "$2" && set +a && user=$3 && shift 3 &&
    exec runuser -u "$user" -- env "$@"' sh \
    "$(unit_key "$unit" WorkingDirectory)" "$(unit_key "$unit" EnvironmentFile)" \
    "$(unit_key "$unit" User)" "$@" "${exec_start[@]}" >"$LOGS/$unit.log" 2>&1 &
}
start_unit gongjian-web "GUNICORN_BIND=127.0.0.1:$WEB_PORT"
start_unit gongjian-worker
start_unit gongjian-beat
healthz() {
  curl -s -o "$LOGS/healthz.json" -w '%{http_code}' -H "Host: $HOST_NAME" \
    "http://127.0.0.1:$WEB_PORT/healthz" 2>/dev/null || true
}
for _ in $(seq 60); do
  [ "$(healthz)" = 200 ] && break
  sleep 1
done
equal "gunicorn answers /healthz with 200 (database and broker ok)" \
  "$(healthz) $(tr -d ' ' <"$LOGS/healthz.json" 2>/dev/null | grep -o '"status":"ok","checks"')" \
  '200 "status":"ok","checks"'
LISTEN=$(ss -Hltnp "sport = :$WEB_PORT" || true)
WEB_PID=$(grep -o 'pid=[0-9]*' <<<"$LISTEN" | head -n 1 | cut -d= -f2 || true)
equal "gunicorn listens on 127.0.0.1:$WEB_PORT only" "$(awk '{ print $4 }' <<<"$LISTEN" | sort -u)" \
  "127.0.0.1:$WEB_PORT"
GONGJIAN_UID=$(in_root id -u gongjian || echo none)
equal "gunicorn runs as gongjian" \
  "$(awk '/^Uid:/ { print $2 }' "/proc/${WEB_PID:-0}/status" 2>/dev/null)" "$GONGJIAN_UID"
sleep 10
root_process_users() {  # the uids of the root's processes whose command line matches $1
  local pid
  for pid in $(root_pids); do
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "^/opt/gongjian/.venv/bin/python[0-9.]* .*$1" \
      || continue
    awk '/^Uid:/ { print $2 }' "/proc/$pid/status"
  done | sort -u
}
equal "the Celery worker is up after 10 s, as gongjian" "$(root_process_users 'celery -A config worker')" \
  "$GONGJIAN_UID"
equal "Celery beat is up after 10 s, as gongjian" "$(root_process_users 'celery -A config beat')" \
  "$GONGJIAN_UID"
expect "Celery beat keeps its schedule in /var/lib/gongjian" \
  test -n "$(in_root find /var/lib/gongjian -maxdepth 1 -name 'celerybeat-schedule*' -user gongjian)"
ping_worker() {
  in_root sh -c 'cd /opt/gongjian && set -a && . /etc/gongjian/gongjian.env && set +a &&
    exec runuser -u gongjian -- .venv/bin/celery -A config inspect ping --timeout 10' \
    >"$LOGS/ping.log" 2>&1
}
expect "the worker answers a ping through the broker" ping_worker
first_user() {  # the command install.sh prints for the first operator, as printed
  local command
  command=$(grep -E '^ +cd /opt/gongjian && .*createsuperuser$' "$LOGS/install-1.log" | tail -n 1)
  [ -n "$command" ] || return 1
  in_root env DJANGO_SUPERUSER_PASSWORD="$(head -c 18 /dev/urandom | base64)" sh -c \
    "$command --no-input --username operator --email operator@example.gov.cn" >"$LOGS/createsuperuser.log" 2>&1
}
expect "the first operator is made with the command install.sh prints" first_user
equal "the operator is a superuser in the database" \
  "$(psql_root -d gongjian -c "SELECT is_superuser FROM auth_user WHERE username = 'operator'")" t
backup() {  # the README's backup command, as printed there (without sudo: already root)
  in_root sh -c 'set -a; . /etc/gongjian/gongjian.env; set +a; runuser -u gongjian -- /opt/gongjian/scripts/backup.sh /var/lib/gongjian/backups' \
    >"$LOGS/backup.log" 2>&1
}
expect "the README's backup command works on the installed server" backup
equal "backup: a dump and an uploads archive in /var/lib/gongjian/backups, gongjian's" \
  "$(in_root find /var/lib/gongjian/backups -type f -user gongjian -size +0 \
    \( -name 'gongjian-*.dump' -o -name 'gongjian-media-*.tar.gz' \) | wc -l)" 2
LISTENERS=$(ss -Hltnp | while read -r _ _ _ local _ users; do
  pid=$(grep -o 'pid=[0-9]*' <<<"$users" | head -n 1 | cut -d= -f2 || true)
  [ -n "$pid" ] && [ "$(readlink "/proc/$pid/root" 2>/dev/null)" = "$ROOT" ] && echo "$local"
done | sort -u | tr '\n' ' ')
expect "nothing started in the root listens on 5432 or 6379 (it listens on: $LISTENERS)" \
  test -z "$(grep -E ':(5432|6379) ' <<<"$LISTENERS ")"

# --- again: nothing changes -----------------------------------------------------------------
snapshot() {
  in_root sh -c '
    stat -c "%n %a %U:%G %s" /opt/gongjian /etc/gongjian /etc/gongjian/* /var/lib/gongjian \
      /var/lib/gongjian/media /var/lib/gongjian/static /var/lib/gongjian/broker \
      /var/lib/gongjian/backups /etc/systemd/system/gongjian-*.service
    sha256sum /etc/gongjian/* /etc/systemd/system/gongjian-*.service \
      /var/lib/gongjian/static/staticfiles.json
    id gongjian
    find /var/lib/gongjian/static -type f | wc -l
    dpkg-query -W
    /opt/gongjian/.venv/bin/pip freeze --all
  '
  psql_root -c "SELECT oid, rolname, rolsuper, rolcanlogin FROM pg_roles WHERE rolname = 'gongjian'"
  psql_root -c "SELECT oid, datname, pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'gongjian'"
  psql_root -d gongjian -c "SELECT count(*), max(id) FROM django_migrations"
}
snapshot >"$LOGS/before-second-run.txt"
stage "deploy/install.sh, second run"
SECOND_START=$SECONDS
expect "install.sh (second run) exits 0" run_install 2
SECOND_TIME=$((SECONDS - SECOND_START))
snapshot >"$LOGS/after-second-run.txt"
expect "the second run changed nothing: user, modes, secret, env file, units, static, Debian and Python packages, role, database, migrations" \
  diff -u "$LOGS/before-second-run.txt" "$LOGS/after-second-run.txt"
equal "gunicorn still answers /healthz with 200" "$(healthz)" 200

stage "done"
echo "install.sh: first run ${FIRST_TIME}s, second run ${SECOND_TIME}s; all of this $((SECONDS - STARTED))s"
echo "install-chroot: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
