import io
import subprocess
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import call_command

from tests.browser import browser, page  # noqa: F401  (fixtures)
from tests.clipfiles import clip_files  # noqa: F401  (fixture)
from tests.factories import SHIPPED_SEED
from tests.oembed_server import outbound, stand_in, tls_stand_in  # noqa: F401  (fixtures)
from tests.s3 import s3_media, s3_server  # noqa: F401  (fixtures)
from tests.webhook_receiver import receiver  # noqa: F401  (fixture)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """SQLite tests use a database file (in this test process's own temporary folder), not
    Django's shared in-memory one: threads that open their own connection (the webhook
    delivery worker) then wait for each other's locks as in production (WAL, busy timeout),
    where in memory a reader's table lock fails a writer at once ("database table is locked")."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        folder = tmp_path_factory.mktemp("database")
        database.setdefault("TEST", {})["NAME"] = str(folder / "test.sqlite3")


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    """Every test writes uploads and renditions to its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session")
def _cache_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def _empty_cache(settings, _cache_folder):
    """Each test starts with an empty cache: Redis in CI's second run, else the file cache of
    the default install, in a folder of this test process's own (``make test-fast`` runs two)."""
    from django.core.cache import cache

    from coverage import caching

    if settings.CACHES["default"]["BACKEND"].endswith("FileCache"):
        settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": str(_cache_folder)}}
    cache.clear()
    caching.clear_local()
    yield
    cache.clear()
    caching.clear_local()


@pytest.fixture(autouse=True)
def _no_embed_fetch(settings):
    """No test asks a provider about an embed unless it says so (a test setting turns it on)."""
    settings.LIVEBLOG_EMBED_FETCH = False


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Logins in tests need no key stretching."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


SERVED_SITE_SETUP = """
from django.contrib.auth import get_user_model
from coverage.models import Author, Story
users = get_user_model().objects
users.create_superuser("chief", "chief@example.org", "{password}")
editor = users.create_superuser("editor", "editor@example.org", "{password}")
Author.objects.create(name="Served Reporter", slug="served-reporter", user=editor)  # the form's byline
print(Story.objects.create(title="Served site", slug="served-site", status="live").pk)
"""


# Fixtures that start servers: a test that uses one is a "server" test (``make test-fast`` skips it).
# s3_server (tests/s3.py) is a local S3 server in a thread, as live_server is a site in a thread.
SERVER_FIXTURES = {"served_site", "live_server", "s3_server"}


def pytest_collection_modifyitems(items):
    for item in items:
        if SERVER_FIXTURES & set(item.fixturenames):
            item.add_marker(pytest.mark.server)


@pytest.fixture(scope="session")
def served_site():
    """A deployed site for tests that start real servers (gunicorn, nginx): a SQLite
    database migrated, static files collected, logins "chief" and "editor" (password
    ``served_site.password``) and one live story (``served_site.story_pk``)."""
    from tests.benchmarks import servers

    # Not under pytest's temporary folders: those are private to root, and nginx's
    # unprivileged workers must reach this one (request bodies, media).
    with tempfile.TemporaryDirectory(prefix="liveblog-served-") as folder:
        work = Path(folder)
        work.chmod(0o755)
        env = servers.project_env(work, DATABASE_URL=f"sqlite:///{work / 'db.sqlite3'}")
        servers.manage(env, "migrate", "--noinput")
        servers.manage(env, "collectstatic", "--noinput")
        password = "served-site-password-123"
        script = SERVED_SITE_SETUP.format(password=password)
        shell = [servers.PYTHON, "manage.py", "shell", "-c", script]
        output = subprocess.run(shell, env=env, cwd=servers.ROOT, capture_output=True, text=True, check=True)
        yield SimpleNamespace(work=work, env=env, password=password, story_pk=output.stdout.split()[-1])


@pytest.fixture
def seeded():
    """The shipped seed document, loaded: its story."""
    from coverage.models import Story

    call_command("seed", SHIPPED_SEED, stdout=io.StringIO())
    return Story.objects.get()
