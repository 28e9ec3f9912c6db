"""changes.json?since=0 on a 20,000-update story: under a second, one bounded answer.

In-process with Django's test client on a file SQLite database, page caching
off so every query is real. Compares against a story of one page (20 updates):
the same number of queries, a body of at most one page, flat time and memory.
Run alone: python -m tests.benchmarks.changes_bound [--quick]
"""

import json
import statistics
import sys
import time
import tracemalloc

from tests.benchmarks.querycounts import setup_in_process

ROUNDS = 7
LIMIT_SECONDS = 1.0
LIMIT_BYTES = 200_000


def _measure(client, story):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = f"/live/{story.slug}/changes.json?since=0"
    client.get(url)  # warm
    timings = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    queries = len(captured)  # now: the next request clears the log
    tracemalloc.start()
    client.get(url)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    data = json.loads(response.content)
    return {
        "seconds": round(statistics.median(timings), 4),
        "bytes": len(response.content),
        "updates": len(data["updates"]),
        "reload": data["reload"],
        "queries": queries,
        "peak_kb": round(peak / 1024),
    }


def run(*, quick=False):
    setup_in_process(prefix="liveblog-bound-")
    from django.test import Client

    from coverage.pagination import PAGE_SIZE
    from tests.factories import make_author, make_story, make_stream

    big = 5_000 if quick else 20_000
    client = Client()
    results = {}
    for size in (PAGE_SIZE, big):
        started = time.perf_counter()
        story = make_stream(story=make_story(title=f"Story of {size}"), count=size, author=make_author())
        built = time.perf_counter() - started
        results[size] = {**_measure(client, story), "built_seconds": round(built, 1)}
    small, large = results[PAGE_SIZE], results[big]
    passed = (
        large["seconds"] < LIMIT_SECONDS
        and large["bytes"] < LIMIT_BYTES
        and large["updates"] <= PAGE_SIZE
        and large["queries"] <= small["queries"]  # a reload answer renders nothing
    )
    checks = [
        f"{size:,} updates: {row['seconds'] * 1000:.0f} ms (median of {ROUNDS}), {row['bytes']:,} bytes, "
        f"{row['updates']} updates{' + reload' if row['reload'] else ''}, {row['queries']} queries, "
        f"peak {row['peak_kb']:,} KB"
        for size, row in results.items()
    ]
    checks.append(
        f"limits at {big:,}: under {LIMIT_SECONDS:.0f} s, under {LIMIT_BYTES // 1000} KB, "
        f"at most {PAGE_SIZE} updates, no more queries than at {PAGE_SIZE}"
    )
    return {"results": {str(size): row for size, row in results.items()}, "passed": passed, "checks": checks}


def main():
    result = run(quick="--quick" in sys.argv)
    print(json.dumps(result, indent=2))
    raise SystemExit(0 if result["passed"] else 1)


if __name__ == "__main__":
    main()
