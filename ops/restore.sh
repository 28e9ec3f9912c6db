#!/usr/bin/env bash
# Restore a backup made by ops/backup.sh into DATABASE_URL (an empty database) and the media
# storage: MEDIA_ROOT, or the S3 bucket when AWS_STORAGE_BUCKET_NAME is set (files of the same
# name are replaced; others already there are left alone).
#   DATABASE_URL=postgres://… MEDIA_ROOT=/srv/liveblog/media ops/restore.sh /backups/2025-03-13
# PYTHON: the site's Python (default: .venv/bin/python beside manage.py, else python3).
set -euo pipefail
source=${1:?usage: ops/restore.sh BACKUP_FOLDER}
: "${DATABASE_URL:?set DATABASE_URL to the (empty) PostgreSQL database}"
root=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-$root/.venv/bin/python}
[ -x "$python" ] || python=python3
pg_restore --no-owner --exit-on-error --dbname="$DATABASE_URL" "$source/database.dump"
"$python" "$root/manage.py" restore_media "$source/media.tar.gz"
echo "restored $source"
