#!/usr/bin/env bash
# Back up liveblog: the PostgreSQL database (pg_dump, custom format) and every media file,
# from the media folder (MEDIA_ROOT) or from the S3 bucket when AWS_STORAGE_BUCKET_NAME is
# set (`manage.py backup_media`, through the site's own storage settings).
#   DATABASE_URL=postgres://… MEDIA_ROOT=/srv/liveblog/media ops/backup.sh /backups/2025-03-13
#   DATABASE_URL=postgres://… AWS_STORAGE_BUCKET_NAME=… ops/backup.sh /backups/2025-03-13
# Runs the site's settings: the environment the site runs with (SECRET_KEY included).
# PYTHON: the site's Python (default: .venv/bin/python beside manage.py, else python3).
set -euo pipefail
target=${1:?usage: ops/backup.sh TARGET_FOLDER}
: "${DATABASE_URL:?set DATABASE_URL to the PostgreSQL database}"
root=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-$root/.venv/bin/python}
[ -x "$python" ] || python=python3
mkdir -p "$target"
pg_dump --format=custom --no-owner --dbname="$DATABASE_URL" --file="$target/database.dump"
"$python" "$root/manage.py" backup_media "$target/media.tar.gz"
echo "backed up to $target: $(du -sh "$target" | cut -f1)"
