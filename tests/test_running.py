"""`make run`: the port and address it serves on, and the host names the site answers to,
with the push tier (Pushpin in front, ``PUSH=1``, the default when pushpin is installed) and
without it (``PUSH=``)."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.browser import missing_tool

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parent.parent


def make_run(*variables):
    """The commands `make run` would run with ``variables`` (none is run)."""
    if shutil.which("make") is None:
        missing_tool("make is not installed")
    return subprocess.run(
        ["make", "--no-print-directory", "-n", "run", *variables],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    ).stdout


def served_with(*variables):
    """(the address readers reach, allowed hosts) of what `make run` starts: the development
    server, or the Pushpin node in front of it."""
    commands = make_run(*variables)
    allowed = re.search(r"ALLOWED_HOSTS='([^']*)'", commands).group(1).split(",")
    node = re.search(r"ops/pushpin/run --host (\S+) --http-port (\d+)", commands)
    if node:
        return f"{node.group(1)}:{node.group(2)}", allowed
    return re.search(r"runserver (\S+)", commands).group(1), allowed


@pytest.mark.parametrize("push", ["PUSH=", "PUSH=1"])
def test_make_run_serves_on_8000_by_default(push):
    address, allowed = served_with(push)
    assert address == "127.0.0.1:8000"
    assert {"localhost", "127.0.0.1", "[::1]"} <= set(allowed)


def test_the_push_tier_is_on_when_pushpin_is_installed():
    commands = make_run()
    assert ("ops/pushpin/run" in commands) is (shutil.which("pushpin") is not None)
    assert "ops/pushpin/run" not in make_run("PUSH=")


def test_with_the_push_tier_django_listens_behind_pushpin_and_both_share_a_fresh_key():
    commands = make_run("PUSH=1", "HOST=0.0.0.0", "PORT=8300")
    assert re.findall(r"runserver (\S+)", commands) == ["127.0.0.1:8001"]  # loopback only, behind the node
    assert "LIVEBLOG_PUSH_PUBLISH_URLS=http://127.0.0.1:5561/publish/" in commands
    assert "ops/pushpin/run --host 0.0.0.0 --http-port 8300 --publish-port 5561" in commands
    assert "--origin 127.0.0.1:8001" in commands
    # One key, made at each start and exported before either process starts.
    assert commands.index("export LIVEBLOG_PUSH_SIG_KEY=$(") < commands.index("runserver")
    assert "secrets.token_urlsafe(32)" in commands


@pytest.mark.django_db
@pytest.mark.parametrize("push", ["PUSH=", "PUSH=1"])
@pytest.mark.parametrize(
    ("variables", "browsed_as"),
    [
        (["PORT=8207"], "127.0.0.1:8207"),
        (["HOST=0.0.0.0", "PORT=8208"], "0.0.0.0:8208"),
        (["HOST=newsroom-laptop.lan", "PORT=8209"], "newsroom-laptop.lan:8209"),
        (["HOST=0.0.0.0", "ALLOWED_HOSTS=laptop.local,192.168.1.20"], "192.168.1.20:8000"),
        (["HOST=0.0.0.0", "ALLOWED_HOSTS=laptop.local,192.168.1.20"], "laptop.local:8000"),
    ],
)
def test_make_run_answers_to_its_host_on_the_port_asked_for(client, settings, variables, browsed_as, push):
    address, allowed = served_with(*variables, push)
    host = dict(variable.split("=", 1) for variable in variables).get("HOST", "127.0.0.1")
    assert address == f"{host}:{browsed_as.rsplit(':', 1)[1]}"
    settings.ALLOWED_HOSTS = allowed  # what the settings read from the environment make sets
    assert client.get("/", HTTP_HOST=browsed_as).status_code == 200
    assert client.get("/", HTTP_HOST="localhost:8000").status_code == 200
    assert client.get("/", HTTP_HOST="elsewhere.example:8000").status_code == 400
