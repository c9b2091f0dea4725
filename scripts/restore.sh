#!/usr/bin/env bash
# Restore a backup made by backup.sh: scripts/restore.sh DUMP MEDIA_TAR
#                                 or: scripts/restore.sh DUMP --no-media   (the database only)
#
# Into the database and uploads folder of the app's own settings (manage.py storage_settings), as
# backup.sh reads them; GONGJIAN_ENV_FILE=/etc/gongjian/gongjian.env loads the app's environment.
# Paths may be relative to where the script is started. Stop the web, worker and beat first.
#
# A database that does not exist yet is created first (manage.py create_database; the role needs
# CREATEDB, else the script says what to run). Objects in the dump replace those of the same name
# (--clean --if-exists), all in one transaction. Then the site's own cache entries are dropped
# (manage.py forget_cache: cached pages and sessions under its KEY_PREFIX, nothing else), so no
# page or session from before the restore is served. The uploads are unpacked into an empty
# folder: an existing one is moved aside to MEDIA_ROOT.before-restore-STAMP (delete it once the
# restore is checked), so no file uploaded after the backup stays behind.
set -euo pipefail

fail() { echo "restore.sh: $*" >&2; exit 1; }
absolute() { case "$1" in /*) printf '%s\n' "$1" ;; *) printf '%s/%s\n' "$PWD" "$1" ;; esac; }

[ $# -eq 2 ] || fail "usage: scripts/restore.sh DUMP MEDIA_TAR   (or DUMP --no-media)"
dump=$(absolute "$1")
[ -f "$dump" ] || fail "no dump at $dump"
media_tar=""
if [ "$2" != "--no-media" ]; then
  media_tar=$(absolute "$2")
  [ -f "$media_tar" ] || fail "no uploads archive at $media_tar"
fi
repo=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${GONGJIAN_ENV_FILE:-}" ]; then
  [ -r "$GONGJIAN_ENV_FILE" ] || fail "cannot read GONGJIAN_ENV_FILE=$GONGJIAN_ENV_FILE"
  set -a; # shellcheck disable=SC1090
  . "$GONGJIAN_ENV_FILE"; set +a
fi
cd "$repo"
python=${PYTHON:-$repo/.venv/bin/python}
[ -x "$python" ] || python=python3
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-config.settings}
where=$("$python" manage.py storage_settings) || fail "cannot read the app's settings (above)"
eval "$where"
export PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE

if [ -n "$media_tar" ]; then
  tar -tzf "$media_tar" >/dev/null || fail "the uploads archive $media_tar cannot be read"
fi
"$python" manage.py create_database \
  || fail "the database $PGDATABASE is missing and cannot be created as ${PGUSER:-this user}: as the PostgreSQL superuser run  createdb --owner ${PGUSER:-OWNER} $PGDATABASE  (Debian: runuser -u postgres -- createdb …), then run this again"
pg_restore --clean --if-exists --no-owner --no-privileges --exit-on-error --single-transaction \
  --dbname="$PGDATABASE" "$dump" || fail "pg_restore of $dump failed"
"$python" manage.py forget_cache \
  || fail "the database is restored, but the cached pages and sessions could not be dropped: run  manage.py forget_cache  once Redis answers, before starting the site"
if [ -n "$media_tar" ]; then
  if [ -d "$MEDIA_ROOT" ] && [ -n "$(ls -A "$MEDIA_ROOT")" ]; then
    aside="$MEDIA_ROOT.before-restore-$(date -u +%Y%m%dT%H%M%SZ)"
    mv "$MEDIA_ROOT" "$aside" || fail "cannot move the current uploads aside to $aside"
    echo "the uploads that were in $MEDIA_ROOT are now in $aside (delete it once the restore is checked)"
  fi
  mkdir -p "$MEDIA_ROOT"
  chmod 750 "$MEDIA_ROOT"
  tar -xzf "$media_tar" -C "$MEDIA_ROOT" || fail "unpacking the uploads into $MEDIA_ROOT failed"
  echo "restored $dump and the uploads into $MEDIA_ROOT"
else
  echo "restored $dump (database only; the uploads folder $MEDIA_ROOT is left as it is)"
fi
