"""Reader fan-out through a shared HTTP cache: origin load must not grow with readers.

N simulated readers follow a live story through nginx (with the shipped
ops/nginx.conf and its micro-cache) in front of gunicorn, as browsers do: a
reader opens the story page, takes its cursor and polls changes.json; now and
then one leaves and another opens the page. An editor publishes through
``coverage.services`` meanwhile, so every reader's cursor moves and the first
poll after each publish asks for a URL no one asked for before. The origin's
access log counts the requests that reached Django, story page and
changes.json apart: per cache window in which some reader asked for them, they
must stay flat from 10 to 1,000 readers (``--series``), and every reader must
see every update.

    python -m tests.benchmarks.fanout --readers 200 --seconds 30 --publish-every 5
"""

import argparse
import http.client
import json
import random
import re
import tempfile
import threading
import time
from pathlib import Path

from tests.benchmarks import newsroom, servers

SLUG = "live-updates-us-negotiators-head-to-moscow-to-discuss-ukraine"
PAGE = f"/live/{SLUG}/"
WINDOW = 5  # LIVEBLOG_CURSOR_WINDOW for the run: the pages' s-maxage, the feed's max-age
REOPEN = 0.1  # the share of a reader's turns where it leaves and a new reader opens the page
CACHED = ("HIT", "STALE", "UPDATING", "REVALIDATED")  # X-Cache-Status: answered by nginx
ARTICLE_ID = re.compile(r'<article class="update[^"]*" id="update-(\d+)"')
CURSOR = re.compile(r'data-cursor="(\d+)"')


class Reader:
    """One browser tab: the page, then a poll every ``poll`` seconds (jittered, as live.js)."""

    def __init__(self, port, poll):
        self.port, self.poll = port, poll
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
        self.cursor = None
        self.requests = self.errors = self.hits = self.opens = 0
        self.seen = {}  # update id -> when it first showed
        self.polls = []  # (when a poll was sent, seconds it took)
        self.asked = {"story_page": set(), "changes": set()}  # cache windows this reader asked in

    def ask(self, path, started):
        self.asked[path].add(int(started // WINDOW))

    def get(self, path):
        started = time.time()
        self.connection.request("GET", path)
        response = self.connection.getresponse()
        body = response.read()
        self.requests += 1
        self.hits += response.getheader("X-Cache-Status") in CACHED
        if response.status != 200:
            raise ValueError(f"{path}: {response.status}")
        return started, body

    def open_page(self):
        started, html = self.get(PAGE)
        self.ask("story_page", started)
        self.opens += 1
        now, text = time.time(), html.decode()
        self.cursor = CURSOR.search(text).group(1)
        for pk in ARTICLE_ID.findall(text):
            self.seen.setdefault(int(pk), now)

    def poll_changes(self):
        started, body = self.get(f"{PAGE}changes.json?since={self.cursor}")
        self.ask("changes", started)
        now = time.time()
        self.polls.append((started, now - started))
        answer = json.loads(body)
        self.cursor = None if answer["reload"] else answer["cursor"]  # a reload: open the page again
        for item in answer["updates"]:
            self.seen.setdefault(item["id"], now)

    def follow(self, deadline):
        time.sleep(random.uniform(0, self.poll))  # readers opened the page at different moments
        while time.monotonic() < deadline:
            try:
                if self.cursor is None or random.random() < REOPEN:
                    self.open_page()
                else:
                    self.poll_changes()
            except (OSError, http.client.HTTPException, ValueError):
                self.errors += 1
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
            time.sleep(self.poll * random.uniform(0.5, 1.5))


def _publish(editor, deadline, every, published):
    """Publish one update every ``every`` seconds, the last ones two windows before the end
    (for readers to see them)."""
    while time.monotonic() + every < deadline - 2 * WINDOW:
        time.sleep(every)
        published.append(editor.publish(f"Fan-out benchmark update at {time.time():.0f}."))


def _first_polls_after(published, readers):
    """Seconds each reader's first poll after each publish took: the poll that finds its
    answer run out (or a new cursor's URL) and waits for the origin, or for the reader who does."""
    taken = []
    for _, at in published:
        for reader in readers:
            first = next((seconds for sent, seconds in reader.polls if sent >= at), None)
            if first is not None:
                taken.append(first)
    return sorted(taken)


def _percentile(values, share):
    return round(values[min(len(values) - 1, int(len(values) * share))] * 1000, 1) if values else None


def run(*, readers=200, seconds=30, poll=1.0, publish_every=0.0, workers=2):
    servers.ensure_debian_packages("nginx")
    workdir = Path(tempfile.mkdtemp(prefix="liveblog-fanout-"))
    workdir.chmod(0o755)  # nginx workers run as an unprivileged user
    env = servers.project_env(workdir, LIVEBLOG_CURSOR_WINDOW=WINDOW, LIVEBLOG_CURSOR_LAG=1)
    servers.prepare(env)
    origin_log = workdir / "origin.log"
    published = []
    with (
        servers.gunicorn(env, workdir, workers=workers, access_log=origin_log) as (origin_port, _),
        servers.nginx(workdir, origin_port) as port,
        newsroom.editor(env, SLUG) as editor,
    ):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", PAGE)
        reply = connection.getresponse()
        page = reply.read().decode()
        if reply.status != 200:
            raise SystemExit(f"story page answered {reply.status}: {page[:300]}")
        origin_log.write_text("")  # count from here on
        start = time.monotonic()
        deadline = start + seconds
        tabs = [Reader(port, poll) for _ in range(readers)]
        threads = [threading.Thread(target=tab.follow, args=(deadline,), daemon=True) for tab in tabs]
        if publish_every:
            threads.append(
                threading.Thread(
                    target=_publish, args=(editor, deadline, publish_every, published), daemon=True
                )
            )
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(seconds + 30)
        elapsed = time.monotonic() - start
    lines = origin_log.read_text().splitlines()
    origin = {
        "story_page": sum(1 for line in lines if line.startswith(f"GET {PAGE} ")),
        "changes": sum(1 for line in lines if "/changes.json" in line),
    }
    requests = sum(tab.requests for tab in tabs)
    windows = elapsed / WINDOW
    first_polls = _first_polls_after(published, tabs)
    delays = [tab.seen[pk] - at for pk, at in published for tab in tabs if pk in tab.seen]
    return {
        "readers": readers,
        "seconds": round(elapsed, 1),
        "poll_seconds": poll,
        "cache_window_seconds": WINDOW,
        "reader_requests": requests,
        "page_opens": sum(tab.opens for tab in tabs),
        "origin_requests": origin,
        "origin_requests_per_window": {path: round(count / windows, 2) for path, count in origin.items()},
        # Per window in which some reader asked for the path: ten readers leave windows with no
        # page open at all, which lowers the plain figure without saying anything of the cache.
        "origin_requests_per_asked_window": {
            path: round(count / max(1, len(set().union(*(tab.asked[path] for tab in tabs)))), 2)
            for path, count in origin.items()
        },
        "cache_hit_ratio": round(sum(tab.hits for tab in tabs) / max(requests, 1), 3),
        "errors": sum(tab.errors for tab in tabs),
        "published": len(published),
        "missed": sum(1 for pk, _ in published for tab in tabs if pk not in tab.seen),
        "first_poll_after_publish_ms": {
            "p50": _percentile(first_polls, 0.5),
            "p99": _percentile(first_polls, 0.99),
            "max": _percentile(first_polls, 1),
        },
        "slowest_first_sight_seconds": round(max(delays, default=0), 2),
    }


def series(*, quick=False, counts=(10, 100, 1000), seconds=30, poll=2.0, publish_every=5.0):
    """Origin requests per window for each number of readers, story page and changes.json
    apart: each must stay flat (within 2x) while readers grow a hundredfold."""
    if quick:
        counts, seconds = (10, 100), 20
    runs = [run(readers=count, seconds=seconds, poll=poll, publish_every=publish_every) for count in counts]
    checks = [
        f"{item['readers']} readers: {item['reader_requests']} requests ({item['page_opens']} page opens), "
        f"{item['published']} publishes; origin requests per window (per window some reader asked in): "
        f"story page {item['origin_requests_per_window']['story_page']} "
        f"({item['origin_requests_per_asked_window']['story_page']}), changes.json "
        f"{item['origin_requests_per_window']['changes']} "
        f"({item['origin_requests_per_asked_window']['changes']}); hit ratio {item['cache_hit_ratio']}; "
        f"first poll after a publish p50 {item['first_poll_after_publish_ms']['p50']} ms, "
        f"p99 {item['first_poll_after_publish_ms']['p99']} ms; slowest first sight "
        f"{item['slowest_first_sight_seconds']} s; missed {item['missed']}"
        for item in runs
    ]
    flat = True
    for path, label in (("story_page", "story page"), ("changes", "changes.json")):
        per_window = [item["origin_requests_per_asked_window"][path] for item in runs]
        flat_here = max(per_window) <= 2 * min(per_window)
        flat = flat and flat_here
        checks.append(
            f"{label}: origin requests per window some reader asked in, from {min(per_window)} to "
            f"{max(per_window)} (flat within 2x: {flat_here})"
        )
    faults = sum(item["errors"] + item["missed"] for item in runs)
    published = all(item["published"] > 0 for item in runs)
    return {"runs": runs, "passed": flat and faults == 0 and published, "checks": checks}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--poll", type=float, default=1.0, help="seconds between a reader's polls")
    parser.add_argument(
        "--publish-every", type=float, default=0.0, help="an editor publishes every N seconds"
    )
    parser.add_argument("--series", action="store_true", help="10, 100 and 1,000 readers, one after another")
    parser.add_argument("--quick", action="store_true", help="with --series: 10 and 100 readers, 20 s each")
    args = parser.parse_args()
    if args.series:
        result = series(quick=args.quick)
    else:
        result = run(
            readers=args.readers, seconds=args.seconds, poll=args.poll, publish_every=args.publish_every
        )
        result["passed"] = result["errors"] == 0 and result["missed"] == 0
        result["checks"] = [
            f"origin requests per window: {result['origin_requests_per_window']}, "
            f"errors {result['errors']}, missed {result['missed']}"
        ]
    print(json.dumps(result, indent=2))
    raise SystemExit(0 if result["passed"] else 1)


if __name__ == "__main__":
    main()
