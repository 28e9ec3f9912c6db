"""Two app servers, one PostgreSQL, one Redis: a publish on one shows on the other.

An editor logs in to server A's admin and publishes an update through the
"Add an update to this story" form; a reader polls server B's story page and
changes.json. Prints how long B took to show it and PASS when that is within
the story's poll interval.

    DATABASE_URL=postgres://liveblog:liveblog@127.0.0.1/liveblog REDIS_URL=redis://127.0.0.1:6379/0 \\
        python -m tests.benchmarks.scaleout
"""

import http.cookiejar
import json
import os
import re
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from tests.benchmarks import servers
from tests.benchmarks.backup_restore import psql, with_database
from tests.htmlforms import form_data

SLUG = "live-updates-us-negotiators-head-to-moscow-to-discuss-ukraine"
PASSWORD = "scale-out-editor-password"
SETUP = """
from django.contrib.auth import get_user_model
from coverage.models import Author, Story
user = get_user_model().objects.create_superuser("editor", "editor@example.org", "{password}")
author = Author.objects.get(name="Ivan Nechepurenko")
author.user = user
author.save()
print(Story.objects.get(slug="{slug}").pk)
"""


class Browser:
    """Just enough of a browser: cookies, forms, redirects."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path):
        with self.opener.open(self.base + path, timeout=10) as response:
            return response.status, response.read().decode()

    def post(self, path, fields):
        data = urllib.parse.urlencode(fields, doseq=True).encode()
        request = urllib.request.Request(self.base + path, data=data, headers={"Referer": self.base + path})
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, response.geturl(), response.read().decode()
        except urllib.error.HTTPError as error:
            raise SystemExit(f"POST {path} ended at {error.url} with {error.code}") from None


def main():
    base_db, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not base_db.startswith("postgres") or not redis_url.startswith("redis"):
        raise SystemExit("set DATABASE_URL (PostgreSQL) and REDIS_URL: the point is sharing them")
    work = Path(tempfile.mkdtemp(prefix="liveblog-scaleout-"))
    database = with_database(base_db, "liveblog_scaleout")
    psql(base_db, "DROP DATABASE IF EXISTS liveblog_scaleout")
    psql(base_db, "CREATE DATABASE liveblog_scaleout")
    env = servers.project_env(work, DATABASE_URL=database, REDIS_URL=redis_url)
    servers.prepare(env)
    story_pk = subprocess.run(
        [servers.PYTHON, "manage.py", "shell", "-c", SETUP.format(password=PASSWORD, slug=SLUG)],
        env=env, cwd=servers.ROOT, capture_output=True, text=True, check=True,
    ).stdout.strip().splitlines()[-1]  # fmt: skip
    with (
        servers.gunicorn(env, work, workers=2) as (port_a, _),
        servers.gunicorn(env, work, workers=2) as (port_b, _),
    ):
        reader = Browser(f"http://127.0.0.1:{port_b}")
        _, page = reader.get(f"/live/{SLUG}/")  # B caches the page in Redis
        cursor = re.search(r'data-cursor="(\d+)"', page).group(1)
        interval = int(re.search(r'data-interval="(\d+)"', page).group(1))

        editor = Browser(f"http://127.0.0.1:{port_a}")
        _, login = editor.get("/admin/login/?next=/admin/")
        fields = form_data(login, "login-form", username="editor", password=PASSWORD)
        editor.post("/admin/login/?next=/admin/", fields)
        add = f"/admin/coverage/update/add/?story={story_pk}"
        _, form = editor.get(add)
        text = f"Scale-out check {time.time():.0f}: published through server A."
        _, landed, _ = editor.post(add, form_data(form, "update_form", body=text, _save="Save"))
        published_at = time.monotonic()
        assert "/add/" not in landed, "the admin did not accept the update"

        seen = {}
        while len(seen) < 2 and time.monotonic() - published_at < interval * 2:
            if "page" not in seen and text in reader.get(f"/live/{SLUG}/")[1]:
                seen["page"] = time.monotonic() - published_at
            if "changes.json" not in seen:
                data = json.loads(reader.get(f"/live/{SLUG}/changes.json?since={cursor}")[1])
                if any(text in item["html"] for item in data["updates"]):
                    seen["changes.json"] = time.monotonic() - published_at
            time.sleep(0.2)
    result = {"server_a": port_a, "server_b": port_b, "poll_interval": interval, **{
        f"seconds_until_on_b_{name}": round(value, 2) for name, value in seen.items()}}  # fmt: skip
    print(json.dumps(result, indent=2))
    ok = len(seen) == 2 and max(seen.values()) <= interval
    print(
        ("PASS" if ok else "FAIL") + ": server B shows what server A published" + ("" if ok else " too late")
    )
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
