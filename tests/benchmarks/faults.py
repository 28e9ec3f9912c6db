"""Faults: a worker killed under load, the database stopped during a seed, a full disk during an upload.

- **Worker killed**: gunicorn with two workers serves the story page and
  changes.json to a few client threads for 20 s; one worker gets ``kill -9``
  half-way. The master must start a new one and requests must succeed again
  (connections cut by the kill are allowed and reported).
- **Database stopped**: ``manage.py seed`` of a big document runs against
  PostgreSQL; the cluster is stopped (``-m fast``) while the seed's transaction
  is open, then started again. The seed must fail with an error message and a
  non-zero exit, the database must hold exactly what it held before (each run
  loads in one transaction), and a re-run must finish the job. The test makes
  a throwaway cluster for this (``pg_createcluster``, on a free port, dropped
  afterwards): stopping the shared one would break every other client of it.
- **Full disk**: a 2 MB tmpfs is the media folder; pictures are uploaded through
  ``ImageForm`` and ``services.save_image`` (the admin's path) whose renditions,
  or whose picture itself, do not fit. The save must fail with a clear error,
  leave no ``Image`` row and no file, and a small picture must still fit after.

The database and disk checks need root (to manage a cluster, to mount); without
it they are reported as skipped.

    python -m tests.benchmarks.faults [--quick]
"""

import argparse
import http.client
import json
import os
import shutil
import signal
import subprocess
import tempfile
import textwrap
import threading
import time
import traceback
from pathlib import Path

from tests.benchmarks import servers
from tests.benchmarks.seed_speed import SLUG as GENERATED_SLUG
from tests.benchmarks.seed_speed import generate

STORY = "live-updates-us-negotiators-head-to-moscow-to-discuss-ukraine"
CLUSTER = "liveblog_faults"
DATABASE = "liveblog_faults"


# --- a worker killed under load -----------------------------------------------------


def worker_pids(master):
    """The pids of ``master``'s child processes (gunicorn's workers)."""
    return sorted(servers.processes(parent=master))


def _client(port, paths, deadline, log, lock):
    """Requests one after another, each on a new connection, until ``deadline``."""
    number = 0
    while time.monotonic() < deadline:
        path = paths[number % len(paths)]
        number += 1
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            outcome = "ok" if response.status == 200 else f"HTTP {response.status}"
        except (OSError, http.client.HTTPException) as error:
            outcome = type(error).__name__
        finally:
            connection.close()
        with lock:
            log.append((started, time.monotonic(), outcome))


def worker_killed(*, seconds=20, clients=4):
    with tempfile.TemporaryDirectory(prefix="liveblog-faults-worker-", ignore_cleanup_errors=True) as folder:
        workdir = Path(folder)
        env = servers.project_env(workdir, DATABASE_URL=f"sqlite:///{workdir / 'db.sqlite3'}")
        servers.prepare(env)
        paths = [f"/live/{STORY}/", f"/live/{STORY}/changes.json?since=0"]
        log, lock = [], threading.Lock()
        with servers.gunicorn(env, workdir, workers=2) as (port, master):
            deadline = time.monotonic() + 10
            while len(worker_pids(master.pid)) < 2 and time.monotonic() < deadline:
                time.sleep(0.1)
            workers_before = worker_pids(master.pid)
            start = time.monotonic()
            deadline = start + seconds
            threads = [
                threading.Thread(target=_client, args=(port, paths, deadline, log, lock), daemon=True)
                for _ in range(clients)
            ]
            for thread in threads:
                thread.start()
            time.sleep(seconds / 2)
            victim = workers_before[0]
            killed_at = time.monotonic()
            os.kill(victim, signal.SIGKILL)
            replaced_at = None
            while time.monotonic() < deadline:
                now = worker_pids(master.pid)
                if len(now) == 2 and victim not in now:
                    replaced_at = time.monotonic()
                    break
                time.sleep(0.05)
            for thread in threads:
                thread.join(seconds + 15)
            after = worker_pids(master.pid)
        # A request is cut by the kill if it was under way when it happened or began before
        # the new worker could answer (a second after it appeared).
        settled = replaced_at + 1 if replaced_at else deadline
        before = [outcome for _, ended, outcome in log if ended < killed_at]
        around = [outcome for started, ended, outcome in log if ended >= killed_at and started < settled]
        late = [outcome for started, _, outcome in log if started >= settled]

        def errors(outcomes):
            failed = [outcome for outcome in outcomes if outcome != "ok"]
            return {kind: failed.count(kind) for kind in sorted(set(failed))}

        result = {
            "seconds": seconds,
            "clients": clients,
            "requests": len(log),
            "requests_per_second": round(len(log) / seconds, 1),
            "killed_worker": victim,
            "workers_before": workers_before,
            "workers_after": after,
            "replaced_after_seconds": round(replaced_at - killed_at, 2) if replaced_at else None,
            "requests_before_kill": len(before),
            "errors_before_kill": errors(before),
            "requests_around_kill": len(around),
            "errors_around_kill": errors(around),
            "requests_after_new_worker": len(late),
            "errors_after_new_worker": errors(late),
        }
        result["passed"] = bool(
            replaced_at
            and not result["errors_before_kill"]
            and late
            and not result["errors_after_new_worker"]
        )
        replaced = f"replaced in {result['replaced_after_seconds']} s" if replaced_at else "NOT replaced"
        cut = result["errors_around_kill"]
        result["check"] = (
            f"kill -9 one of 2 gunicorn workers under load: {result['requests']:,} requests in {seconds} s, "
            f"worker {replaced}; {sum(cut.values())} requests cut by the kill "
            f"({', '.join(f'{kind}: {count}' for kind, count in cut.items()) or 'none'}); "
            f"errors before it: {sum(result['errors_before_kill'].values())}, after the new worker: "
            f"{sum(result['errors_after_new_worker'].values())} of {len(late):,} requests"
        )
        return result


# --- the database stopped during a seed -------------------------------------------------


def _root_command(*command, **options):
    return subprocess.run(command, capture_output=True, text=True, **options)


def _as_postgres(*command, check=True):
    return _root_command("runuser", "-u", "postgres", "--", *command, check=check)


class Cluster:
    """A throwaway PostgreSQL cluster on a free port (Debian's postgresql-common tools)."""

    def __init__(self):
        versions = sorted(Path("/usr/lib/postgresql").iterdir(), key=lambda path: float(path.name))
        self.version = versions[-1].name
        self.port = servers.free_port()

    def sql(self, query, database=DATABASE):
        done = _as_postgres("psql", "-p", str(self.port), "-d", database, "-tA", "-c", query)
        return done.stdout.strip()

    def create(self):
        self.drop()  # what an interrupted run left
        _root_command(
            "pg_createcluster", self.version, CLUSTER, "--port", str(self.port), "--start", check=True
        )
        self.sql("CREATE ROLE liveblog LOGIN PASSWORD 'liveblog'", database="postgres")
        self.sql(f"CREATE DATABASE {DATABASE} OWNER liveblog", database="postgres")
        return f"postgres://liveblog:liveblog@127.0.0.1:{self.port}/{DATABASE}"

    def stop(self):
        _root_command("pg_ctlcluster", self.version, CLUSTER, "stop", "-m", "fast", check=True)

    def start(self):
        _root_command("pg_ctlcluster", self.version, CLUSTER, "start", check=True)
        for _ in range(100):
            if _root_command("pg_isready", "-q", "-h", "127.0.0.1", "-p", str(self.port)).returncode == 0:
                return
            time.sleep(0.1)

    def drop(self):
        _root_command("pg_dropcluster", "--stop", self.version, CLUSTER)


def _skip_reason():
    if os.geteuid() != 0:
        return "needs root to create and stop a PostgreSQL cluster"
    missing = [name for name in ("pg_createcluster", "pg_ctlcluster", "runuser") if not shutil.which(name)]
    if missing or not Path("/usr/lib/postgresql").is_dir():
        return f"no PostgreSQL server on this machine ({', '.join(missing) or '/usr/lib/postgresql'} missing)"
    return None


SNAPSHOT = f"""
SELECT json_build_object(
  'stories', (SELECT count(*) FROM coverage_story WHERE slug = '{GENERATED_SLUG}'),
  'updates', (SELECT count(*) FROM coverage_update u JOIN coverage_story s ON s.id = u.story_id
              WHERE s.slug = '{GENERATED_SLUG}'),
  'bylines', (SELECT count(*) FROM coverage_byline),
  'images', (SELECT count(*) FROM coverage_image),
  'authors', (SELECT count(*) FROM coverage_author),
  'digest', (SELECT md5(coalesce(string_agg(
                 u.source_position || ':' || u.status || ':' || u.body, '|' ORDER BY u.source_position), ''))
             FROM coverage_update u)
)
"""

IN_TRANSACTION = f"""
SELECT extract(epoch FROM now() - xact_start)::float || ' ' || left(query, 60)
FROM pg_stat_activity
WHERE datname = '{DATABASE}' AND xact_start IS NOT NULL AND pid <> pg_backend_pid()
ORDER BY xact_start LIMIT 1
"""


def _wait_for_open_transaction(cluster, seed, *, timeout=60, old_enough=10):
    """Wait until the seed's open transaction has written rows (or is ``old_enough`` s old)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and seed.poll() is None:
        found = cluster.sql(IN_TRANSACTION)
        if found:
            age, _, query = found.partition(" ")
            if query.startswith('INSERT INTO "coverage_') or float(age) >= old_enough:
                return float(age), query
        time.sleep(0.02)
    return None, None


def _files(folder):
    return sum(1 for path in folder.rglob("*") if path.is_file())


def database_stopped(*, updates=10_000, earlier=4_000):
    """Seed ``earlier`` updates; then, during the seed of all ``updates``, stop PostgreSQL."""
    reason = _skip_reason()
    if reason:
        return {
            "skipped": reason,
            "passed": True,
            "check": f"database stopped during a seed: skipped ({reason})",
        }
    with tempfile.TemporaryDirectory(prefix="liveblog-faults-db-", ignore_cleanup_errors=True) as folder:
        workdir = Path(folder)
        big, small = workdir / "big.txt", workdir / "earlier.txt"
        big.write_text(generate(updates, seed=11), encoding="utf-8")
        small.write_text(generate(updates, seed=11, leave_out_newest=updates - earlier), encoding="utf-8")
        cluster = Cluster()
        result = {"cluster": f"{cluster.version}/{CLUSTER} on port {cluster.port}", "updates": updates}
        try:
            env = servers.project_env(workdir, DATABASE_URL=cluster.create())
            servers.manage(env, "migrate", "--noinput")
            servers.manage(env, "seed", str(small))
            previous = {**json.loads(cluster.sql(SNAPSHOT)), "media_files": _files(workdir / "media")}
            result["before"] = previous

            command = [servers.PYTHON, str(servers.ROOT / "manage.py"), "seed", str(big)]
            with open(workdir / "seed.err", "w+") as err:
                started = time.monotonic()
                seed = subprocess.Popen(
                    command, env=env, cwd=servers.ROOT, stdout=subprocess.DEVNULL, stderr=err, text=True
                )
                age, query = _wait_for_open_transaction(cluster, seed)
                stopped_at = time.monotonic()
                cluster.stop()
                exit_code = seed.wait(timeout=120)
                result["seed_ran_seconds"] = round(stopped_at - started, 2)
                cluster.start()
                down = time.monotonic() - stopped_at
                err.seek(0)
                message = err.read().strip()
            result.update(
                stopped_in_transaction=age is not None,
                transaction_age_seconds=round(age, 2) if age is not None else None,
                last_statement=query,
                database_down_seconds=round(down, 2),
                seed_exit_code=exit_code,
                seed_error=message.splitlines()[-1] if message else "",
            )
            after_failure = {**json.loads(cluster.sql(SNAPSHOT)), "media_files": _files(workdir / "media")}
            result["after_failure"] = after_failure

            again = subprocess.run(command, env=env, cwd=servers.ROOT, capture_output=True, text=True)
            final = {**json.loads(cluster.sql(SNAPSHOT)), "media_files": _files(workdir / "media")}
            result.update(
                rerun_exit_code=again.returncode, rerun_output=again.stdout.strip(), after_rerun=final
            )
        finally:
            cluster.drop()
        expected = f"{updates - earlier} added, 0 edited, 0 unpublished, {earlier} unchanged"
        result["passed"] = bool(
            result["stopped_in_transaction"]
            and result["seed_exit_code"] != 0
            and result["seed_error"]
            and after_failure == previous
            and result["rerun_exit_code"] == 0
            and expected in result["rerun_output"]
            and final["updates"] == updates
            and final["stories"] == 1
        )
        unchanged = "exactly as before" if after_failure == previous else f"CHANGED: {after_failure}"
        result["check"] = (
            f"PostgreSQL stopped {result['transaction_age_seconds']} s into the seed's transaction "
            f"({previous['updates']:,} → {updates:,} updates): seed exit {result['seed_exit_code']} "
            f"({_shorten(result['seed_error'])}), database and media {unchanged}; "
            f"re-run exit {result['rerun_exit_code']}, {final['updates']:,} updates, "
            f"{final['bylines']:,} bylines, {final['images']} images, {final['media_files']:,} media files"
        )
        return result


def _shorten(text, keep=70):
    return text if len(text) <= 2 * keep else f"{text[:keep]} … {text[-keep:]}"


# --- a full disk during an upload -------------------------------------------------------

UPLOADS = textwrap.dedent(
    """
    import io, json, os, random
    import django
    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image as PILImage
    from coverage import services
    from coverage.admin.forms import ImageForm
    from coverage.models import Image, Story

    media = os.environ["MEDIA_ROOT"]
    story = Story.objects.create(title="Full disk", slug="full-disk", status="live")

    def photo(width, height):
        noise = random.Random(width).randbytes(width * height * 3)  # noise: photos compress badly too
        buffer = io.BytesIO()
        PILImage.frombytes("RGB", (width, height), noise).save(buffer, "JPEG", quality=90)
        return buffer.getvalue()

    def files():
        return sorted(
            (os.path.relpath(os.path.join(folder, name), media), os.path.getsize(os.path.join(folder, name)))
            for folder, _, names in os.walk(media) for name in names
        )

    def upload(label, width, height):
        data = photo(width, height)
        form = ImageForm(
            {"caption": label, "credit": "Test", "alt_text": label, "story": story.pk, "position": 0},
            {"file": SimpleUploadedFile(f"{label}.jpg", data, "image/jpeg")},
        )
        outcome = {"upload": label, "bytes": len(data), "valid": form.is_valid(), "form_errors": form.errors}
        try:
            services.save_image(image=form.save(commit=False))
            outcome["error"] = None
        except Exception as error:
            outcome["error"] = f"{type(error).__name__}: {error}"
        outcome.update(rows=Image.objects.count(), files=files())
        statvfs = os.statvfs(media)
        outcome["free_kb"] = statvfs.f_bavail * statvfs.f_frsize // 1024
        return outcome

    results = [
        upload("renditions-do-not-fit", 1600, 1000),
        upload("picture-does-not-fit", 2400, 1600),
        upload("small-picture-fits", 320, 200),
    ]
    print(json.dumps(results))
    """
)


def disk_full(*, size="2m"):
    if os.geteuid() != 0 or not shutil.which("mount"):
        return {"skipped": "needs root to mount a tmpfs", "passed": True,
                "check": "full disk during an upload: skipped (needs root to mount a tmpfs)"}  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="liveblog-faults-disk-", ignore_cleanup_errors=True) as folder:
        workdir = Path(folder)
        media = workdir / "media"
        media.mkdir()
        env = servers.project_env(
            workdir, DATABASE_URL=f"sqlite:///{workdir / 'db.sqlite3'}", MEDIA_ROOT=media
        )
        servers.manage(env, "migrate", "--noinput")
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(media)], check=True)
        try:
            done = subprocess.run(
                [servers.PYTHON, "-c", UPLOADS], env=env, cwd=servers.ROOT, capture_output=True, text=True
            )
        finally:
            subprocess.run(["umount", str(media)], check=True)
        if done.returncode:
            error = done.stderr.strip()[-2000:]
            return {"passed": False, "error": error, "check": "full disk during an upload: the script failed"}
        too_big, too_big_picture, small = json.loads(done.stdout.strip().splitlines()[-1])
        clean = [
            case["valid"]
            and "No space left" in (case["error"] or "")
            and not case["rows"]
            and not case["files"]
            for case in (too_big, too_big_picture)
        ]
        fits = small["valid"] and small["error"] is None and small["rows"] == 1 and len(small["files"]) > 1
        described = "; ".join(
            f"{case['upload']} ({case['bytes'] // 1024} KB): {case['error'] or 'saved'}, "
            f"{case['rows']} rows, {len(case['files'])} files"
            for case in (too_big, too_big_picture, small)
        )
        return {
            "tmpfs": size,
            "uploads": [too_big, too_big_picture, small],
            "passed": all(clean) and fits,
            "check": f"full disk ({size} tmpfs) during uploads: {described}",
        }


# --- the benchmark ---------------------------------------------------------------------


def _guarded(name, check, **options):
    """``check(**options)``, or a failed result saying what went wrong instead of a traceback."""
    try:
        return check(**options)
    except Exception as error:
        return {
            "passed": False,
            "error": traceback.format_exc()[-3000:],
            "check": f"{name}: failed: {error!r}",
        }


def run(*, quick=False):
    results = {
        "worker_killed": _guarded("worker killed", worker_killed, seconds=8 if quick else 20),
        "database_stopped": _guarded(
            "database stopped",
            database_stopped,
            updates=2_000 if quick else 10_000,
            earlier=800 if quick else 4_000,
        ),
        "disk_full": _guarded("full disk", disk_full),
    }
    return {
        **results,
        "passed": all(part["passed"] for part in results.values()),
        "checks": [part["check"] for part in results.values()],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="8 s of load and a 2,000-update seed")
    parser.add_argument("--only", choices=["worker_killed", "database_stopped", "disk_full"])
    args = parser.parse_args()
    if args.only:
        part = globals()[args.only]()
        result = {args.only: part, "passed": part["passed"], "checks": [part["check"]]}
    else:
        result = run(quick=args.quick)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    raise SystemExit(0 if result["passed"] else 1)


if __name__ == "__main__":
    main()
