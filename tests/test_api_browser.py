"""The API's interactive documentation, in a real browser: served whole by the site itself."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_documentation_lists_every_operation_from_the_site_alone(page, live_server):
    site = urlsplit(live_server.url).netloc
    elsewhere, errors = [], []
    page.on("request", lambda request: urlsplit(request.url).netloc != site and elsewhere.append(request.url))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(f"{live_server.url}/api/v1/docs/")
    expect(page.locator(".opblock")).to_have_count(11)
    expect(page.locator(".opblock-tag")).to_have_text(["Reading", "Writing"])
    expect(page.locator(".opblock-summary-path").first).to_have_text("/api/v1/stories/")
    assert elsewhere == [] and errors == []
