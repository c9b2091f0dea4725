#!/usr/bin/env bash
# Back up the PostgreSQL database and the uploads: scripts/backup.sh [DIR]
# Reads DATABASE_URL (postgres://…) and MEDIA_ROOT (default var/media). Writes DIR/gongjian-STAMP.dump
# (pg_dump custom format) and DIR/gongjian-media-STAMP.tar.gz.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-var/backups}
: "${DATABASE_URL:?DATABASE_URL must point at the PostgreSQL database to back up}"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$dir"
pg_dump --format=custom --no-owner --no-privileges --dbname="$DATABASE_URL" --file="$dir/gongjian-$stamp.dump"
media=${MEDIA_ROOT:-var/media}
if [ -d "$media" ]; then
  tar -czf "$dir/gongjian-media-$stamp.tar.gz" -C "$media" .
fi
echo "$dir/gongjian-$stamp.dump"
