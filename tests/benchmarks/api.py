"""The read API's throughput against the floor, Django itself, and its queries at 10 and 1,000 updates.

As ``throughput`` does for pages: one gunicorn (same workers) serves, in interleaved
wrk rounds, (a) the floor, a view returning a body as large as the API's answer
through only Django's SecurityMiddleware and CommonMiddleware, (b) a page of the
updates of a 1,000-update story (``/api/v1/stories/<slug>/updates/``), (c) the story
(``/api/v1/stories/<slug>/``), (d) a 304 of (b). Ratios to (a) count, with and without
Redis. Then the queries each read makes at 10 and at 1,000 updates (page cache off).

    python -m tests.benchmarks.api [--quick]
"""

import argparse
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.benchmarks import servers
from tests.benchmarks.throughput import (
    _combine,
    _median_ratio,
    fetch,
    interleaved,
    redis_server,
    thousand_updates_site,
)

STORY = "/api/v1/stories/thousand-updates/"
UPDATES = f"{STORY}updates/"
GOALS = {"updates_page": 0.8, "story": 0.8, "updates_304": 0.9}
LABELS = {"updates_page": "updates page", "story": "story", "updates_304": "updates page 304"}

QUERIES = """
import json
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from tests.factories import make_author, make_story, make_stream
counts = {}
with override_settings(LIVEBLOG_PAGE_CACHE_SECONDS=0, ALLOWED_HOSTS=["testserver"]):
    for size in (10, 1000):
        story = make_story(title=f"Queries {size}", slug=f"queries-{size}")
        make_stream(story=story, count=size, author=make_author(name=f"Counter {size}"))
        newest = story.updates.order_by("-published_at").first()
        paths = {
            "story": f"/api/v1/stories/{story.slug}/",
            "updates page": f"/api/v1/stories/{story.slug}/updates/",
            "one update": f"/api/v1/stories/{story.slug}/updates/{newest.pk}/",
        }
        for name, path in paths.items():
            with CaptureQueriesContext(connection) as queries:
                assert Client().get(path).status_code == 200
            counts.setdefault(name, {})[size] = len(queries)
print("QUERIES" + json.dumps(counts))
"""


def run(*, seconds=20, rounds=5, workers=2):
    servers.ensure_debian_packages("wrk", "redis-server")
    measured = {}
    with redis_server() as redis_url:
        for name in ("default", "redis"):
            extra = {"REDIS_URL": redis_url} if name == "redis" else {}
            measured[name] = _measure(extra, seconds=seconds, rounds=rounds, workers=workers)
    queries = measured["default"].pop("queries")
    measured["redis"].pop("queries")
    checks, passed = [], True
    for name, result in measured.items():
        for target, goal in GOALS.items():
            ratio = result[f"{target}_ratio"]
            passed = passed and ratio >= goal
            checks.append(
                f"{name}: API {LABELS[target]} / floor = {ratio} (goal ≥ {goal}; median of {rounds} rounds)"
            )
        passed = passed and result["errors"] == 0
        checks.append(f"{name}: errors {result['errors']}")
    for name, counts in queries.items():
        flat = counts["10"] == counts["1000"]
        passed = passed and flat
        checks.append(f"queries, API {name}: {counts['10']} at 10 updates, {counts['1000']} at 1,000")
    return {"configurations": measured, "queries": queries, "passed": passed, "checks": checks}


def _measure(extra_env, *, seconds, rounds, workers):
    work = Path(tempfile.mkdtemp(prefix="liveblog-api-bench-"))
    try:
        env = thousand_updates_site(work, extra_env)
        counted = subprocess.run(
            [servers.PYTHON, "manage.py", "shell", "-c", QUERIES],
            env=env, cwd=servers.ROOT, check=True, capture_output=True, text=True,
        )  # fmt: skip
        queries = json.loads(counted.stdout.split("QUERIES", 1)[1])
        with servers.gunicorn(env, work, workers=workers) as (port, _):
            status, _, answer = fetch(port, UPDATES)
            assert status == 200, status
            size = len(answer)
        env["BENCH_BARE_SIZE"] = str(size)
        with servers.gunicorn(env, work, workers=workers, app="tests.benchmarks.floor:application") as (
            port,
            _,
        ):
            base = f"http://127.0.0.1:{port}"
            fetch(port, STORY)
            _, headers, _ = fetch(port, UPDATES)
            etag = headers["ETag"]
            assert fetch(port, UPDATES, {"If-None-Match": etag})[0] == 304
            targets = {
                "floor": (f"{base}/bench/floor/", []),
                "updates_page": (f"{base}{UPDATES}", []),
                "story": (f"{base}{STORY}", []),
                "updates_304": (f"{base}{UPDATES}", [f"If-None-Match: {etag}"]),
            }
            runs = interleaved(targets, seconds=seconds, rounds=rounds)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results = {name: _combine(items) for name, items in runs.items()}
    return {
        "answer_bytes": size,
        "gunicorn_workers": workers,
        "rounds": rounds,
        **results,
        **{f"{name}_ratio": _median_ratio(runs[name], runs["floor"]) for name in GOALS},
        "errors": sum(
            r["non_2xx_3xx"] + r["socket_errors"] for n, r in results.items() if n != "updates_304"
        ),
        "queries": queries,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20, help="per target, split over the rounds")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="1 round of 4 s per target")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.rounds = 4, 1
    print(json.dumps(run(seconds=args.seconds, rounds=args.rounds), indent=2))


if __name__ == "__main__":
    main()
