import pytest

from tests.browser import browser, page  # noqa: F401  (fixtures)


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    """Every test writes uploads and renditions to its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (local memory, or Redis in CI)."""
    from django.core.cache import cache

    from coverage import caching

    cache.clear()
    caching.clear_local()
    yield
    cache.clear()
    caching.clear_local()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Logins in tests need no key stretching."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
