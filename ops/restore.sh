#!/usr/bin/env bash
# Restore a backup made by ops/backup.sh into DATABASE_URL (an empty database) and MEDIA_ROOT.
#   DATABASE_URL=postgres://… MEDIA_ROOT=/srv/liveblog/media ops/restore.sh /backups/2025-03-13
set -euo pipefail
source=${1:?usage: ops/restore.sh BACKUP_FOLDER}
: "${DATABASE_URL:?set DATABASE_URL to the (empty) PostgreSQL database}"
media=${MEDIA_ROOT:-media}
pg_restore --no-owner --exit-on-error --dbname="$DATABASE_URL" "$source/database.dump"
mkdir -p "$media"
tar -C "$media" -xzf "$source/media.tar.gz"
echo "restored $source"
