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
# the systemd units, enabled and (re)started. Edit /etc/gongjian/gongjian.env (ALLOWED_HOSTS,
# CSRF_TRUSTED_ORIGINS, e-mail) and run the script again.
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
PACKAGES=(python3 python3-venv postgresql postgresql-client redis-server rsync make)

say() { printf '== %s\n' "$*"; }
run() {
  if [ "$DRY_RUN" -eq 1 ]; then printf '+ %s\n' "$*"; else "$@"; fi
}
# A command that only looks (never changes anything) runs in a dry run too, when it can.
check() { "$@" >/dev/null 2>&1; }
as_user() { run runuser -u "$SERVICE_USER" -- "$@"; }
as_postgres() { run runuser -u postgres -- "$@"; }
psql_says_yes() {
  [ "$DRY_RUN" -eq 0 ] || return 1
  [ "$(runuser -u postgres -- psql -tAc "$1")" = "1" ]
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
  run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
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
fi

say "secret key"
if ! check test -s "$ETC_DIR/secret_key"; then
  run sh -c "umask 077 && python3 -c 'import secrets; print(secrets.token_urlsafe(50))' > '$ETC_DIR/secret_key'"
fi
run chown "$SERVICE_USER:$SERVICE_USER" "$ETC_DIR/secret_key"
run chmod 600 "$ETC_DIR/secret_key"

say "environment file $ENV_FILE"
if ! check test -s "$ENV_FILE"; then
  # The database through the local socket with peer authentication: no password to keep.
  run sh -c "umask 077 && sed \
    -e 's|^DATABASE_URL=.*|DATABASE_URL=postgres://$SERVICE_USER@%2Fvar%2Frun%2Fpostgresql/$DB|' \
    -e 's|^SECRET_KEY_FILE=.*|SECRET_KEY_FILE=$ETC_DIR/secret_key|' \
    -e 's|^GONGJIAN_VAR_DIR=.*|GONGJIAN_VAR_DIR=$VAR_DIR|' \
    '$APP_DIR/deploy/gongjian.env.example' > '$ENV_FILE'"
  echo "   edit $ENV_FILE (ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS, e-mail), then run this again"
fi
run chown root:root "$ENV_FILE"
run chmod 600 "$ENV_FILE"

say "PostgreSQL role and database $DB"
run systemctl enable --now postgresql redis-server
psql_says_yes "SELECT 1 FROM pg_roles WHERE rolname = '$SERVICE_USER'" \
  || as_postgres createuser "$SERVICE_USER"
psql_says_yes "SELECT 1 FROM pg_database WHERE datname = '$DB'" \
  || as_postgres createdb --owner "$SERVICE_USER" "$DB"

say "virtualenv and the locked dependencies"
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
for unit in "${UNITS[@]}"; do
  run install -o root -g root -m 644 "$APP_DIR/deploy/systemd/$unit.service" "$SYSTEMD_DIR/"
done
run systemctl daemon-reload
run systemctl enable "${UNITS[@]}"
run systemctl restart "${UNITS[@]}"
say "done: $(printf '%s ' "${UNITS[@]}")running; create the first user with"
echo "   cd $APP_DIR && set -a && . $ENV_FILE && set +a && runuser -u $SERVICE_USER -- .venv/bin/python manage.py createsuperuser"
