"""Throughput with wrk: the story page and a 304 from changes.json against the floor, Django itself.

The same gunicorn (same workers) serves, in interleaved rounds of one run: (a)
the floor, a view returning a body as large as the story page through only
Django's SecurityMiddleware and CommonMiddleware (``tests.benchmarks.floor``),
(b) the story page of a story with 1,000 updates, (c) a 304 from changes.json.
Ratios b/a and c/a are what count, in two configurations: the default install
(SQLite, no Redis) and with Redis; absolute figures depend on the machine.

    python -m tests.benchmarks.throughput [--seconds 10]
"""

import argparse
import http.client
import json
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

from tests.benchmarks import servers

SETUP = """
from coverage.models import Story
from tests.factories import make_author, make_stream, make_story
story = make_story(title="Thousand updates", slug="thousand-updates")
make_stream(story=story, count=1000, author=make_author(name="Bench Reporter"))
print(Story.objects.count())
"""


PUBLISH = """
from coverage import services
from coverage.models import Story, Update
story = Story.objects.get(slug="thousand-updates")
update = Update(story=story, body="Benchmark: the first poll after this publish.", status="published")
services.save_update(update=update, authors=[story.updates.first().bylines.first().author])
"""
FIRST_POLL_READERS = 1000


def first_polls(port, path, readers=FIRST_POLL_READERS):
    """``readers`` polls of ``path`` at once, each on its own connection: how their answers were
    made (the page cache's X-Page-Cache: one MISS is one render) and their statuses."""
    start = threading.Barrier(readers)
    made, statuses, cursors, lock = Counter(), Counter(), set(), threading.Lock()

    def poll():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.connect()
        start.wait()
        connection.request("GET", path)
        response = connection.getresponse()
        answer = json.loads(response.read())
        with lock:
            cursors.add(answer["cursor"])
            made[response.getheader("X-Page-Cache", "none")] += 1
            statuses[response.status] += 1
        connection.close()

    threads = [threading.Thread(target=poll) for _ in range(readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # A burst that runs across a cursor window asks two URLs' worth of answers (each window's
    # cursor is another answer): one render each is the goal.
    return {
        "readers": readers,
        "renders": made["MISS"],
        "answers": len(cursors),
        "made": dict(made),
        "statuses": dict(statuses),
    }


@contextmanager
def redis_server():
    """A private Redis on a free loopback port (the production cache)."""
    port = servers.free_port()
    # A cache only, with the eviction policy the README's deploy section asks for.
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
               "--maxmemory", "256mb", "--maxmemory-policy", "allkeys-lru"]  # fmt: skip
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
    )
    try:
        servers.wait_for_port(port)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def wrk(url, *, seconds, connections=16, headers=()):
    command = ["wrk", "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency", url]
    for header in headers:
        command += ["-H", header]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "requests_per_second": round(rate, 1),
        "p50_ms": _latency(output, "50%"),
        "p99_ms": _latency(output, "99%"),
        "non_2xx_3xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": sum(int(n) for n in errors.groups()) if errors else 0,
    }


def _latency(output, percentile):
    value, unit = re.search(rf"^\s+{percentile}\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
    return round(float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit], 2)


def fetch(port, path, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    return response.status, dict(response.getheaders()), response.read()


def quiet_changes_url(port, cursor):
    """A changes.json URL whose answer no longer moves: the cursor a reader holds between updates."""
    for _ in range(30):
        path = f"/live/thousand-updates/changes.json?since={cursor}"
        answer = json.loads(fetch(port, path)[2])
        if answer["cursor"] == cursor and not answer["updates"] and not answer["reload"]:
            return path
        cursor = answer["cursor"]
        time.sleep(2)
    raise RuntimeError("the change feed never settled")


def _median_ratio(measured, baseline):
    """The median over rounds of requests/s against the bare view's in the same round."""
    ratios = sorted(
        item["requests_per_second"] / base["requests_per_second"]
        for item, base in zip(measured, baseline, strict=True)
    )
    middle = len(ratios) // 2
    median = ratios[middle] if len(ratios) % 2 else (ratios[middle - 1] + ratios[middle]) / 2
    return round(median, 3)


def _combine(measured):
    """One figure from several wrk rounds: mean rate, median latencies, summed errors."""
    middle = sorted(measured, key=lambda item: item["p50_ms"])[len(measured) // 2]
    return {
        "requests_per_second": round(
            sum(item["requests_per_second"] for item in measured) / len(measured), 1
        ),
        "p50_ms": middle["p50_ms"],
        "p99_ms": max(item["p99_ms"] for item in measured),
        "non_2xx_3xx": sum(item["non_2xx_3xx"] for item in measured),
        "socket_errors": sum(item["socket_errors"] for item in measured),
        "rounds": len(measured),
    }


# What each configuration must reach against the floor (issue 14's goals); first_poll is
# the poll every reader makes after a publish, served from the page cache once rendered.
CONFIGURATIONS = {
    "default": {"story_page": 0.8, "changes_304": 0.9, "first_poll": 0.8},  # SQLite, no Redis: `make run`
    "redis": {"story_page": 0.9, "changes_304": 0.95, "first_poll": 0.8},
}
LABELS = {
    "story_page": "story page",
    "changes_304": "changes.json 304",
    "first_poll": "first poll after a publish",
}


def run(*, quick=False, seconds=None, workers=2, rounds=None):
    rounds = rounds or (1 if quick else 11)
    seconds = seconds or (3 if quick else 33)
    servers.ensure_debian_packages("wrk", "redis-server")
    measured = {}
    with redis_server() as redis_url:
        for name in CONFIGURATIONS:
            extra = {"REDIS_URL": redis_url} if name == "redis" else {}
            measured[name] = _measure(extra, seconds=seconds, workers=workers, rounds=rounds)
    checks, passed = [], True
    for name, goals in CONFIGURATIONS.items():
        result = measured[name]
        for target, goal in goals.items():
            ratio = result[f"{target}_ratio"]
            passed = passed and ratio >= goal
            checks.append(
                f"{name}: {LABELS[target]} / floor = {ratio} (goal ≥ {goal}; median of {rounds} rounds)"
            )
        first = result["first_poll"]
        all_answered = first["statuses"] == {200: first["readers"]}
        passed = passed and first["renders"] == first["answers"] and all_answered
        checks.append(
            f"{name}: {first['readers']} readers' first poll after a publish at once: "
            f"{first['renders']} render for {first['answers']} distinct answer (goal: one each), "
            f"{first['made']}, statuses {first['statuses']}"
        )
        passed = passed and result["errors"] == 0
        checks.append(f"{name}: errors {result['errors']}")
    return {"configurations": measured, "passed": passed, "checks": checks}


def interleaved(targets, *, seconds, rounds):
    """wrk results per target (``name -> (url, headers)``), in interleaved rounds (a, b, c,
    a, b, c, …): a machine that speeds up or slows down during the run weighs on all alike.
    ``seconds`` per target, split over the rounds, after a short warm-up of each."""
    for url, headers in targets.values():  # warm up: workers, local caches, connections
        wrk(url, seconds=2, headers=headers)
    runs = {name: [] for name in targets}
    for _ in range(rounds):
        for name, (url, headers) in targets.items():
            runs[name].append(wrk(url, seconds=seconds / rounds, headers=headers))
    return runs


def thousand_updates_site(work, extra_env):
    """The environment of a site in ``work`` (SQLite; Redis when ``extra_env`` names one) whose
    database holds the story ``thousand-updates``, migrated and seeded."""
    env = servers.project_env(
        work,
        DJANGO_SETTINGS_MODULE="tests.benchmarks.settings",
        DATABASE_URL=f"sqlite:///{work / 'bench.sqlite3'}",
        **extra_env,
    )
    if "REDIS_URL" not in extra_env:
        env.pop("REDIS_URL", None)  # the default install: no shared cache
    servers.prepare(env)
    subprocess.run(
        [servers.PYTHON, "manage.py", "shell", "-c", SETUP],
        env=env, cwd=servers.ROOT, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return env


def _measure(extra_env, *, seconds, workers, rounds):
    """The floor, the story page and a 304 from changes.json, in interleaved wrk rounds."""
    work = Path(tempfile.mkdtemp(prefix="liveblog-throughput-"))
    try:
        env = thousand_updates_site(work, extra_env)
        story_path = "/live/thousand-updates/"
        with servers.gunicorn(env, work, workers=workers) as (port, _):
            status, _, page = fetch(port, story_path)
            assert status == 200, status
            page_size = len(page)
        env["BENCH_BARE_SIZE"] = str(page_size)
        with servers.gunicorn(env, work, workers=workers, app="tests.benchmarks.floor:application") as (
            port,
            _,
        ):
            base = f"http://127.0.0.1:{port}"
            fetch(port, story_path)  # fill the page cache, as the first reader does
            cursor = re.search(rb'data-cursor="(\d+)"', fetch(port, story_path)[2]).group(1).decode()
            changes = quiet_changes_url(port, cursor)
            _, headers, _ = fetch(port, changes)
            etag = headers["ETag"]
            status, _, _ = fetch(port, changes, {"If-None-Match": etag})
            assert status == 304, status
            status, _, floor_body = fetch(port, "/bench/floor/")
            assert status == 200 and len(floor_body) == page_size, (status, len(floor_body))
            targets = {
                "floor": (f"{base}/bench/floor/", []),
                "story_page": (f"{base}{story_path}", []),
                "changes_304": (f"{base}{changes}", [f"If-None-Match: {etag}"]),
            }
            runs = interleaved(targets, seconds=seconds, rounds=rounds)
            # An editor publishes: every reader's next poll (the cursor they all hold) is new.
            subprocess.run(
                [servers.PYTHON, "manage.py", "shell", "-c", PUBLISH],
                env=env, cwd=servers.ROOT, check=True, stdout=subprocess.DEVNULL,
            )  # fmt: skip
            first_poll = first_polls(port, changes)
            runs["first_poll"], runs["floor_again"] = [], []
            for _ in range(rounds):
                runs["floor_again"].append(wrk(f"{base}/bench/floor/", seconds=seconds / rounds))
                runs["first_poll"].append(wrk(f"{base}{changes}", seconds=seconds / rounds))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results = {name: _combine(measured) for name, measured in runs.items()}
    return {
        "page_bytes": page_size,
        "gunicorn_workers": workers,
        "seconds_each": seconds,
        "rounds": rounds,
        **results,
        "story_page_ratio": _median_ratio(runs["story_page"], runs["floor"]),
        "changes_304_ratio": _median_ratio(runs["changes_304"], runs["floor"]),
        "first_poll": first_poll,
        "first_poll_ratio": _median_ratio(runs["first_poll"], runs["floor_again"]),
        "errors": sum(
            r["non_2xx_3xx"] + r["socket_errors"] for n, r in results.items() if n != "changes_304"
        ),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=33, help="per target, split over the rounds")
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="3 rounds of 6 s per target")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.rounds = 6, 3
    result = run(seconds=args.seconds, workers=args.workers, rounds=args.rounds)
    print(json.dumps(result, indent=2))
    raise SystemExit(0 if result["passed"] else 1)


if __name__ == "__main__":
    main()
