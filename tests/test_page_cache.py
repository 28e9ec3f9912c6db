"""The page cache in front of the middleware (coverage.pagecache): what a kept answer
holds, when it is answered without the stack, and that a missing one is made once."""

import threading

import pytest
from django.test import RequestFactory

from coverage import caching, live, services
from coverage.pagecache import PageCacheMiddleware, SharedResponse
from liveblog import compression
from tests.factories import make_story, make_update
from tests.pages import main_of

pytestmark = pytest.mark.django_db

# What the stack below the page cache adds to a reader's page: kept with it, sent on every hit.
SECURITY_HEADERS = (
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
)


@pytest.fixture(autouse=True)
def _page_cache(settings):
    settings.LIVEBLOG_PAGE_CACHE_SECONDS = 60
    settings.LIVEBLOG_CURSOR_WINDOW = 3600  # cursors (in the page's bytes) hold still
    settings.LIVEBLOG_CURSOR_LAG = 0


def test_a_kept_page_is_sent_with_the_stacks_headers_and_no_query(client, django_assert_num_queries):
    story = make_story()
    make_update(story=story, body="Только что: парламент проголосовал.")
    url = story.get_absolute_url()
    first = client.get(url)
    assert first["X-Page-Cache"] == "MISS"
    with django_assert_num_queries(0):
        hits = [client.get(url) for _ in range(3)]
    for hit in hits:
        assert hit["X-Page-Cache"] == "HIT"
        assert hit.content == first.content
        assert hit["Content-Length"] == str(len(first.content))
        for name in (*SECURITY_HEADERS, "ETag", "Cache-Control", "Content-Type", "Vary"):
            assert hit[name] == first[name], name
    assert main_of(first).count('<p dir="auto">Только что: парламент проголосовал.</p>') == 1


def test_each_coding_is_compressed_once_per_page_version(client, monkeypatch):
    made = []
    compress = compression._compress.__wrapped__

    def counted(content, coding):
        made.append(coding)
        return compress(content, coding)

    monkeypatch.setattr(compression, "_compress", counted)
    story = make_story()
    update = make_update(story=story, body="Первое сообщение.")
    url = story.get_absolute_url()
    for encoding in ("br", "gzip", "", "gzip, deflate, br", "identity") * 4:
        response = client.get(url, HTTP_ACCEPT_ENCODING=encoding)
        sent = {"br": "br", "gzip": "gzip", "gzip, deflate, br": "br"}.get(encoding)
        assert response.get("Content-Encoding") == sent, encoding
    assert sorted(made) == ["br", "gzip"]  # one version, each coding once
    update.body = "Второе сообщение."
    services.save_update(update=update)
    assert client.get(url, HTTP_ACCEPT_ENCODING="br")["X-Page-Cache"] == "MISS"
    assert sorted(made) == ["br", "br", "gzip", "gzip"]


def test_a_kept_poll_answers_conditional_requests_with_304(client):
    story = make_story()
    make_update(story=story)
    since = live.current_cursor()
    url = f"/live/{story.slug}/changes.json?since={since}"
    first = client.get(url)
    assert first.status_code == 200 and first["X-Page-Cache"] == "MISS"
    for headers in (
        {"HTTP_IF_NONE_MATCH": first["ETag"]},
        {"HTTP_IF_NONE_MATCH": f"W/{first['ETag']}"},
        {"HTTP_IF_MODIFIED_SINCE": first["Last-Modified"]},
    ):
        again = client.get(url, **headers)
        assert (again.status_code, again.content, again["X-Page-Cache"]) == (304, b"", "HIT")
        assert again["ETag"] == first["ETag"] and again["Cache-Control"] == first["Cache-Control"]
    assert client.get(url, HTTP_IF_NONE_MATCH='"other"').content == first.content


def test_a_poll_spelled_another_way_gets_the_same_answer(client):
    story = make_story()
    make_update(story=story, body="Перше оновлення.")
    since = live.current_cursor()
    plain = client.get(f"/live/{story.slug}/changes.json?since={since}")
    assert plain["X-Page-Cache"] == "MISS"
    escaped = "".join(f"%{ord(digit):X}" for digit in str(since))
    for query in (f"utm_source=x&since={since}", f"since={since}&x=1", f"since={escaped}"):
        again = client.get(f"/live/{story.slug}/changes.json?{query}")
        assert (again.status_code, again.content) == (200, plain.content), query
    assert client.get(f"/live/{story.slug}/changes.json?since={since}&x=1")["X-Page-Cache"] == "HIT"
    refused = client.get(f"/live/{story.slug}/changes.json?since=١٢٣")  # digits, but not ASCII ones
    assert refused.status_code == 400


def test_the_stack_still_refuses_what_it_refuses_when_a_page_is_kept(client, settings):
    from django.test import Client

    story = make_story()
    url = story.get_absolute_url()
    assert client.get(url)["X-Page-Cache"] == "MISS"
    for _ in range(2):  # the second time too: a host refused once stays refused
        assert client.get(url, HTTP_HOST="attacker.example").status_code == 400
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "partner.example"]
    assert client.get(url, HTTP_HOST="partner.example")["X-Page-Cache"] == "HIT"
    settings.ALLOWED_HOSTS = ["testserver"]
    assert client.get(url, HTTP_HOST="partner.example").status_code == 400
    settings.SECURE_SSL_REDIRECT = True
    client = Client()  # SecurityMiddleware reads the setting when the stack is built
    redirected = client.get(url)
    assert redirected.status_code == 301 and redirected["Location"].startswith("https://")
    secure = client.get(url, secure=True)
    assert secure.status_code == 200 and "Strict-Transport-Security" in secure


def test_an_answer_that_carries_a_clients_data_is_never_kept(rf):
    from django.http import HttpResponse

    request = rf.get("/live/x/")
    for mark in ("cookie", "vary", "csrf"):
        response = HttpResponse("Текст страницы " * 50, content_type="text/html; charset=utf-8")
        if mark == "cookie":
            response.set_cookie("sessionid", "secret")
        elif mark == "vary":
            response["Vary"] = "Accept-Encoding, Cookie"
        else:
            request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
        assert SharedResponse.of(request, response) is None, mark
    plain = HttpResponse("Текст страницы " * 50, content_type="text/html; charset=utf-8")
    assert SharedResponse.of(RequestFactory().get("/live/x/"), plain) is not None


def test_a_missing_answer_is_made_once_while_the_others_wait():
    made, answers, start = [], [], threading.Barrier(20)

    def make():
        made.append(1)
        threading.Event().wait(0.2)  # a slow render: everyone else arrives meanwhile
        return "ответ", 60, "made here"

    def reader():
        start.wait()
        answers.append(caching.make_once("liveblog:test:once", make))

    threads = [threading.Thread(target=reader) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 1
    assert sorted(answers, key=str) == [("ответ", "made here")] + [("ответ", None)] * 19


def test_a_request_waits_for_another_process_making_the_answer():
    """Another process holds the marker: this one looks for its answer instead of rendering."""
    from django.core.cache import cache

    key = "liveblog:test:elsewhere"
    cache.add(f"{key}:making", 1, 5)
    threading.Timer(0.1, lambda: cache.set(key, "сделано", 60)).start()
    assert caching.make_once(key, lambda: pytest.fail("rendered twice")) == ("сделано", None)
    # When the other maker gives up (its marker gone, nothing kept), this one makes it.
    assert caching.make_once("liveblog:test:gone", lambda: ("سطر", 0, "mine")) == ("سطر", "mine")


def test_the_first_poll_after_a_publish_is_rendered_once_for_all_its_readers(client):
    story = make_story()
    earlier = make_update(story=story)
    since = live.current_cursor()
    url = f"/live/{story.slug}/changes.json?since={since}"
    client.get(url)
    update = make_update(story=story, body="新消息：投票结束。")
    statuses = [client.get(url)["X-Page-Cache"] for _ in range(50)]
    assert statuses == ["MISS"] + ["HIT"] * 49
    ids = [item["id"] for item in client.get(url).json()["updates"]]
    assert ids == [update.pk, earlier.pk]  # both published in this hour-long window


def test_the_page_cache_stays_out_of_other_requests(client, admin_client):
    story = make_story()
    assert "X-Page-Cache" not in client.get("/")
    assert "X-Page-Cache" not in admin_client.get("/admin/")
    assert "X-Page-Cache" not in client.post(story.get_absolute_url())
    assert "X-Page-Cache" not in client.get("/live/no-such-story/")
    assert client.get("/live/no-such-story/").status_code == 404


def test_middleware_is_first():
    from django.conf import settings

    assert settings.MIDDLEWARE[0] == f"{PageCacheMiddleware.__module__}.{PageCacheMiddleware.__name__}"


def test_the_shared_caches_add_lets_one_caller_win():
    """What make_once's marker stands on: of many callers adding a key at once, one succeeds
    (Redis in CI's second run, else the file cache's lock file)."""
    from django.core.cache import cache

    def add(key, start, won):
        start.wait()
        if cache.add(key, "да", 60):
            won.append(1)

    for attempt in range(10):
        start, won = threading.Barrier(16), []
        arguments = (f"liveblog:test:add:{attempt}", start, won)
        threads = [threading.Thread(target=add, args=arguments) for _ in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(won) == 1, attempt
