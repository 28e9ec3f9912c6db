"""The app's settings: one object reads them, with the defaults of ``coverage/conf.py``."""

from pathlib import Path

import pytest

from coverage.conf import SETTINGS, app_setting, app_settings

README = Path(__file__).resolve().parent.parent / "README.md"


def test_every_app_setting_is_in_the_readme_table():
    table = [line for line in README.read_text().splitlines() if line.startswith("| `")]
    missing = [name for name in SETTINGS if not any(f"`LIVEBLOG_{name}`" in row for row in table)]
    assert missing == []


def test_a_setting_the_project_leaves_out_has_the_app_default(settings):
    del settings.LIVEBLOG_CURSOR_WINDOW
    del settings.LIVEBLOG_COMMENTS_CLOSE_DAYS
    assert (app_settings.CURSOR_WINDOW, app_settings.COMMENTS_CLOSE_DAYS) == (5, 7)


def test_values_are_kept_within_their_bounds(settings):
    settings.LIVEBLOG_CURSOR_WINDOW = 0
    settings.LIVEBLOG_CURSOR_LAG = -4
    settings.LIVEBLOG_POLL_INTERVAL = "30"
    assert (app_settings.CURSOR_WINDOW, app_settings.CURSOR_LAG, app_settings.POLL_INTERVAL) == (1, 0, 30)


def test_an_unknown_name_is_an_error_not_a_silent_default():
    with pytest.raises(AttributeError, match="POLL_INTERVALL"):
        _ = app_settings.POLL_INTERVALL


def test_the_environment_sets_them_typed_like_their_defaults():
    environ = {"LIVEBLOG_POLL_INTERVAL": "20", "LIVEBLOG_LOCAL_CACHE_SECONDS": "0.5"}
    assert app_setting(environ, "POLL_INTERVAL") == 20
    assert app_setting(environ, "LOCAL_CACHE_SECONDS") == 0.5
    assert app_setting(environ, "CURSOR_LAG") == 3
    assert app_setting({}, "PAGE_CACHE_SECONDS", default=60) == 60
    assert app_setting({"LIVEBLOG_PAGE_CACHE_SECONDS": "0"}, "PAGE_CACHE_SECONDS", default=60) == 0


def test_a_value_is_read_once_and_again_after_the_settings_change(settings):
    settings.LIVEBLOG_POLL_INTERVAL = 20
    assert app_settings.POLL_INTERVAL == 20
    assert app_settings._values["POLL_INTERVAL"] == 20  # kept: the next read asks no settings
    settings.LIVEBLOG_POLL_INTERVAL = 40
    assert app_settings.POLL_INTERVAL == 40
    del settings.LIVEBLOG_POLL_INTERVAL
    assert app_settings.POLL_INTERVAL == 15
