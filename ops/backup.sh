#!/usr/bin/env bash
# Back up liveblog: the PostgreSQL database (pg_dump, custom format) and the media folder.
#   DATABASE_URL=postgres://… MEDIA_ROOT=/srv/liveblog/media ops/backup.sh /backups/2025-03-13
set -euo pipefail
target=${1:?usage: ops/backup.sh TARGET_FOLDER}
: "${DATABASE_URL:?set DATABASE_URL to the PostgreSQL database}"
media=${MEDIA_ROOT:-media}
mkdir -p "$target"
pg_dump --format=custom --no-owner --dbname="$DATABASE_URL" --file="$target/database.dump"
if [ -d "$media" ]; then
  tar -C "$media" -czf "$target/media.tar.gz" .
else
  tar -czf "$target/media.tar.gz" --files-from /dev/null
fi
echo "backed up to $target: $(du -sh "$target" | cut -f1)"
