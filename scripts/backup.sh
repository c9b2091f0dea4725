#!/usr/bin/env bash
# Back up the PostgreSQL database and the uploads: scripts/backup.sh [DIR]
#
# Where the data is comes from the app's own settings (manage.py storage_settings): DATABASE_URL,
# and the uploads under MEDIA_ROOT or GONGJIAN_VAR_DIR/media, so run it with the app's
# environment (GONGJIAN_ENV_FILE=/etc/gongjian/gongjian.env loads that file first).
# Writes DIR/gongjian-STAMP.dump (pg_dump custom format) and DIR/gongjian-media-STAMP.tar.gz and
# prints both; DIR (default var/backups) may be relative to where the script is started. The
# files are readable by their owner only (umask 077). With no uploads folder yet (nothing ever
# uploaded) only the database is backed up, and the script says so on stderr.
# Exits non-zero, and leaves no half-written file under its final name, when a part fails.
set -euo pipefail
umask 077

fail() { echo "backup.sh: $*" >&2; exit 1; }
absolute() { case "$1" in /*) printf '%s\n' "$1" ;; *) printf '%s/%s\n' "$PWD" "$1" ;; esac; }

dir=$(absolute "${1:-var/backups}")
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
uploads=$MEDIA_ROOT
if [ ! -d "$uploads" ]; then
  echo "backup.sh: no uploads folder at $uploads (nothing uploaded yet; if there are uploads, this is not the app's environment): backing up the database only" >&2
  uploads=""
fi

stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$dir"
dump="$dir/gongjian-$stamp.dump"
media="$dir/gongjian-media-$stamp.tar.gz"
trap 'rm -f "$dump.partial" "$media.partial"' EXIT

pg_dump --format=custom --no-owner --no-privileges --file="$dump.partial" \
  || fail "pg_dump of $PGDATABASE failed"
pg_restore --list "$dump.partial" >/dev/null || fail "the dump cannot be read back"
if [ -n "$uploads" ]; then
  tar -czf "$media.partial" -C "$uploads" . || fail "archiving $uploads failed"
  tar -tzf "$media.partial" >/dev/null || fail "the uploads archive cannot be read back"
fi

mv "$dump.partial" "$dump"
echo "$dump"
if [ -n "$uploads" ]; then
  mv "$media.partial" "$media"
  echo "$media"
fi
