"""Reader fan-out through a shared HTTP cache: origin load must not grow with readers.

N simulated readers poll a live story's changes.json through nginx (with the
shipped ops/nginx.conf and its micro-cache) in front of gunicorn. The
origin's access log counts the requests that reached Django.

    python -m tests.benchmarks.fanout --readers 200 --seconds 30
"""

import argparse
import http.client
import json
import os
import random
import re
import tempfile
import threading
import time
from pathlib import Path

from tests.benchmarks import servers

SLUG = "live-updates-us-negotiators-head-to-moscow-to-discuss-ukraine"
WINDOW = 5  # LIVEBLOG_CURSOR_WINDOW for the run: the changes.json max-age


def _reader(port, cursor, deadline, poll, results, lock):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    counts = {"requests": 0, "errors": 0, "hits": 0}
    seen = set()
    time.sleep(random.uniform(0, poll))  # readers opened the page at different moments
    while time.monotonic() < deadline:
        try:
            connection.request("GET", f"/live/{SLUG}/changes.json?since={cursor}")
            response = connection.getresponse()
            body = response.read()
            counts["requests"] += 1
            if response.status != 200:
                counts["errors"] += 1
            else:
                data = json.loads(body)
                cursor = data["cursor"]
                seen.update(item["id"] for item in data["updates"])
                if response.getheader("X-Cache-Status") in ("HIT", "STALE", "UPDATING", "REVALIDATED"):
                    counts["hits"] += 1
        except (OSError, http.client.HTTPException, ValueError):
            counts["errors"] += 1
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        time.sleep(poll * random.uniform(0.5, 1.5))
    with lock:
        results.append((counts, seen))


def _publisher(env, deadline, every, published):
    """An editor publishing one update every ``every`` seconds, through the services (as the admin)."""
    os.environ.update(env)
    import django

    django.setup()
    from django.utils import timezone

    from coverage import services
    from coverage.models import Story, Update

    story = Story.objects.get(slug=SLUG)
    while time.monotonic() + every < deadline - 2 * WINDOW:
        time.sleep(every)
        update = Update(
            story=story,
            body=f"Benchmark update at {time.time():.0f}.",
            status="published",
            published_at=timezone.now(),
        )
        services.save_update(update=update, authors=[story.lead_author])
        published.append(update.pk)


def run(*, readers=200, seconds=30, poll=1.0, publish_every=0.0, workers=2):
    servers.ensure_debian_packages("nginx")
    workdir = Path(tempfile.mkdtemp(prefix="liveblog-fanout-"))
    workdir.chmod(0o755)  # nginx workers run as an unprivileged user
    env = servers.project_env(workdir, LIVEBLOG_CURSOR_WINDOW=WINDOW, LIVEBLOG_CURSOR_LAG=1)
    servers.prepare(env)
    origin_log = workdir / "origin.log"
    with (
        servers.gunicorn(env, workdir, workers=workers, access_log=origin_log) as (origin_port, _),
        servers.nginx(workdir, origin_port) as port,
    ):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", f"/live/{SLUG}/")
        reply = connection.getresponse()
        page = reply.read().decode()
        if reply.status != 200:
            raise SystemExit(f"story page answered {reply.status}: {page[:300]}")
        cursor = re.search(r'data-cursor="(\d+)"', page).group(1)
        origin_log.write_text("")  # count from here on
        start = time.monotonic()
        deadline = start + seconds
        results, lock, published = [], threading.Lock(), []
        threads = [
            threading.Thread(target=_reader, args=(port, cursor, deadline, poll, results, lock), daemon=True)
            for _ in range(readers)
        ]
        if publish_every:
            threads.append(
                threading.Thread(
                    target=_publisher, args=(env, deadline, publish_every, published), daemon=True
                )
            )
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(seconds + 30)
        elapsed = time.monotonic() - start
    origin = [line for line in origin_log.read_text().splitlines() if "changes.json" in line]
    requests = sum(counts["requests"] for counts, _ in results)
    windows = elapsed / WINDOW
    missed = sum(1 for _, seen in results for pk in published if pk not in seen)
    return {
        "readers": readers,
        "seconds": round(elapsed, 1),
        "poll_seconds": poll,
        "cache_window_seconds": WINDOW,
        "reader_requests": requests,
        "origin_requests": len(origin),
        "origin_requests_per_window": round(len(origin) / windows, 2),
        "origin_requests_per_minute": round(len(origin) * 60 / elapsed, 1),
        "cache_hit_ratio": round(sum(c["hits"] for c, _ in results) / max(requests, 1), 3),
        "errors": sum(counts["errors"] for counts, _ in results),
        "published": len(published),
        "missed": missed,
    }


def series(*, quick=False, counts=(10, 100, 1000), seconds=30, poll=2.0):
    """Origin requests per minute for each number of readers: they must stay flat (within 2x)."""
    if quick:
        counts, seconds = (10, 100), 10
    runs = [run(readers=count, seconds=seconds, poll=poll) for count in counts]
    per_minute = [item["origin_requests_per_minute"] for item in runs]
    flat = max(per_minute) <= 2 * min(per_minute)
    errors = sum(item["errors"] for item in runs)
    checks = [
        f"{item['readers']} readers: {item['reader_requests']} requests, "
        f"{item['origin_requests_per_minute']} origin requests/min, hit ratio {item['cache_hit_ratio']}"
        for item in runs
    ]
    checks.append(f"origin requests/min from {min(per_minute)} to {max(per_minute)} (flat within 2x: {flat})")
    return {"runs": runs, "passed": flat and errors == 0, "checks": checks}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--poll", type=float, default=1.0, help="seconds between a reader's polls")
    parser.add_argument(
        "--publish-every", type=float, default=0.0, help="an editor publishes every N seconds"
    )
    parser.add_argument("--series", action="store_true", help="10, 100 and 1,000 readers, one after another")
    parser.add_argument("--quick", action="store_true", help="with --series: 10 and 100 readers, 10 s each")
    args = parser.parse_args()
    if args.series:
        result = series(quick=args.quick)
    else:
        result = run(
            readers=args.readers, seconds=args.seconds, poll=args.poll, publish_every=args.publish_every
        )
        windows = result["seconds"] / WINDOW
        # One origin request per cache window (and one per URL a publish creates), however many readers.
        limit = windows + 1 + result["published"] * 2
        result["passed"] = (
            result["errors"] == 0 and result["missed"] == 0 and result["origin_requests"] <= limit
        )
        result["checks"] = [f"{result['origin_requests']} origin requests in {windows:.1f} cache windows"]
    print(json.dumps(result, indent=2))
    raise SystemExit(0 if result["passed"] else 1)


if __name__ == "__main__":
    main()
