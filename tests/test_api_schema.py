"""Schemathesis against the served OpenAPI schema: no server error, every answer as documented.

It generates requests from the schema (valid and not), as a Reporter with a token and
anonymously, against the live test server, and checks each answer's status code,
media type, headers and body against what the schema says.
"""

import subprocess
import sys
from pathlib import Path

import pytest

from coverage import services
from coverage.models import Update
from tests.factories import make_author, make_story, make_update, make_user

pytestmark = [pytest.mark.server, pytest.mark.django_db(transaction=True)]

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)
SCHEMATHESIS = Path(sys.executable).with_name("st")


def run_schemathesis(url, *headers):
    command = [str(SCHEMATHESIS), "run", url, "--checks", CHECKS, "--max-examples", "12", "--seed", "2026"]
    for header in headers:
        command += ["--header", header]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)


@pytest.fixture
def newsroom(settings):
    settings.LIVEBLOG_API_RATE_LIMIT = 1_000_000
    story = make_story(title="Вибори", summary="**Підсумок** дня.")
    author = make_author(name="مريم حداد")
    make_update(story=story, authors=[author], body="Перше оновлення.", key_event=True)
    make_update(story=story, authors=[author], body="Second.", pinned=True)
    make_update(story=story, authors=[author], body="Draft.", status=Update.Status.DRAFT)
    reporter = make_user(role="Reporters")
    make_update(story=story, authors=[reporter.author], body="Mine.")
    _, key = services.create_token(user=reporter, name="schemathesis")
    return key


@pytest.mark.parametrize("who", ["reporter", "anonymous"])
def test_every_answer_matches_the_schema(live_server, newsroom, who):
    headers = [f"Authorization: Bearer {newsroom}"] if who == "reporter" else []
    result = run_schemathesis(f"{live_server.url}/api/v1/schema/", *headers)
    report = result.stdout[-6000:] + result.stderr[-2000:]
    assert result.returncode == 0, report
    assert "Tested: 11" in result.stdout, report
    assert "failures" not in result.stdout.split("SUMMARY")[-1].lower() or " 0 failures" in result.stdout, (
        report
    )
