#!/usr/bin/env bash
# Install or update Gongjian on Debian 12, as root; safe to run again (each step checks first).
#
#   deploy/install.sh             install from this checkout into /opt/gongjian and start it
#   deploy/install.sh --dry-run   print every step it would take, change nothing (no root needed)
#
# Steps: Debian packages; the `gongjian` system user; /opt/gongjian (code, root-owned),
# /etc/gongjian (root:gongjian 750), /var/lib/gongjian (gongjian 750: uploads, static files,
# beat schedule); the secret key (gongjian 600); the env file from deploy/gongjian.env.example
# (root 600, the database through PostgreSQL's local socket, no password); the PostgreSQL role
# and database; the locked dependencies in a virtualenv; migrate and collectstatic as gongjian;
# the systemd units, enabled and (re)started. Edit /etc/gongjian/gongjian.env (ALLOWED_HOSTS, SITE_URL,
# CSRF_TRUSTED_ORIGINS, e-mail) and run the script again.
#
# The env file says where PostgreSQL and Redis are. A new one points at this machine's own: the
# database through the local socket on the port of the local cluster (`pg_lsclusters`; 5432 on a
# fresh Debian 12), Redis on the port in /etc/redis/redis.conf. Point DATABASE_URL at another
# host and the script leaves the role and database to that server's administrator.
#
# Without systemd as the running init (a container, a chroot) the units are installed (and
# enabled when systemctl is there) but not started, PostgreSQL and Redis are started with their
# Debian init scripts, and the script says so.
#
# The places can be moved for a test: GONGJIAN_APP_DIR, GONGJIAN_ETC_DIR, GONGJIAN_VAR_DIR,
# GONGJIAN_SYSTEMD_DIR, GONGJIAN_USER, GONGJIAN_DB.
set -euo pipefail

DRY_RUN=0
case "${1:-}" in
  --dry-run) DRY_RUN=1 ;;
  "") ;;
  *) echo "usage: deploy/install.sh [--dry-run]" >&2; exit 2 ;;
esac

SOURCE=$(cd "$(dirname "$0")/.." && pwd)
APP_DIR=${GONGJIAN_APP_DIR:-/opt/gongjian}
ETC_DIR=${GONGJIAN_ETC_DIR:-/etc/gongjian}
VAR_DIR=${GONGJIAN_VAR_DIR:-/var/lib/gongjian}
SYSTEMD_DIR=${GONGJIAN_SYSTEMD_DIR:-/etc/systemd/system}
SERVICE_USER=${GONGJIAN_USER:-gongjian}
DB=${GONGJIAN_DB:-gongjian}
ENV_FILE=$ETC_DIR/gongjian.env
UNITS=(gongjian-web gongjian-worker gongjian-beat)
PACKAGES=(python3 python3-venv postgresql postgresql-client redis-server rsync make ca-certificates)

say() { printf '== %s\n' "$*"; }
run() {
  if [ "$DRY_RUN" -eq 1 ]; then printf '+ %s\n' "$*"; else "$@"; fi
}
# A command that only looks (never changes anything) runs in a dry run too, when it can.
check() { "$@" >/dev/null 2>&1; }
as_postgres() { run runuser -u postgres -- "$@"; }

# systemd as the running init, or not (a container, a chroot): then nothing is started through it.
if [ -d /run/systemd/system ]; then SYSTEMD=1; else SYSTEMD=0; fi

# The port of this machine's PostgreSQL cluster (the first one `pg_lsclusters` lists; 5432 before
# there is one) and of its Redis (/etc/redis/redis.conf): what a new env file points at.
local_postgres_port() {
  local port=""
  if command -v pg_lsclusters >/dev/null 2>&1; then
    port=$(pg_lsclusters --no-header 2>/dev/null | awk 'NR == 1 { print $3 }')
  fi
  echo "${port:-5432}"
}
local_redis_port() {
  local port=""
  if [ -r /etc/redis/redis.conf ]; then
    port=$(awk '$1 == "port" { print $2; exit }' /etc/redis/redis.conf)
  fi
  echo "${port:-6379}"
}
# NAME's value in the env file; DEFAULT when the file is not there yet (a dry run).
env_value() {
  if [ -r "$ENV_FILE" ]; then
    # shellcheck disable=SC1090  # the env file is the installation's own
    (set -a && . "$ENV_FILE" && set +a && printf '%s' "${!1:-}")
  else
    printf '%s' "$2"
  fi
}

if [ "$DRY_RUN" -eq 0 ] && [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: run as root (or with --dry-run)" >&2
  exit 1
fi

say "Debian packages: ${PACKAGES[*]}"
missing=()
for package in "${PACKAGES[@]}"; do
  # shellcheck disable=SC2016  # ${Status} is dpkg-query's field, not the shell's
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  run apt-get update -qq
  # An existing configuration (PostgreSQL's, Redis's) is kept, never replaced by the package's.
  # dpkg's progress goes to /var/log/apt/term.log (and its errors here).
  run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" \
    >/dev/null
fi

say "system user $SERVICE_USER"
if ! check id -u "$SERVICE_USER"; then
  run useradd --system --home-dir "$VAR_DIR" --no-create-home --shell /usr/sbin/nologin \
    --user-group "$SERVICE_USER"
fi

say "directories"
run install -d -o root -g root -m 755 "$APP_DIR"
run install -d -o root -g "$SERVICE_USER" -m 750 "$ETC_DIR"
for dir in "$VAR_DIR" "$VAR_DIR/media" "$VAR_DIR/static" "$VAR_DIR/broker" "$VAR_DIR/backups"; do
  run install -d -o "$SERVICE_USER" -g "$SERVICE_USER" -m 750 "$dir"
done

say "code in $APP_DIR"
if [ "$SOURCE" != "$APP_DIR" ]; then
  run rsync -a --delete --chown=root:root --exclude .git --exclude .venv --exclude var \
    --exclude '*.egg-info' --exclude __pycache__ "$SOURCE/" "$APP_DIR/"
  # The commit being installed, for the settings' release (its own cache key prefix): the copy
  # has no .git. --git-dir: no ownership check when root installs someone else's checkout.
  if commit=$(git --git-dir="$SOURCE/.git" rev-parse --verify -q HEAD 2>/dev/null); then
    say "release $commit recorded in $APP_DIR/RELEASE"
    run sh -c "printf '%s\n' '$commit' > '$APP_DIR/RELEASE'"
  elif [ -s "$SOURCE/RELEASE" ]; then
    say "release $(cat "$SOURCE/RELEASE") (the unpacked release's RELEASE file)"
  else
    say "no git checkout and no RELEASE file: set GONGJIAN_RELEASE in $ENV_FILE for a cache key prefix per release"
  fi
fi

say "secret key"
if ! check test -s "$ETC_DIR/secret_key"; then
  run sh -c "umask 077 && python3 -c 'import secrets; print(secrets.token_urlsafe(50))' > '$ETC_DIR/secret_key'"
fi
run chown "$SERVICE_USER:$SERVICE_USER" "$ETC_DIR/secret_key"
run chmod 600 "$ETC_DIR/secret_key"

say "environment file $ENV_FILE"
# The database through the local socket with peer authentication: no password to keep.
NEW_DATABASE_URL="postgres://$SERVICE_USER@%2Fvar%2Frun%2Fpostgresql:$(local_postgres_port)/$DB"
NEW_REDIS="redis://127.0.0.1:$(local_redis_port)"
if ! check test -s "$ENV_FILE"; then
  run sh -c "umask 077 && sed \
    -e 's|^DATABASE_URL=.*|DATABASE_URL=$NEW_DATABASE_URL|' \
    -e 's|^CELERY_BROKER_URL=.*|CELERY_BROKER_URL=$NEW_REDIS/0|' \
    -e 's|^REDIS_URL=.*|REDIS_URL=$NEW_REDIS/1|' \
    -e 's|^SECRET_KEY_FILE=.*|SECRET_KEY_FILE=$ETC_DIR/secret_key|' \
    -e 's|^GONGJIAN_VAR_DIR=.*|GONGJIAN_VAR_DIR=$VAR_DIR|' \
    '$APP_DIR/deploy/gongjian.env.example' > '$ENV_FILE'"
  echo "   edit $ENV_FILE (ALLOWED_HOSTS, SITE_URL, CSRF_TRUSTED_ORIGINS, e-mail), then run this again"
fi
run chown root:root "$ENV_FILE"
run chmod 600 "$ENV_FILE"

say "PostgreSQL and Redis"
if [ "$SYSTEMD" -eq 1 ]; then
  run systemctl enable --now postgresql redis-server
else
  say "systemd is not the running init here (a container or chroot): starting PostgreSQL and Redis with their init scripts"
  run service postgresql start
  run service redis-server start
fi

# The role and database named by the env file's DATABASE_URL (host, port, user, name).
read -r DB_HOST DB_PORT DB_USER DB_NAME < <(env_value DATABASE_URL "$NEW_DATABASE_URL" | python3 -c '
import sys
from urllib.parse import unquote, urlsplit
url = urlsplit(sys.stdin.read().strip())
if url.scheme not in ("postgres", "postgresql", "pgsql"):
    print("- - - -")
else:
    print(unquote(url.hostname or "") or "/var/run/postgresql", url.port or 5432,
          unquote(url.username or ""), unquote(url.path.lstrip("/")))
')
say "PostgreSQL role $DB_USER and database $DB_NAME (port $DB_PORT)"
case "$DB_HOST" in
  /* | localhost | 127.0.0.1 | ::1) local_db=1 ;;
  *) local_db=0 ;;
esac
if [ "$local_db" -eq 0 ]; then
  echo "   DATABASE_URL is not this machine's PostgreSQL: the role $DB_USER and database $DB_NAME on $DB_HOST are its administrator's to create"
else
  # As the postgres superuser through the local socket (peer authentication).
  pg=(-h /var/run/postgresql -p "$DB_PORT")
  if [ "$DRY_RUN" -eq 0 ]; then
    runuser -u postgres -- pg_isready -q -t 60 "${pg[@]}" || {
      echo "install.sh: no PostgreSQL answers on port $DB_PORT here (DATABASE_URL in $ENV_FILE; pg_lsclusters lists the local ones)" >&2
      exit 1
    }
  fi
  psql_says_yes() {
    [ "$DRY_RUN" -eq 0 ] || return 1
    [ "$(runuser -u postgres -- psql "${pg[@]}" -tAc "$1")" = "1" ]
  }
  psql_says_yes "SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'" \
    || as_postgres createuser "${pg[@]}" "$DB_USER"
  psql_says_yes "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" \
    || as_postgres createdb "${pg[@]}" --owner "$DB_USER" "$DB_NAME"
fi

say "virtualenv and the locked dependencies"
# pip trusts the system's certificates (update-ca-certificates), as Debian's own pip does, not
# only the copy it carries: an office proxy's CA installed on the server is trusted too.
if [ -z "${PIP_CERT:-}" ] && [ -s /etc/ssl/certs/ca-certificates.crt ]; then
  export PIP_CERT=/etc/ssl/certs/ca-certificates.crt
fi
if ! check "$APP_DIR/.venv/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  run rm -rf "$APP_DIR/.venv"
  run python3 -m venv "$APP_DIR/.venv"
fi
run "$APP_DIR/.venv/bin/pip" install --quiet --upgrade pip
run "$APP_DIR/.venv/bin/pip" install --quiet --require-hashes -r "$APP_DIR/requirements.lock"
run "$APP_DIR/.venv/bin/pip" install --quiet --no-deps -e "$APP_DIR"

say "migrate and collectstatic, as $SERVICE_USER with $ENV_FILE"
manage() {
  if [ "$DRY_RUN" -eq 1 ]; then
    printf '+ (env from %s) runuser -u %s -- %s/.venv/bin/python manage.py %s\n' \
      "$ENV_FILE" "$SERVICE_USER" "$APP_DIR" "$*"
    return
  fi
  # shellcheck disable=SC1090  # the env file is the installation's own
  (cd "$APP_DIR" && set -a && . "$ENV_FILE" && set +a \
    && runuser -u "$SERVICE_USER" -- "$APP_DIR/.venv/bin/python" manage.py "$@")
}
manage migrate --no-input
manage collectstatic --no-input --verbosity 0
manage check --deploy

say "systemd units"
run mkdir -p "$SYSTEMD_DIR"
for unit in "${UNITS[@]}"; do
  run install -o root -g root -m 644 "$APP_DIR/deploy/systemd/$unit.service" "$SYSTEMD_DIR/"
done
if [ "$SYSTEMD" -eq 1 ]; then
  run systemctl daemon-reload
  run systemctl enable "${UNITS[@]}"
  run systemctl restart "${UNITS[@]}"
  say "done: $(printf '%s ' "${UNITS[@]}")running; create the first user with"
else
  if command -v systemctl >/dev/null 2>&1; then
    run systemctl enable "${UNITS[@]}"
  fi
  say "systemd is not the running init here: $(printf '%s ' "${UNITS[@]}")installed in $SYSTEMD_DIR but NOT started"
  echo "   start each one's ExecStart as $SERVICE_USER in $APP_DIR with the variables of $ENV_FILE, or boot with systemd"
  say "done; create the first user with"
fi
echo "   cd $APP_DIR && set -a && . $ENV_FILE && set +a && runuser -u $SERVICE_USER -- .venv/bin/python manage.py createsuperuser"
