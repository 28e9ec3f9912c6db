"""Back up a seeded PostgreSQL database and its media, restore into a fresh database, compare.

    DATABASE_URL=postgres://liveblog:liveblog@127.0.0.1/liveblog \
        python -m tests.benchmarks.backup_restore

Needs a role that may create databases (the CI role does). Prints PASS or FAIL.
"""

import json
import os
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from tests.benchmarks import servers

TABLES = ("coverage_story", "coverage_update", "coverage_author", "coverage_image", "coverage_byline")


def counts(database_url, media_root):
    """Rows per table and the media files, as the restore must reproduce them."""
    rows = {}
    for table in TABLES:
        output = subprocess.run(
            ["psql", "-tA", "-d", database_url, "-c", f"SELECT count(*) FROM {table}"],
            capture_output=True,
            text=True,
            check=True,
        )
        rows[table] = int(output.stdout.strip())
    files = sorted(
        str(path.relative_to(media_root)) for path in Path(media_root).rglob("*") if path.is_file()
    )
    return rows, files


def with_database(url, name):
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def psql(url, sql):
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql], check=True)


def main():
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        raise SystemExit("set DATABASE_URL to a PostgreSQL database whose role may create databases")
    work = Path(tempfile.mkdtemp(prefix="liveblog-backup-"))
    source_url, restored_url = (
        with_database(base, "liveblog_backup_source"),
        with_database(base, "liveblog_backup_restored"),
    )
    for name in ("liveblog_backup_source", "liveblog_backup_restored"):
        psql(base, f"DROP DATABASE IF EXISTS {name}")
        psql(base, f"CREATE DATABASE {name}")
    source = servers.project_env(work, DATABASE_URL=source_url, MEDIA_ROOT=work / "media-source")
    servers.manage(source, "migrate", "--noinput")
    servers.manage(source, "seed")
    before = counts(source_url, work / "media-source")
    subprocess.run(["bash", "ops/backup.sh", str(work / "backup")], env=source, cwd=servers.ROOT, check=True)
    restored = servers.project_env(work, DATABASE_URL=restored_url, MEDIA_ROOT=work / "media-restored")
    subprocess.run(
        ["bash", "ops/restore.sh", str(work / "backup")], env=restored, cwd=servers.ROOT, check=True
    )
    after = counts(restored_url, work / "media-restored")
    for label, (rows, files) in (("before", before), ("after", after)):
        print(json.dumps({"copy": label, **rows, "media_files": len(files)}))
    ok = before == after and before[0]["coverage_update"] > 0 and before[1]
    print("PASS: the restored site has the same rows and files" if ok else "FAIL: the restore differs")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
