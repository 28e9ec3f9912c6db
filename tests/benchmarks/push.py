"""Push: how soon stream readers see an update, what the origin pays, and Pushpin killed mid-run.

As deployed: nginx (the shipped ``ops/nginx.conf``) in front of gunicorn, sending the
stories' streams to a Pushpin node (``ops/pushpin/run``'s config) that is itself in front
of gunicorn. Readers are raw sockets on one asyncio loop, each behaving as
``static/coverage/live.js`` does: a Server-Sent Events stream on the story (reopened 2 s
after a drop with ``Last-Event-ID``), one poll of ``changes.json`` 5 s after it opens and
one a minute while it stays open; when the stream fails, polls at the story's interval and
tries the stream again a minute later. An editor publishes through ``coverage.services`` in
a process of its own, every ``--publish-every`` seconds for ``--seconds``.

Figures, for 10, 100 and 1,000 readers: seconds from the editor's save returning to each
reader receiving the update (p50, p99, max), updates lost (never received) and messages
received twice, the requests that reached gunicorn during the publishing, by path. Then,
with the 1,000 readers: Pushpin killed; how soon each reader falls back to polling, that
updates published meanwhile still reach every reader, that readers take the stream again
once Pushpin is back, and how long an editor's save takes with Pushpin down against a
save with no push tier configured at all (interleaved, medians).

    python -m tests.benchmarks.push               # 10, 100, 1,000 readers and the kill
    python -m tests.benchmarks.push --quick       # 10 and 100 readers, shorter, and the kill
"""

import argparse
import asyncio
import collections
import json
import random
import secrets
import statistics
import subprocess
import tempfile
import threading
import time
from contextlib import ExitStack, suppress
from pathlib import Path

from tests import pushpin
from tests.benchmarks import newsroom, servers

SLUG = "live-updates-us-negotiators-head-to-moscow-to-discuss-ukraine"
STREAM = f"/live/{SLUG}/stream"
CHANGES = f"/live/{SLUG}/changes.json"
RECONNECT = 2.0  # seconds: the stream's "retry:" (coverage.push.RECONNECT_MS)
SETTLE_POLL = 5.0  # live.js: one poll this long after a stream opens
STREAMING_POLL = 60.0  # live.js: then one a minute
STREAM_RETRY = 60.0  # live.js: a failed stream is tried again this much later (± 25 %)
INTERVAL = 15.0  # the seeded story's poll interval (the site's default)


class Reader:
    """One open story page, as live.js follows it."""

    def __init__(self, port, results):
        self.port = port
        self.results = results  # shared: raw message -> decoded answer
        self.cursor = ""
        self.streaming = False
        self.opened = asyncio.Event()
        self.seen = {}  # update id -> when first received
        self.messages = set()  # (event id, data) received by the stream
        self.repeats = 0  # a message received twice on the stream
        self.polls = []  # (when, how: "streaming" or "fallback")
        self.fell_back_at = None  # the first poll made because the stream failed
        self.streams_opened = []  # when each stream opened
        self.next_poll = None
        self.errors = 0
        self.refusals = collections.Counter()  # why a stream or a poll failed
        self.reloads = 0  # answers saying "more changed than one answer holds": live.js reloads

    def note(self, answer, how):
        now = time.time()
        # "reload": more changed since the cursor than one answer holds; live.js loads the page
        # again. It happens here when nginx answers a reader's first request with what it kept
        # from the last reader long before (proxy_cache_use_stale updating): a cursor that old.
        self.reloads += bool(answer.get("reload"))
        if answer.get("cursor") and int(answer["cursor"]) >= int(self.cursor or 0):
            self.cursor = answer["cursor"]
        for item in answer.get("updates", ()):
            self.seen.setdefault(item["id"], now)
        return now

    async def request(self, path, headers=""):
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}\r\n".encode())
        await writer.drain()
        status = int((await reader.readline()).split()[1])
        length, chunked = None, False
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "transfer-encoding" and "chunked" in value:
                chunked = True
        return status, reader, writer, length, chunked

    async def poll(self):
        query = f"?since={self.cursor}" if self.cursor else ""  # the page's own cursor, at first
        answer = await self.request(f"{CHANGES}{query}", "Connection: close\r\n")
        status, reader, writer, length, chunked = answer
        body = await reader.read() if length is None else await reader.readexactly(length)
        writer.close()
        if chunked:
            body = dechunk(body)
        if status != 200:
            raise ConnectionError(f"changes.json answered {status}")
        return json.loads(body)

    async def stream_once(self, stop):
        """Read the stream until it drops: True if it opened, False if it was refused."""
        last = f"Last-Event-ID: {self.cursor}\r\n" if self.cursor else ""
        try:
            status, reader, writer, _, chunked = await self.request(STREAM, last)
        except (OSError, ValueError, IndexError) as error:
            self.refusals[type(error).__name__] += 1
            return False
        if status != 200:
            writer.close()
            self.refusals[f"HTTP {status}"] += 1
            return False
        self.streaming = True
        self.streams_opened.append(time.time())
        self.next_poll = time.monotonic() + SETTLE_POLL
        self.opened.set()
        buffer = b""
        try:
            while not stop.is_set():
                if chunked:
                    size = int((await reader.readline()).split(b";")[0], 16)
                    if size == 0:
                        break
                    data = await reader.readexactly(size + 2)
                    buffer += data[:-2]
                else:
                    data = await reader.read(65536)
                    if not data:
                        break
                    buffer += data
                while b"\n\n" in buffer:
                    event, buffer = buffer.split(b"\n\n", 1)
                    self.on_event(event)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            writer.close()
            self.streaming = False
        return True

    def on_event(self, event):
        fields = {}
        for line in event.decode().splitlines():
            name, _, value = line.partition(": ")
            if name in ("id", "data", "event"):
                fields[name] = value
        if fields.get("event") != "changes":
            return  # keep-alive comments and the like
        key = (fields.get("id"), fields["data"])
        if key in self.messages:
            self.repeats += 1
        self.messages.add(key)
        answer = self.results.get(fields["data"])
        if answer is None:
            answer = self.results[fields["data"]] = json.loads(fields["data"])
        self.note(answer, "stream")

    async def follow(self, stop):
        self.note(await self.poll(), "page")  # what the page itself gives live.js: a cursor
        poller = asyncio.create_task(self.keep_polling(stop))
        try:
            await self.streams_and_fallbacks(stop)
        finally:
            poller.cancel()

    async def streams_and_fallbacks(self, stop):
        while not stop.is_set():
            if await self.stream_once(stop) and not stop.is_set():
                await asyncio.sleep(RECONNECT)  # the browser reconnects by itself
                if await self.stream_once(stop):
                    continue
            if stop.is_set():
                break
            # Refused (nginx's 502 with Pushpin down): poll now and at the usual pace; the
            # stream is tried again a minute later.
            if self.fell_back_at is None:
                self.fell_back_at = time.time()
            self.next_poll = time.monotonic()
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), STREAM_RETRY * random.uniform(0.75, 1.25))

    async def keep_polling(self, stop):
        while not stop.is_set():
            await asyncio.sleep(0.05)
            if self.next_poll is None or time.monotonic() < self.next_poll:
                continue
            how = "streaming" if self.streaming else "fallback"
            self.next_poll = time.monotonic() + (STREAMING_POLL if self.streaming else INTERVAL)
            try:
                self.note(await self.poll(), how)
                self.polls.append((time.time(), how))
            except (OSError, ValueError, IndexError, asyncio.IncompleteReadError) as error:
                self.errors += 1
                self.refusals[f"poll: {type(error).__name__}: {str(error)[:60]}"] += 1


def dechunk(body):
    out, rest = b"", body
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out, rest = out + rest[:size], rest[size + 2 :]
    return out


class Loop:
    """The readers' asyncio loop on a thread of its own, so the editor can publish meanwhile."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coroutine, timeout=None):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def close(self):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def percentile(values, share):
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * share))], 3) if ordered else None


def origin_requests(log, since_line):
    counts = {"stream": 0, "changes.json": 0, "other": 0}
    for line in log.read_text().splitlines()[since_line:]:
        path = line.split(" ")[1] if " " in line else ""
        key = "stream" if "/stream" in path else "changes.json" if "/changes.json" in path else "other"
        counts[key] += 1
    return counts


def lines(log):
    return len(log.read_text().splitlines())


def delays(published, readers):
    """Seconds from each save returning to each reader's first receipt; and what was lost."""
    found, lost = [], 0
    for pk, at in published:
        for reader in readers:
            if pk in reader.seen:
                found.append(reader.seen[pk] - at)
            else:
                lost += 1
    return found, lost


def publish_for(editor, seconds, every):
    published, saves = [], []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.monotonic()
        published.append(editor.publish(f"Push benchmark, {time.time():.3f}: Київ, القاهرة, 北京."))
        saves.append(time.monotonic() - started)
        time.sleep(max(0.0, every - (time.monotonic() - started)))
    return published, saves


SAVES = 100
# Saves in one process, in turn with the push tier configured (and down) and with none, on a
# story of their own (no reader follows it): what the push tier adds to an editor's save.
SAVE_COST = """
import json, statistics, time
from django.conf import settings
from django.utils import timezone
from coverage import services
from coverage.models import Story, Update
story = Story(title="Saves with the push tier down", slug="push-save-cost", status="live",
              coverage_start=timezone.now())
services.save_story(story=story)
author = Story.objects.get(slug={slug!r}).lead_author
configured, timings = settings.LIVEBLOG_PUSH_PUBLISH_URLS, {{"push_tier_down": [], "no_push_tier": []}}
for index in range({saves} * 2):
    name = "push_tier_down" if index % 2 else "no_push_tier"
    settings.LIVEBLOG_PUSH_PUBLISH_URLS = configured if index % 2 else ""
    update = Update(story=story, body=f"Save {{index}}.", status="published", published_at=timezone.now())
    started = time.perf_counter()
    services.save_update(update=update, authors=[author])
    timings[name].append(time.perf_counter() - started)
    time.sleep(0.02)
print(json.dumps({{name: round(statistics.median(values) * 1000, 2) for name, values in timings.items()}}))
"""


def save_cost(env):
    script = SAVE_COST.format(slug=SLUG, saves=SAVES)
    command = [servers.PYTHON, "manage.py", "shell", "--no-imports", "-c", script]
    quiet = env | {"LOG_LEVEL": "ERROR"}  # the push tier is down: no warning per save
    done = subprocess.run(command, env=quiet, cwd=servers.ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


class Site:
    """gunicorn; a Pushpin node in front of it; nginx in front of both (streams to Pushpin,
    everything else to gunicorn); editors publishing with the push tier on, and without."""

    def __init__(self, stack):
        servers.ensure_debian_packages("nginx")
        if not pushpin.installed():
            raise SystemExit("pushpin is not installed (apt-get install pushpin)")
        self.work = Path(tempfile.mkdtemp(prefix="liveblog-push-"))
        self.work.chmod(0o755)  # nginx workers run as an unprivileged user
        base = servers.project_env(self.work)
        servers.prepare(base)
        key = secrets.token_urlsafe(32)
        origin_port = servers.free_port()
        self.node = pushpin.Node(f"127.0.0.1:{origin_port}", key, rundir=self.work / "pushpin")
        self.env = base | {"LIVEBLOG_PUSH_PUBLISH_URLS": self.node.publish_url, "LIVEBLOG_PUSH_SIG_KEY": key}
        self.log = self.work / "origin.log"
        stack.enter_context(servers.gunicorn(self.env, self.work, port=origin_port, access_log=self.log))
        self.node.start()
        stack.callback(self.node.stop)
        self.port = stack.enter_context(servers.nginx(self.work, origin_port, push_port=self.node.http_port))
        self.editor = stack.enter_context(newsroom.editor(self.env, SLUG))


ARRIVALS = 200  # readers opening the story per second: 1,000 readers in 5 s


async def spawn(readers, stop):
    tasks = []
    for index, reader in enumerate(readers):
        if index and index % (ARRIVALS // 10) == 0:
            await asyncio.sleep(0.1)
        tasks.append(asyncio.create_task(reader.follow(stop)))
    return tasks


async def all_opened(readers):
    await asyncio.gather(*(reader.opened.wait() for reader in readers))


async def cancel(tasks):
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def wait_until(condition, timeout):
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)
    return condition()


def latency(found):
    return {"p50": percentile(found, 0.5), "p99": percentile(found, 0.99), "max": percentile(found, 1)}


def streamed(site, loop, count, seconds, every):
    """``count`` readers on the stream while the editor publishes: delays, losses, origin load."""
    results, stop = {}, asyncio.Event()
    readers = [Reader(site.port, results) for _ in range(count)]
    tasks = loop.run(spawn(readers, stop))
    loop.run(all_opened(readers), timeout=120)
    time.sleep(SETTLE_POLL + 2)  # every reader's poll after its stream opened is made
    mark = lines(site.log)
    started = time.monotonic()
    published, saves = publish_for(site.editor, seconds, every)
    time.sleep(2)  # the last update reaches the readers
    elapsed = time.monotonic() - started
    origin = origin_requests(site.log, mark)
    found, lost = delays(published, readers)
    figures = {
        "readers": count,
        "published": len(published),
        "seconds": round(elapsed, 1),
        "seconds_to_reader": latency(found),
        "lost": lost,
        "received_twice": sum(reader.repeats for reader in readers),
        "origin_requests": origin,
        "origin_requests_per_minute": round(sum(origin.values()) / elapsed * 60, 1),
        "reader_polls": sum(len(reader.polls) for reader in readers),
        "reader_errors": sum(reader.errors for reader in readers),
        "streams_refused": sum(sum(reader.refusals.values()) - reader.errors for reader in readers),
        "failures": dict(sum((reader.refusals for reader in readers), collections.Counter())),
        "reloads": sum(reader.reloads for reader in readers),
        "save_seconds_median": round(statistics.median(saves), 4),
    }
    return readers, tasks, stop, figures


def killed(site, loop, readers, every):
    """Pushpin killed under ``readers``: fallback, updates while it is down, the way back."""
    for reader in readers:
        reader.fell_back_at = None  # from here on
    killed_at = time.time()
    site.node.stop(kill=True)
    published, _ = publish_for(site.editor, 20, every)
    saves = save_cost(site.env)
    all_fell_back = wait_until(lambda: all(reader.fell_back_at for reader in readers), 30)
    # Every reader polls at the story's interval: what was published reaches every reader.
    wait_until(lambda: not delays(published, readers)[1], INTERVAL + 10)
    found_down, lost_down = delays(published, readers)
    restarted_at = time.time()
    site.node.start()
    back = wait_until(
        lambda: all(reader.streams_opened and reader.streams_opened[-1] > restarted_at for reader in readers),
        STREAM_RETRY + 30,
    )
    time.sleep(SETTLE_POLL + 2)
    after, _ = publish_for(site.editor, 10, every)
    time.sleep(2)
    found_after, lost_after = delays(after, readers)
    fallback = [reader.fell_back_at - killed_at for reader in readers if reader.fell_back_at]
    returned = [
        next(opened for opened in reader.streams_opened if opened > restarted_at) - restarted_at
        for reader in readers
        if reader.streams_opened and reader.streams_opened[-1] > restarted_at
    ]
    return {
        "readers": len(readers),
        "all_fell_back": all_fell_back,
        "seconds_to_fall_back": {"p50": percentile(fallback, 0.5), "max": percentile(fallback, 1)},
        "published_while_down": len(published),
        "seconds_to_reader_while_down": latency(found_down),
        "lost_while_down": lost_down,
        "all_back_on_the_stream": back,
        "seconds_back_after_restart": {"p50": percentile(returned, 0.5), "max": percentile(returned, 1)},
        "published_after": len(after),
        "seconds_to_reader_after": latency(found_after),
        "lost_after": lost_after,
        "save_ms_median": saves,
        "save_ratio_down_to_none": round(saves["push_tier_down"] / saves["no_push_tier"], 3),
    }


def run(*, counts=(10, 100, 1000), seconds=60, every=2.0, kill_too=True):
    runs, loop, kill = [], Loop(), None
    with ExitStack() as stack:
        site = Site(stack)
        for index, count in enumerate(counts):
            readers, tasks, stop, figures = streamed(site, loop, count, seconds, every)
            runs.append(figures)
            if index == len(counts) - 1 and kill_too:
                kill = killed(site, loop, readers, every)
            stop.set()
            loop.run(cancel(tasks), timeout=30)
    loop.close()
    return runs, kill


def report(runs, kill):
    checks, passed = [], True
    for item in runs:
        delay = item["seconds_to_reader"]
        fast = delay["p50"] is not None and delay["p50"] < 0.5 and delay["p99"] < 1.5
        faults = ("lost", "received_twice", "reader_errors", "streams_refused")
        whole = not any(item[name] for name in faults)
        passed = passed and fast and whole
        checks.append(
            f"{item['readers']} readers, {item['published']} updates in {item['seconds']} s: save to reader "
            f"p50 {delay['p50']} s, p99 {delay['p99']} s, max {delay['max']} s; lost {item['lost']}, "
            f"received twice {item['received_twice']}; streams refused {item['streams_refused']}, "
            f"failed polls {item['reader_errors']}, reloads {item['reloads']}; "
            f"origin requests {sum(item['origin_requests'].values())} "
            f"({item['origin_requests']['changes.json']} changes.json, {item['origin_requests']['stream']} "
            f"streams, {item['origin_requests']['other']} other)"
        )
    per_minute = [item["origin_requests_per_minute"] for item in runs]
    # Flat: the readers' polls while streaming (one a minute each) go through nginx's cache; at
    # most a few origin requests per cache window, however many readers.
    flat = max(per_minute) <= max(2 * min(per_minute), 24)
    passed = passed and flat
    checks.append(f"origin requests per minute with 10 → 1,000 readers: {per_minute} (flat: {flat})")
    fell = kill["seconds_to_fall_back"]
    down_ok = kill["all_fell_back"] and fell["max"] is not None and fell["max"] < INTERVAL
    whole = kill["lost_while_down"] == 0 and kill["lost_after"] == 0 and kill["all_back_on_the_stream"]
    after = kill["seconds_to_reader_after"]
    back_fast = after["p99"] is not None and after["p99"] < 1.5
    saves = kill["save_ratio_down_to_none"] <= 1.2
    passed = passed and down_ok and whole and back_fast and saves
    checks += [
        f"Pushpin killed under {kill['readers']} readers: every reader polling after {fell['p50']} s "
        f"(max {fell['max']} s, bound one interval, {INTERVAL:.0f} s); "
        f"{kill['published_while_down']} updates while down reached every reader "
        f"(lost {kill['lost_while_down']}, slowest {kill['seconds_to_reader_while_down']['max']} s)",
        f"Pushpin back: every reader on the stream again after {kill['seconds_back_after_restart']['p50']} s "
        f"(max {kill['seconds_back_after_restart']['max']} s; live.js retries a minute after a failure); "
        f"then save to reader p50 {after['p50']} s, p99 {after['p99']} s, lost {kill['lost_after']}",
        f"an editor's save with Pushpin down {kill['save_ms_median']['push_tier_down']} ms against "
        f"{kill['save_ms_median']['no_push_tier']} ms with no push tier configured (ratio "
        f"{kill['save_ratio_down_to_none']}; medians of {SAVES} saves each, in turn, in one process)",
    ]
    return passed, checks


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 and 100 readers, 20 s each")
    parser.add_argument("--readers", type=int, nargs="*", help="reader counts (default 10 100 1000)")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--publish-every", type=float, default=2.0)
    parser.add_argument("--no-kill", action="store_true", help="the streams only (while working on it)")
    args = parser.parse_args()
    counts = tuple(args.readers or ((10, 100) if args.quick else (10, 100, 1000)))
    seconds = 20 if args.quick else args.seconds
    runs, kill = run(counts=counts, seconds=seconds, every=args.publish_every, kill_too=not args.no_kill)
    if kill is None:
        print(json.dumps({"runs": runs}, indent=2))
        return
    passed, checks = report(runs, kill)
    print(json.dumps({"runs": runs, "kill": kill, "passed": passed, "checks": checks}, indent=2))
    raise SystemExit(0 if passed else 1)


if __name__ == "__main__":
    main()
