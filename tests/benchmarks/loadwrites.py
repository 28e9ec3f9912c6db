"""Load with writes: 64 readers poll through nginx while an editor publishes one update a second.

The editor works in the real admin (log in, "Add an update to this story",
save) on gunicorn; readers follow changes.json like the page script does.
Afterwards: errors, updates each reader missed, updates seen twice on a
reader's page, rows in the database beyond what the editor published, and
how long after publishing each reader first saw each update (must be within
two poll intervals).

    python -m tests.benchmarks.loadwrites [--readers 64 --seconds 60]
"""

import argparse
import http.client
import json
import random
import re
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from tests.benchmarks import servers
from tests.benchmarks.scaleout import PASSWORD, SETUP, SLUG, Browser
from tests.htmlforms import form_data

POLL_INTERVAL = 10  # the story's poll interval for the run (seconds)
ARTICLE_ID = re.compile(r'<article class="update[^"]*" id="update-(\d+)"')
FINAL = """
import json
from coverage.models import Update
rows = Update.objects.filter(body__startswith="Load test update ").values_list("pk", "body", "published_at")
print(json.dumps([[pk, body, published.timestamp()] for pk, body, published in rows]))
"""


def reader(port, deadline, results, lock):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    connection.request("GET", f"/live/{SLUG}/changes.json")
    cursor = json.loads(connection.getresponse().read())["cursor"]
    page, first_seen, errors, requests, reloads = [], {}, 0, 0, []
    time.sleep(random.uniform(0, POLL_INTERVAL))
    while time.monotonic() < deadline:
        try:
            connection.request("GET", f"/live/{SLUG}/changes.json?since={cursor}")
            response = connection.getresponse()
            body = response.read()
            requests += 1
            if response.status != 200:
                errors += 1
            else:
                data = json.loads(body)
                cursor = data["cursor"]
                if data.get("reload"):  # more changed than one answer holds: as live.js, load the page
                    reloads.append(time.time())
                    connection.request("GET", f"/live/{SLUG}/")
                    html = connection.getresponse().read().decode()
                    page = [int(pk) for pk in ARTICLE_ID.findall(html)]
                    for pk in page:
                        first_seen.setdefault(pk, time.time())
                for item in data["updates"]:
                    if item["id"] not in first_seen:  # as live.js: new ones are added, known ones replaced
                        first_seen[item["id"]] = time.time()
                        page.append(item["id"])
        except (OSError, http.client.HTTPException, ValueError):
            errors += 1
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
        time.sleep(POLL_INTERVAL * random.uniform(0.9, 1.1))
    with lock:
        results.append(
            {
                "requests": requests,
                "errors": errors,
                "page": page,
                "first_seen": first_seen,
                "reloads": reloads,
            }
        )


def editor(port, story_pk, count, published, failures):
    desk = Browser(f"http://127.0.0.1:{port}")
    _, login = desk.get("/admin/login/?next=/admin/")
    desk.post(
        "/admin/login/?next=/admin/", form_data(login, "login-form", username="editor", password=PASSWORD)
    )
    add = f"/admin/coverage/update/add/?story={story_pk}"
    for number in range(count):
        started = time.monotonic()
        try:
            _, form = desk.get(add)
            _, landed, _ = desk.post(
                add, form_data(form, "update_form", body=f"Load test update {number}.", _save="Save")
            )
            if "/add/" in landed:
                failures.append(number)
            else:
                published.append(number)
        except (OSError, SystemExit):
            failures.append(number)
        time.sleep(max(0.0, 1.0 - (time.monotonic() - started)))


def run(*, quick=False, readers=64, seconds=60):
    if quick:
        readers, seconds = 16, 15
    servers.ensure_debian_packages("nginx", "redis-server")
    from tests.benchmarks.throughput import redis_server

    work = Path(tempfile.mkdtemp(prefix="liveblog-loadwrites-"))
    work.chmod(0o755)  # nginx workers run as an unprivileged user
    with redis_server() as redis_url:
        env = servers.project_env(work, REDIS_URL=redis_url)
        servers.prepare(env)
        setup = (
            SETUP.format(password=PASSWORD, slug=SLUG)
            + f"\nStory.objects.filter(slug='{SLUG}').update(poll_interval={POLL_INTERVAL})"
        )
        command = [servers.PYTHON, "manage.py", "shell", "-c", setup]
        story_pk = subprocess.run(
            command, env=env, cwd=servers.ROOT, capture_output=True, text=True, check=True
        ).stdout.split()[-1]
        with (
            servers.gunicorn(env, work, workers=2, threads=4) as (origin, _),
            servers.nginx(work, origin) as port,
        ):
            results, lock, published, failures = [], threading.Lock(), [], []
            catch_up = 2 * POLL_INTERVAL + 5
            deadline = time.monotonic() + seconds + catch_up
            threads = [
                threading.Thread(target=reader, args=(port, deadline, results, lock)) for _ in range(readers)
            ]
            for thread in threads:
                thread.start()
            editor(origin, story_pk, seconds, published, failures)
            for thread in threads:
                thread.join()
        rows = json.loads(
            subprocess.run([servers.PYTHON, "manage.py", "shell", "-c", FINAL], env=env, cwd=servers.ROOT,
                           capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
        )  # fmt: skip
    published_at = {pk: at for pk, _, at in rows}
    bodies = [body for _, body, _ in rows]
    lost = [
        {"update": pk, "published_at": published_at[pk], "reader_reloads": result["reloads"]}
        for result in results
        for pk in published_at
        if pk not in result["first_seen"]
    ]
    missed = len(lost)
    doubled = sum(len(result["page"]) - len(set(result["page"])) for result in results)
    delays = [
        result["first_seen"][pk] - published_at[pk]
        for result in results
        for pk in published_at
        if pk in result["first_seen"]
    ]
    worst = max(delays, default=0)
    errors = sum(result["errors"] for result in results) + len(failures)
    extra_rows = len(bodies) - len(set(bodies)) + max(0, len(rows) - len(published))
    checks = [
        f"{len(published)} updates published through the admin, {len(failures)} refused",
        f"{sum(r['requests'] for r in results)} reader requests, {errors} errors",
        f"lost (an update a reader never saw): {missed}",
        f"duplicated (an update twice on a reader's page, or extra rows): {doubled + extra_rows}",
        f"slowest first sight: {worst:.1f} s after publishing (limit {2 * POLL_INTERVAL} s, two intervals)",
    ]
    return {
        "readers": readers,
        "seconds": seconds,
        "poll_interval": POLL_INTERVAL,
        "published": len(published),
        "errors": errors,
        "lost": missed,
        "lost_detail": lost[:20],
        "duplicated": doubled + extra_rows,
        "median_delay_seconds": round(sorted(delays)[len(delays) // 2], 2) if delays else None,
        "max_delay_seconds": round(worst, 2),
        "passed": errors == 0 and missed == 0 and doubled + extra_rows == 0 and worst <= 2 * POLL_INTERVAL
        and len(published) == seconds,
        "checks": checks,
    }  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=64)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    result = run(quick=args.quick, readers=args.readers, seconds=args.seconds)
    print(json.dumps(result, indent=2))
    raise SystemExit(0 if result["passed"] else 1)


if __name__ == "__main__":
    main()
