"""A 100,000-update story costs what a 1,000-update story costs: page, poll, feed.

Builds a story of 1,000 published updates (and as many approved comments) and
one of 100,000 in the same database, then measures each reader path on both,
in-process with Django's test client, page caching off so every query is real:
the SQL queries of one request, and the median time of ``ROUNDS`` requests, the
two stories taking turns. Passes when every path makes as many queries at 100,000 as at
1,000 and its median stays within ``RATIO`` of it (plus ``SLACK_MS``, the
noise of a shared machine on a request of a few milliseconds).

Runs on SQLite, and on PostgreSQL too when DATABASE_URL names one: it makes a
database of its own beside it (``<name>_scale``, dropped first, left for
EXPLAIN afterwards), so the role needs CREATEDB. Each back end runs in its own
process. Run alone:

    python -m tests.benchmarks.scale [--quick] [--backend sqlite|postgres]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

from tests.benchmarks.querycounts import setup_in_process
from tests.benchmarks.servers import ROOT

SMALL = 1_000
LARGE = 100_000
QUICK_LARGE = 20_000
ROUNDS = 15
QUICK_ROUNDS = 7
RATIO = 1.25
SLACK_MS = 3.0
AUTHORS = 10  # per story, in turn: each writes a tenth of it
KEY_EVERY = 100  # one update in this many is a key event
TWO_BYLINES_EVERY = 7  # one update in this many has a second author
BATCH = 5_000


def _database_url(backend):
    """None for SQLite (a file in the benchmark's folder), else a fresh PostgreSQL database."""
    if backend == "sqlite":
        return None
    import dj_database_url
    import psycopg

    given = os.environ["DATABASE_URL"]
    config = dj_database_url.parse(given)
    name = f"{config['NAME']}_scale"
    with psycopg.connect(given, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return given.rsplit("/", 1)[0] + f"/{name}"


def _setup(backend):
    setup_in_process(
        prefix="liveblog-scale-",
        database_url=_database_url(backend),
        LIVEBLOG_LOCAL_CACHE_SECONDS="0",  # every poll does its work
    )


def _chunks(items, size=BATCH):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def build(size):
    """A live story of ``size`` published updates a minute apart, ten authors in turn, a key
    event every ``KEY_EVERY``, an old pinned update, three updates edited a minute ago, and
    ``size`` approved comments. Rows are written in bulk: the benchmark is no writer of the product."""
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from coverage.models import Byline, Comment, Story, Update
    from coverage.services import readers
    from tests.factories import make_author, make_story

    start = timezone.now() - timedelta(minutes=size + 2)
    story = make_story(title=f"A story of {size} updates", coverage_start=start)
    authors = [make_author(name=f"Writer {size} Number {index}") for index in range(AUTHORS)]
    pinned = size // 10
    updates = []
    for chunk in _chunks(range(size)):
        updates += Update.objects.bulk_create(
            Update(
                story=story,
                headline=f"Headline {index}" if index % 3 == 0 else "",
                body=f"Update number {index}, with **some** text and [a link](https://example.org/{index}).",
                status=Update.Status.PUBLISHED,
                published_at=start + timedelta(minutes=index),
                key_event=index % KEY_EVERY == KEY_EVERY // 2,
                pinned=index == pinned,
            )
            for index in chunk
        )
    bylines = [
        Byline(update=update, author=authors[index % AUTHORS], position=0)
        for index, update in enumerate(updates)
    ]
    bylines += [
        Byline(update=update, author=authors[(index + 1) % AUTHORS], position=1)
        for index, update in enumerate(updates)
        if index % TWO_BYLINES_EVERY == 0
    ]
    for chunk in _chunks(bylines):
        Byline.objects.bulk_create(chunk)
    for chunk in _chunks(range(size)):
        Comment.objects.bulk_create(
            Comment(
                story=story,
                name=f"Reader {index}",
                email=f"reader{index}@example.org",
                body=f"Comment number {index}.",
                status=Comment.Status.APPROVED,
                created_at=start + timedelta(seconds=30 + 60 * index),
            )
            for index in chunk
        )
    # A quiet story (its feed's ETag holds) but for three updates edited a minute ago,
    # dated now that the rows are in (a big story takes a while).
    now = timezone.now()
    hour_ago, minute_ago = now - timedelta(hours=1), now - timedelta(minutes=1)
    Update.objects.filter(story=story).update(changed_at=hour_ago, public_changed_at=hour_ago)
    pks = [update.pk for update in updates]
    Update.objects.filter(pk__in=pks[-3:]).update(changed_at=minute_ago, public_changed_at=minute_ago)
    Story.objects.filter(pk=story.pk).update(updated_at=hour_ago, comments_shown=size)
    readers.after_write(story)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # what autovacuum does soon after a bulk load
    return story, pks


def paths(story, pks):
    """The reader paths measured: name, URL, request headers."""
    from coverage import live
    from coverage.models import Update
    from coverage.pagination import encode

    middle = Update.objects.select_related("story").get(pk=pks[len(pks) // 2])
    author = middle.byline_authors()[0]
    recent = live.current_cursor() - 90  # after the newest publication, before the three edits
    quiet = f"/live/{story.slug}/changes.json?since={live.current_cursor()}"
    return [
        ("story page", story.get_absolute_url(), {}),
        ("older page", f"{story.get_absolute_url()}?before={encode(middle)}", {}),
        ("changes.json 200", f"/live/{story.slug}/changes.json?since={recent}", {}),
        ("changes.json 304", quiet, {"HTTP_IF_NONE_MATCH": _etag(quiet)}),
        ("Atom feed", f"/live/{story.slug}/feed/", {}),
        ("author page", author.get_absolute_url(), {}),
        ("update permalink", middle.get_absolute_url(), {}),
        ("last comments page", f"{story.get_absolute_url()}?comments={-(-len(pks) // 50)}", {}),
    ]


def _etag(url):
    from django.test import Client

    return Client().get(url)["ETag"]


def _queries(client, url, headers):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    assert response.status_code == (304 if headers else 200), (url, response.status_code)
    # now: the next request clears the log
    return [query["sql"] for query in captured.captured_queries], len(response.content)


def measure(requests, rounds):
    """For each size's ``(url, headers)``: the SQL of one request and the median time of
    ``rounds``, the sizes taking turns so that the machine's ups and downs hit both alike,
    and the size of the answer (the same paths must answer alike)."""
    from django.test import Client

    client = Client()
    first = {size: _queries(client, url, headers) for size, (url, headers) in requests.items()}  # warm too
    timings = {size: [] for size in requests}
    for _ in range(rounds):
        for size, (url, headers) in requests.items():
            started = time.perf_counter()
            client.get(url, **headers)
            timings[size].append(time.perf_counter() - started)
    return {
        size: {
            "queries": len(first[size][0]),
            "ms": round(statistics.median(timings[size]) * 1000, 2),
            "bytes": first[size][1],
            "sql": first[size][0],
        }
        for size in requests
    }


def run_backend(backend, *, quick):
    _setup(backend)
    from django.db import connection

    large = QUICK_LARGE if quick else LARGE
    rounds = QUICK_ROUNDS if quick else ROUNDS
    requests, built = {}, {}
    for size in (SMALL, large):
        started = time.perf_counter()
        story, pks = build(size)
        built[size] = round(time.perf_counter() - started, 1)
        requests[size] = paths(story, pks)  # now: "a recent cursor" is recent for this story
    rows = []
    for index, (name, _, _) in enumerate(requests[SMALL]):
        pair = {size: requests[size][index][1:] for size in requests}
        measured = measure(pair, rounds)
        small, big = measured[SMALL], measured[large]
        passed = small["queries"] == big["queries"] and big["ms"] <= small["ms"] * RATIO + SLACK_MS
        rows.append({"path": name, "small": small, "large": big, "passed": passed})
    return {
        "backend": connection.vendor,
        "sizes": [SMALL, large],
        "rounds": rounds,
        "build_seconds": built,
        "rows": rows,
        "passed": all(row["passed"] for row in rows),
    }


def _checks(result):
    small, large = result["sizes"]
    checks = []
    for row in result["rows"]:
        a, b = row["small"], row["large"]
        ratio = b["ms"] / a["ms"] if a["ms"] else float("inf")
        checks.append(
            f"{result['backend']}, {row['path']}: {a['queries']} → {b['queries']} queries, "
            f"{a['ms']:.1f} → {b['ms']:.1f} ms ({ratio:.2f}×) at {small:,} → {large:,} updates"
            f"{'' if row['passed'] else ' FAIL'}"
        )
    return checks


def _child(backend, quick):
    command = [
        sys.executable,
        "-m",
        "tests.benchmarks.scale",
        "--backend",
        backend,
        *(["--quick"] if quick else []),
    ]
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=1800)
    try:
        return json.loads(completed.stdout[completed.stdout.index("{") :])
    except ValueError:
        tail = (completed.stderr or completed.stdout).strip().splitlines()[-3:]
        return {"backend": backend, "passed": False, "rows": [], "crashed": " / ".join(tail)}


def run(*, quick=False):
    backends = ["sqlite"]
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        backends.append("postgres")
    results = [_child(backend, quick) for backend in backends]
    checks = []
    for result in results:
        checks += (
            [f"{result['backend']} crashed: {result['crashed']}"] if "crashed" in result else _checks(result)
        )
    if len(backends) == 1:
        checks.append("PostgreSQL not measured: set DATABASE_URL to one")
    checks.append(f"limits: the same queries, median within {RATIO}× + {SLACK_MS:.0f} ms")
    for result in results:
        for row in result["rows"]:
            row["small"].pop("sql"), row["large"].pop("sql")
    return {"results": results, "passed": all(result["passed"] for result in results), "checks": checks}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--backend", choices=["sqlite", "postgres"], help="measure one back end, in this process"
    )
    args = parser.parse_args()
    result = run_backend(args.backend, quick=args.quick) if args.backend else run(quick=args.quick)
    print(json.dumps(result, indent=2))
    raise SystemExit(0 if result["passed"] else 1)


if __name__ == "__main__":
    main()
