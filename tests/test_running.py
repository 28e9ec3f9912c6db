"""`make run`: the port and address it serves on, and the host names the site answers to."""

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
    """(address, allowed hosts) of the development server `make run` starts."""
    line = next(line for line in make_run(*variables).splitlines() if "runserver" in line)
    allowed = re.search(r"ALLOWED_HOSTS='([^']*)'", line).group(1).split(",")
    return line.rsplit(" ", 1)[1], allowed


def test_make_run_serves_on_8000_by_default():
    address, allowed = served_with()
    assert address == "127.0.0.1:8000"
    assert {"localhost", "127.0.0.1", "[::1]"} <= set(allowed)


@pytest.mark.django_db
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
def test_make_run_answers_to_its_host_on_the_port_asked_for(client, settings, variables, browsed_as):
    address, allowed = served_with(*variables)
    host = dict(variable.split("=", 1) for variable in variables).get("HOST", "127.0.0.1")
    assert address == f"{host}:{browsed_as.rsplit(':', 1)[1]}"
    settings.ALLOWED_HOSTS = allowed  # what the settings read from the environment make sets
    assert client.get("/", HTTP_HOST=browsed_as).status_code == 200
    assert client.get("/", HTTP_HOST="localhost:8000").status_code == 200
    assert client.get("/", HTTP_HOST="elsewhere.example:8000").status_code == 400
