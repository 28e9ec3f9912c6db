"""Parallel admin saves on SQLite (the default database) wait their turn: no error page, no lost edit.

A real server (gunicorn, two processes of four threads) on a file database, as
``make run`` and small newsrooms use it; ten editors logged in to the admin
press Save at the same moment: eight on eight different updates, two on the
same one (one wins, the other gets the comparison).
"""

import http.cookiejar
import sqlite3
import subprocess
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.benchmarks import servers
from tests.htmlforms import form_data

pytestmark = pytest.mark.server

PARALLEL = 8
SETUP = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from coverage.models import Byline, Author, Story, Update
call_command("migrate", verbosity=0)
call_command("collectstatic", verbosity=0, interactive=False)
author = Author.objects.create(name="Desk Writer", slug="desk-writer")
story = Story.objects.create(title="Parallel", slug="parallel", status="live")
for number in range({updates}):
    update = Update.objects.create(story=story, body=f"Original {{number}}.", status="draft")
    Byline.objects.create(update=update, author=author)
print(",".join(str(pk) for pk in Update.objects.order_by("pk").values_list("pk", flat=True)))
# Logged-in sessions, as the login form makes them (without hashing passwords ten times).
for number in range({editors}):
    user = get_user_model().objects.create_superuser(f"editor{{number}}", "", None)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    print(session.session_key)
"""


class Editor:
    """A browser, enough of one: cookies, forms, redirects; every status kept."""

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.statuses = []

    def request(self, path, fields=None):
        data = urllib.parse.urlencode(fields, doseq=True).encode() if fields is not None else None
        try:
            with self.opener.open(self.base + path, data=data, timeout=60) as response:
                self.statuses.append(response.status)
                return (
                    response.status,
                    urllib.parse.urlparse(response.geturl()).path,
                    response.read().decode(),
                )
        except urllib.error.HTTPError as error:
            self.statuses.append(error.code)
            return error.code, path, error.read().decode(errors="replace")

    def log_in(self, session_key):
        self.jar.set_cookie(
            http.cookiejar.Cookie(
                version=0, name="sessionid", value=session_key, port=None, port_specified=False,
                domain="127.0.0.1", domain_specified=False, domain_initial_dot=False,
                path="/", path_specified=True, secure=False, expires=None, discard=True,
                comment=None, comment_url=None, rest={},
            )
        )  # fmt: skip
        status, landed, _ = self.request("/admin/")
        assert (status, landed) == (200, "/admin/")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    work = tmp_path_factory.mktemp("sqlite-writes")
    database = work / "db.sqlite3"
    env = servers.project_env(work, DATABASE_URL=f"sqlite:///{database}")
    env.pop("REDIS_URL", None)
    setup = SETUP.format(editors=PARALLEL + 2, updates=PARALLEL + 1)
    output = subprocess.run(
        [servers.PYTHON, "manage.py", "shell", "-c", setup],
        env=env, cwd=servers.ROOT, capture_output=True, text=True, check=True,
    ).stdout.strip().splitlines()  # fmt: skip
    ids, sessions = output[-PARALLEL - 3], output[-PARALLEL - 2 :]
    with servers.gunicorn(env, work, workers=2, threads=4) as (port, _):
        yield f"http://127.0.0.1:{port}", database, [int(pk) for pk in ids.split(",")], sessions


def rows(database):
    with sqlite3.connect(database) as connection:
        return {pk: (body, version) for pk, body, version in connection.execute(
            "SELECT id, body, version FROM coverage_update"
        )}  # fmt: skip


def test_parallel_admin_saves_all_land_and_a_stale_one_gets_the_comparison(server):
    base, database, ids, sessions = server
    own, shared = ids[:PARALLEL], ids[PARALLEL]
    editors = [Editor(base) for _ in range(PARALLEL + 2)]
    for editor, session_key in zip(editors, sessions, strict=True):
        editor.log_in(session_key)
    # Each editor opens a change form: eight different updates, then two on the same one.
    targets = [*own, shared, shared]
    forms = []
    for number, (editor, pk) in enumerate(zip(editors, targets, strict=True)):
        status, _, page = editor.request(f"/admin/coverage/update/{pk}/change/")
        assert status == 200
        body = f"Edited by editor {number}: Кремль «ответил», 北京."
        forms.append(form_data(page, "update_form", body=body, status="published", _save="Save"))

    start, results = threading.Barrier(len(editors)), [None] * len(editors)

    def save(number):
        start.wait()
        results[number] = editors[number].request(
            f"/admin/coverage/update/{targets[number]}/change/", forms[number]
        )

    threads = [threading.Thread(target=save, args=(number,)) for number in range(len(editors))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    statuses = [status for editor in editors for status in editor.statuses]
    assert [status for status in statuses if status >= 500] == []
    saved = rows(database)
    # The eight different updates: every save landed, each once.
    for number, pk in enumerate(own):
        assert results[number][:2] == (200, "/admin/coverage/update/")  # redirected to the list
        assert saved[pk] == (f"Edited by editor {number}: Кремль «ответил», 北京.", 2)
    # The same update: one save won, the other was shown the comparison with its text kept.
    outcomes = {number: results[number] for number in (PARALLEL, PARALLEL + 1)}
    winners = [number for number, (_, landed, _) in outcomes.items() if landed == "/admin/coverage/update/"]
    assert len(winners) == 1
    (loser,) = set(outcomes) - set(winners)
    status, landed, page = outcomes[loser]
    assert (status, landed) == (200, f"/admin/coverage/update/{shared}/change/")
    assert "Your changes are not saved" in page and "after you opened it" in page
    assert f"Edited by editor {loser}: Кремль «ответил», 北京.</textarea>" in page
    assert saved[shared] == (f"Edited by editor {winners[0]}: Кремль «ответил», 北京.", 2)
