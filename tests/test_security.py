"""Abuse at the edge: the admin lockout, proxies' X-Forwarded-For, the comment rate limit."""

import http.cookiejar
import runpy
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import RequestFactory

from coverage import caching
from coverage.models import Comment
from liveblog.security import client_address, login_username
from tests.benchmarks import servers
from tests.factories import make_story, make_update
from tests.htmlforms import form_data

PASSWORD = "right-password-123"
# What Django's login form turns into "chief": padded, full-width, other case, compatibility forms.
VARIANTS = ["chief ", " chief", "ｃｈｉｅｆ", "Chief", "CHIEF\u3000", "\u1d9cʰief"]


@pytest.fixture
def chief(django_user_model):
    return django_user_model.objects.create_superuser("chief", "chief@example.org", PASSWORD)


def login(client, username, password="wrong", **extra):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password}, **extra)


def fail_until_locked(client, username="chief", **extra):
    """Wrong passwords until the pause: the last one is already answered 429."""
    for _ in range(settings.LOGIN_ATTEMPTS_LIMIT - 1):
        assert login(client, username, **extra).status_code == 200  # the form again, with its error
    assert login(client, username, **extra).status_code == 429


# --- one normalized username ------------------------------------------------------------


@pytest.mark.parametrize("variant", VARIANTS)
def test_login_username_is_normalized_as_django_does_then_casefolded(variant):
    request = RequestFactory().post("/admin/login/", {"username": variant})
    assert login_username(request, None) == "chief"
    assert login_username(request, {"username": variant}) == "chief"


@pytest.mark.django_db
@pytest.mark.parametrize("variant", VARIANTS)
def test_variants_of_a_locked_username_are_locked_too(client, chief, variant):
    fail_until_locked(client)
    response = login(client, variant, PASSWORD)
    assert response.status_code == 429
    assert "Too many login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_failures_under_every_variant_add_up_and_lock_the_plain_name(client, chief):
    for variant in VARIANTS[: settings.LOGIN_ATTEMPTS_LIMIT - 1]:
        assert login(client, variant).status_code == 200
    assert login(client, VARIANTS[-1]).status_code == 429
    assert login(client, "chief", PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_padded_name_that_is_not_locked_still_logs_in(client, chief):
    response = login(client, "  chief ", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(chief.pk)


@pytest.mark.django_db
def test_lockout_counts_in_the_database_not_in_a_cache(client, chief):
    """Every worker and server shares the count, with or without Redis."""
    from axes.models import AccessAttempt

    fail_until_locked(client)
    assert AccessAttempt.objects.get().failures_since_start == settings.LOGIN_ATTEMPTS_LIMIT
    cache.clear()
    caching.clear_local()
    assert login(client, "chief", PASSWORD).status_code == 429


@pytest.mark.django_db
def test_other_usernames_and_addresses_are_not_locked(client, chief, django_user_model):
    django_user_model.objects.create_user("someone", password=PASSWORD, is_staff=True)
    fail_until_locked(client)
    assert login(client, "someone", PASSWORD).status_code == 302
    client.logout()
    assert login(client, "chief", PASSWORD, REMOTE_ADDR="198.51.100.9").status_code == 302


# --- which address is the client's --------------------------------------------------------


def request_from(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (0, "203.0.113.1", "10.0.0.2"),  # no proxy declared: the header is the client's own words
        (0, None, "10.0.0.2"),
        (1, "203.0.113.1", "203.0.113.1"),  # nginx appended the address it saw
        (1, "1.1.1.1, 203.0.113.1", "203.0.113.1"),  # what the client wrote comes first, ignored
        (1, "1.1.1.1,203.0.113.1", "203.0.113.1"),
        (2, "1.1.1.1, 198.51.100.7, 203.0.113.1", "198.51.100.7"),  # CDN, then nginx
        (2, "203.0.113.1", "10.0.0.2"),  # fewer hops than declared: not through the proxies
        (1, "", "10.0.0.2"),
        (1, None, "10.0.0.2"),
        (1, "1.1.1.1, not-an-address", "10.0.0.2"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_address_takes_the_declared_hop_from_the_right(settings, hops, forwarded, expected):
    settings.TRUSTED_PROXY_HOPS = hops
    assert client_address(request_from("10.0.0.2", forwarded)) == expected


@pytest.mark.django_db
def test_rotating_x_forwarded_for_without_a_proxy_changes_nothing(client, chief, settings):
    settings.TRUSTED_PROXY_HOPS = 0
    for number in range(settings.LOGIN_ATTEMPTS_LIMIT - 1):
        assert login(client, "chief", HTTP_X_FORWARDED_FOR=f"192.0.2.{number}").status_code == 200
    assert login(client, "chief", HTTP_X_FORWARDED_FOR="192.0.2.200").status_code == 429
    assert login(client, "chief", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.201").status_code == 429


@pytest.mark.django_db
def test_rotating_the_client_written_hops_behind_a_proxy_changes_nothing(client, chief, settings):
    settings.TRUSTED_PROXY_HOPS = 1
    for number in range(settings.LOGIN_ATTEMPTS_LIMIT - 1):
        forwarded = f"192.0.2.{number}, 203.0.113.5"
        assert login(client, "chief", HTTP_X_FORWARDED_FOR=forwarded).status_code == 200
    assert login(client, "chief", HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.5").status_code == 429
    locked = login(client, "ｃｈｉｅｆ ", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.100, 203.0.113.5")
    assert locked.status_code == 429
    # Another reader behind the same proxy, another address: not locked.
    assert login(client, "chief", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 302


# --- comments ------------------------------------------------------------------------------


def comment(client, story, number, **extra):
    data = {"name": "Olena", "email": "o@example.org", "body": f"Comment {number}.", "website": ""}
    return client.post(f"/live/{story.slug}/comments/", data, **extra)


@pytest.mark.django_db
def test_comment_limit_ignores_rotating_x_forwarded_for_and_lives_in_the_database(client, settings):
    settings.TRUSTED_PROXY_HOPS = 0
    story = make_story()
    make_update(story=story)
    for number in range(5):
        response = comment(client, story, number, HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")
        assert response.status_code == 302
    cache.clear()  # not a cache count: the comments table is the record, shared by every worker
    caching.clear_local()
    assert comment(client, story, 6, HTTP_X_FORWARDED_FOR="192.0.2.77").status_code == 429
    assert Comment.objects.count() == 5


@pytest.mark.django_db
def test_comment_limit_behind_a_proxy_counts_the_address_the_proxy_saw(client, settings):
    settings.TRUSTED_PROXY_HOPS = 1
    story = make_story()
    make_update(story=story)
    for number in range(5):
        forwarded = f"192.0.2.{number}, 203.0.113.5"
        assert comment(client, story, number, HTTP_X_FORWARDED_FOR=forwarded).status_code == 302
    assert comment(client, story, 6, HTTP_X_FORWARDED_FOR="192.0.2.9, 203.0.113.5").status_code == 429
    assert comment(client, story, 7, HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 302


# --- across processes ----------------------------------------------------------------------


class Session:
    """Cookies and forms against one server, as a browser would."""

    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"
        cookies = urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        self.opener = urllib.request.build_opener(cookies, _NoRedirect)

    def login(self, username, password, forwarded):
        with self.opener.open(self.base + "/admin/login/", timeout=20) as response:
            page = response.read().decode()
        fields = form_data(page, "login-form", username=username, password=password)
        request = urllib.request.Request(
            self.base + "/admin/login/",
            data=urllib.parse.urlencode(fields).encode(),
            headers={"X-Forwarded-For": forwarded},
        )
        try:
            with self.opener.open(request, timeout=20) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_lockout_holds_across_two_servers_sharing_the_database(served_site):
    """Failures on one server lock the name on another; variants and rotating hops change nothing.

    Each server is its own process (one gunicorn worker each): nothing is shared but the
    database (and Redis, when REDIS_URL is set).
    """
    env = served_site.env | {"TRUSTED_PROXY_HOPS": "0"}
    password = served_site.password
    with (
        servers.gunicorn(env, served_site.work, workers=1) as (port_a, _),
        servers.gunicorn(env, served_site.work, workers=1) as (port_b, _),
    ):
        a, b = Session(port_a), Session(port_b)
        limit = settings.LOGIN_ATTEMPTS_LIMIT
        answers = [
            (a if number % 2 else b).login(VARIANTS[number % len(VARIANTS)], "wrong", f"192.0.2.{number}")
            for number in range(limit)
        ]
        assert answers == [200] * (limit - 1) + [429]
        assert a.login("chief", password, "192.0.2.200") == 429
        assert b.login("ｃｈｉｅｆ", password, "192.0.2.201") == 429
        assert a.login("editor", password, "192.0.2.202") == 302  # another name: not locked


def test_gunicorn_listens_on_loopback_unless_told_otherwise(monkeypatch):
    monkeypatch.delenv("GUNICORN_BIND", raising=False)
    config = runpy.run_path(str(servers.ROOT / "gunicorn.conf.py"))
    assert config["bind"] == "127.0.0.1:8000"


@pytest.mark.parametrize(
    "path",
    [
        "/live/a%00b/",
        "/live/a%00b/changes.json",
        "/authors/a%00b/",
        "/api/v1/stories/a%00b/",
        "/api/v1/stories/a%00b/updates/",
        "/?q=a%00b",
        "/api/v1/stories/x/updates/?author=a%00b",
    ],
)
def test_an_address_with_a_nul_character_is_a_bad_request(client, path):
    assert client.get(path).status_code == 400  # never a server error, on any database


def test_the_api_refuses_a_nul_character_as_it_refuses_everything(client):
    response = client.get("/api/v1/stories/?status=a%00b")
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "A NUL character in the address."
