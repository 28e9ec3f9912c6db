"""Helpers for tests of reader pages: what a page shows, cut out of its HTML."""

import json
import re

ARTICLE_ID = re.compile(r'<article class="update[^"]*" id="update-(\d+)"')


def main_of(response):
    """The page's <main> (the head repeats update text in its JSON-LD)."""
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def article_ids(response):
    return [int(pk) for pk in ARTICLE_ID.findall(response.content.decode())]


def json_ld(response):
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S)
    return json.loads(match.group(1))
