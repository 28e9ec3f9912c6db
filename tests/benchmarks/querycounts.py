"""SQL queries per page at 10 and at 1,000 updates: they must not grow with the story.

Counted in-process with Django's test client, page caching off so every query
is real. Run alone: python -m tests.benchmarks.querycounts
"""

import json
import os
import sys
import tempfile
from pathlib import Path


def setup_in_process(prefix="liveblog-queries-", database_url=None, **extra):
    """Configure Django in this process for an in-process benchmark: a fresh folder, a
    SQLite database in it unless ``database_url`` names one, page caching off (every query
    real), migrated. ``extra``: more environment variables."""
    work = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="liveblog.settings",
        SECRET_KEY="benchmark-only-secret-key-not-for-production-0123456789",
        DEBUG="0",
        SECURE_SSL_REDIRECT="0",
        ALLOWED_HOSTS="testserver",
        DATABASE_URL=database_url or f"sqlite:///{work / 'db.sqlite3'}",
        MEDIA_ROOT=str(work / "media"),
        CACHE_DIR=str(work / "cache"),
        LIVEBLOG_PAGE_CACHE_SECONDS="0",
        **extra,
    )
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    setup_test_environment()
    call_command("migrate", verbosity=0)
    return work


def _count(client, url, **headers):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code in (200, 304), (url, response.status_code)
    return len(queries), response


def _measure(story):
    from django.test import Client

    from coverage import live

    client = Client()
    update = story.updates.order_by("published_at").first()
    author = update.byline_authors()[0]
    since = live.current_cursor() - 90  # after the newest publication, before the three edits (see run())
    counts = {
        "story page": _count(client, story.get_absolute_url())[0],
        "story page, older page": _count(client, story.get_absolute_url() + f"?before={_cursor(story)}")[0],
        "update permalink": _count(client, update.get_absolute_url())[0],
        "author page": _count(client, author.get_absolute_url())[0],
        "Atom feed": _count(client, f"/live/{story.slug}/feed/")[0],
    }
    counts["changes.json 200"], _ = _count(client, f"/live/{story.slug}/changes.json?since={since}")
    # A poll of a story quiet since the reader's cursor: the answer, and its ETag, hold still.
    quiet = f"/live/{story.slug}/changes.json?since={live.current_cursor()}"
    etag = _count(client, quiet)[1]["ETag"]
    counts["changes.json 304"], not_modified = _count(client, quiet, HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304
    return counts


def _cursor(story):
    """The cursor of the story's middle update: an "Older updates" page deep in the story."""
    from coverage.pagination import encode

    updates = story.updates.order_by("-published_at")
    return encode(updates[updates.count() // 2])


def run(*, quick=False):
    setup_in_process()
    from datetime import timedelta

    from django.utils import timezone

    from coverage.models import Story, Update
    from tests.factories import make_author, make_story, make_stream

    results = {}
    for size in (10, 1000):
        story = make_story(title=f"Story with {size} updates")
        make_stream(story=story, count=size, author=make_author(name=f"Writer {size}"))
        hour_ago = timezone.now() - timedelta(hours=1)
        # A quiet story: its ETag holds.
        Update.objects.filter(story=story).update(changed_at=hour_ago, public_changed_at=hour_ago)
        # ... but for three updates edited a minute ago: a reader's poll gets the same
        # three changes whatever the story's size (a poll with more than a page of
        # changes gets the cheaper "reload" answer instead).
        minute_ago = timezone.now() - timedelta(minutes=1)
        newest = story.updates.order_by("-published_at").values_list("pk", flat=True)[:3]
        Update.objects.filter(pk__in=list(newest)).update(changed_at=minute_ago, public_changed_at=minute_ago)
        Story.objects.filter(pk=story.pk).update(updated_at=hour_ago)
        results[size] = _measure(story)
    rows = [
        {"page": page, "queries_at_10": results[10][page], "queries_at_1000": results[1000][page]}
        for page in results[10]
    ]
    checks = [
        f"{row['page']}: {row['queries_at_10']} queries at 10 updates, {row['queries_at_1000']} at 1,000"
        for row in rows
    ]
    return {
        "rows": rows,
        "passed": all(row["queries_at_10"] == row["queries_at_1000"] for row in rows),
        "checks": checks,
    }


def main():
    result = run(quick="--quick" in sys.argv)
    print(json.dumps(result, indent=2))
    raise SystemExit(0 if result["passed"] else 1)


if __name__ == "__main__":
    main()
