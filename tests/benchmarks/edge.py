"""Behind nginx: readers' pages from the micro-cache near a static file's speed, and still fresh.

nginx with the shipped ``ops/nginx.conf`` in front of gunicorn (the default
install: SQLite, no Redis), and beside it, in the same nginx but outside the
shipped file, a server for one static file as large as the story page.

1. Throughput (wrk, interleaved rounds, one run): the static file, the story
   page, changes.json (a 200, and a 304 to a reader's ``If-None-Match``) and
   the Atom feed. Each reader's page against the static file in the same
   round must reach 0.5 (median of the rounds).
2. Freshness: readers load the story page and poll changes.json through nginx
   every poll interval while an editor publishes through ``coverage.services``;
   every reader must see each update on both within one poll interval plus the
   cache window (``BOUND``), counted to when the request that showed it was sent.

    python -m tests.benchmarks.edge [--quick]
"""

import argparse
import json
import random
import re
import shutil
import tempfile
import threading
import time
from pathlib import Path

from tests.benchmarks import newsroom, servers
from tests.benchmarks.throughput import _combine, _median_ratio, fetch, wrk

SLUG = "live-updates-us-negotiators-head-to-moscow-to-discuss-ukraine"
WINDOW = 5  # LIVEBLOG_CURSOR_WINDOW: the pages' s-maxage
POLL_INTERVAL = 5  # the story's poll interval for the run
GOAL = 0.5  # each reader's page against the static file
# How soon every reader must see an update: one poll interval plus the cache window, which
# nginx counts in whole seconds (an answer fetched at 100.0 s with s-maxage=5 is fresh until
# 106.0 s, one fetched at 100.9 s until 106.0 s too): one second more at most.
BOUND = POLL_INTERVAL + WINDOW + 1
ARTICLE_ID = re.compile(r'<article class="update[^"]*" id="update-(\d+)"')
# A server for the static file, in the benchmark's nginx only (servers.nginx's ``extra``).
STATIC_SERVER = """
server {{
    listen 127.0.0.1:{port};
    root {root};
}}
"""
SETUP = f"""
from coverage.models import Story
Story.objects.filter(slug={SLUG!r}).update(poll_interval={POLL_INTERVAL})
"""


def run(*, quick=False, rounds=None, seconds=None, readers=8, publishes=None):
    rounds = rounds or (2 if quick else 5)
    seconds = seconds or (2 if quick else 3)  # per target and round
    publishes = publishes or (2 if quick else 4)
    servers.ensure_debian_packages("nginx", "wrk")
    work = Path(tempfile.mkdtemp(prefix="liveblog-edge-"))
    work.chmod(0o755)  # nginx workers run as an unprivileged user
    try:
        env = servers.project_env(
            work,
            DATABASE_URL=f"sqlite:///{work / 'bench.sqlite3'}",
            LIVEBLOG_CURSOR_WINDOW=WINDOW,
        )
        env.pop("REDIS_URL", None)  # the default install: no shared cache
        servers.prepare(env)
        servers.manage(env, "shell", "-c", SETUP)
        with servers.gunicorn(env, work, workers=2) as (origin, _):
            status, _, page = fetch(origin, f"/live/{SLUG}/")
            assert status == 200, status
        static_root, static_port = work / "static-file", servers.free_port()
        static_root.mkdir()
        (static_root / "page.html").write_bytes(random.randbytes(len(page)))
        extra = STATIC_SERVER.format(port=static_port, root=static_root)
        with (
            servers.gunicorn(env, work, workers=2) as (origin, _),
            servers.nginx(work, origin, extra=extra) as port,
        ):
            servers.wait_for_port(static_port)
            throughput = _throughput(port, static_port, len(page), rounds=rounds, seconds=seconds)
            with newsroom.editor(env, SLUG) as editor:
                freshness = _freshness(port, editor, readers=readers, publishes=publishes)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return _verdict(throughput, freshness)


def _targets(port, static_port, size):
    """What wrk asks for: ``{name: (url, headers)}``, each checked once first."""
    base = f"http://127.0.0.1:{port}/live/{SLUG}/"
    status, _, static = fetch(static_port, "/page.html")
    assert status == 200 and len(static) == size, (status, len(static))
    cursor = re.search(rb'data-cursor="(\d+)"', fetch(port, f"/live/{SLUG}/")[2]).group(1).decode()
    changes = f"{base}changes.json?since={cursor}"
    status, headers, _ = fetch(port, changes.removeprefix(f"http://127.0.0.1:{port}"))
    assert status == 200, status
    etag = headers["ETag"]
    status, _, _ = fetch(port, f"/live/{SLUG}/changes.json?since={cursor}", {"If-None-Match": etag})
    assert status == 304, status
    return {
        "static_file": (f"http://127.0.0.1:{static_port}/page.html", []),
        "story_page": (base, []),
        "changes_200": (changes, []),
        "changes_304": (changes, [f"If-None-Match: {etag}"]),
        "feed": (f"{base}feed/", []),
    }


def _throughput(port, static_port, size, *, rounds, seconds):
    targets = _targets(port, static_port, size)
    for url, headers in targets.values():  # warm up: the cache, connections
        wrk(url, seconds=1, headers=headers)
    runs = {name: [] for name in targets}
    # Interleaved rounds: a machine that speeds up or slows down weighs on every target alike.
    for _ in range(rounds):
        for name, (url, headers) in targets.items():
            runs[name].append(wrk(url, seconds=seconds, headers=headers))
    results = {name: _combine(measured) for name, measured in runs.items()}
    return {
        "page_bytes": size,
        "rounds": rounds,
        "seconds_each_round": seconds,
        **results,
        "ratios": {
            name: _median_ratio(runs[name], runs["static_file"]) for name in targets if name != "static_file"
        },
        "errors": sum(
            result["non_2xx_3xx"] + result["socket_errors"]
            for name, result in results.items()
            if name != "changes_304"
        ),
    }


class Reader:
    """A reader loading the story page and polling changes.json every poll interval, as
    ``live.js`` does. ``seen[(path, id)]`` is when the request that first showed an update
    on each path was sent: what the cache answers depends on that moment; how long the
    answer then took (``slowest[path]``, the slowest) is no cache's doing."""

    def __init__(self, port):
        self.port = port
        self.seen, self.slowest, self.errors = {}, {"page": 0.0, "changes": 0.0}, 0

    def follow(self, stop):
        page, cursor = f"/live/{SLUG}/", None
        tick = time.monotonic() + random.uniform(0, POLL_INTERVAL)
        while not stop.wait(max(0.0, tick - time.monotonic())):
            tick += POLL_INTERVAL
            try:
                sent, html = self.ask(page, "page")
                for pk in ARTICLE_ID.findall(html.decode()):
                    self.seen.setdefault(("page", int(pk)), sent)
                if cursor is None:
                    cursor = re.search(rb'data-cursor="(\d+)"', html).group(1).decode()
                sent, body = self.ask(f"{page}changes.json?since={cursor}", "changes")
                answer = json.loads(body)
                cursor = None if answer["reload"] else answer["cursor"]
                for item in answer["updates"]:
                    self.seen.setdefault(("changes", item["id"]), sent)
            except (OSError, ValueError):
                self.errors += 1

    def ask(self, path, name):
        """``(when it was sent, the body)`` of ``path``."""
        sent = time.time()
        status, _, body = fetch(self.port, path)
        self.slowest[name] = max(self.slowest[name], time.time() - sent)
        if status != 200:
            raise OSError(f"{path}: {status}")
        return sent, body


def _freshness(port, editor, *, readers, publishes):
    """Readers poll while the editor publishes ``publishes`` updates at random moments."""
    stop, tabs = threading.Event(), [Reader(port) for _ in range(readers)]
    threads = [threading.Thread(target=tab.follow, args=(stop,)) for tab in tabs]
    for thread in threads:
        thread.start()
    published = []
    try:
        time.sleep(POLL_INTERVAL)
        for number in range(publishes):
            time.sleep(random.uniform(POLL_INTERVAL, POLL_INTERVAL + WINDOW))
            published.append(editor.publish(f"Edge benchmark update {number}."))
        time.sleep(BOUND + 1)  # the last one's bound, and a little more
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
    paths = ("page", "changes")
    result = {
        "readers": readers,
        "poll_interval_seconds": POLL_INTERVAL,
        "cache_window_seconds": WINDOW,
        "published": len(published),
        "missed": sum((path, pk) not in tab.seen for pk, _ in published for tab in tabs for path in paths),
        "errors": sum(tab.errors for tab in tabs),
    }
    for path in paths:
        delays = sorted(
            tab.seen[(path, pk)] - at for pk, at in published for tab in tabs if (path, pk) in tab.seen
        )
        result[f"{path}_max_delay_seconds"] = round(max(delays, default=0), 2)
        result[f"{path}_median_delay_seconds"] = round(delays[len(delays) // 2], 2) if delays else None
        result[f"{path}_slowest_answer_ms"] = round(max(tab.slowest[path] for tab in tabs) * 1000, 1)
    return result


def _verdict(throughput, freshness):
    labels = {
        "story_page": "story page",
        "changes_200": "changes.json 200",
        "changes_304": "changes.json 304",
        "feed": "Atom feed",
    }
    rounds = throughput["rounds"]
    checks = [
        f"{label} / static file = {throughput['ratios'][name]} "
        f"({throughput[name]['requests_per_second']} / {throughput['static_file']['requests_per_second']} "
        f"req/s; goal ≥ {GOAL}; median of {rounds} rounds)"
        for name, label in labels.items()
    ]
    worst = max(freshness["page_max_delay_seconds"], freshness["changes_max_delay_seconds"])
    checks.append(
        f"freshness: {freshness['published']} updates, {freshness['readers']} readers: slowest first sight "
        f"on the page {freshness['page_max_delay_seconds']} s, in changes.json "
        f"{freshness['changes_max_delay_seconds']} s "
        f"(bound {BOUND} s: poll interval + cache window + nginx's whole second); "
        f"missed {freshness['missed']}; slowest answer {freshness['page_slowest_answer_ms']} ms (page), "
        f"{freshness['changes_slowest_answer_ms']} ms (changes.json)"
    )
    errors = throughput["errors"] + freshness["errors"]
    checks.append(f"errors: {errors}")
    passed = (
        all(ratio >= GOAL for ratio in throughput["ratios"].values())
        and worst <= BOUND
        and freshness["missed"] == 0
        and freshness["published"] > 0
        and errors == 0
    )
    return {"throughput": throughput, "freshness": freshness, "passed": passed, "checks": checks}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 rounds of 2 s per target, 2 updates")
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--seconds", type=int, help="per target and round")
    parser.add_argument("--readers", type=int, default=8)
    args = parser.parse_args()
    result = run(quick=args.quick, rounds=args.rounds, seconds=args.seconds, readers=args.readers)
    print(json.dumps(result, indent=2))
    raise SystemExit(0 if result["passed"] else 1)


if __name__ == "__main__":
    main()
