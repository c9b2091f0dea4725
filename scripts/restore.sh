#!/usr/bin/env bash
# Restore a dump made by backup.sh into the (empty or to-be-replaced) database of DATABASE_URL:
#   scripts/restore.sh DUMP [MEDIA_TAR]
# Objects in the dump replace those of the same name (--clean --if-exists); stop the web, worker
# and beat first.
set -euo pipefail
cd "$(dirname "$0")/.."
dump=${1:?usage: scripts/restore.sh DUMP [MEDIA_TAR]}
: "${DATABASE_URL:?DATABASE_URL must point at the PostgreSQL database to restore into}"
pg_restore --clean --if-exists --no-owner --no-privileges --exit-on-error --single-transaction \
  --dbname="$DATABASE_URL" "$dump"
if [ -n "${2:-}" ]; then
  media=${MEDIA_ROOT:-var/media}
  mkdir -p "$media"
  tar -xzf "$2" -C "$media"
fi
echo "restored $dump"
