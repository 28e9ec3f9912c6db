"""pytest fixture `pushpin`: one unprivileged Pushpin node on free ports in front of a given origin.

Use: `node = pushpin("127.0.0.1:8001")` inside a test (the fixture is a factory); it waits until the
node answers and yields (http_url, publish_url); the nodes are stopped at teardown. Under CI=true a
missing pushpin binary fails the test; elsewhere it skips.
"""

import importlib.machinery
import importlib.util
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parent.parent / "ops" / "pushpin" / "run"


def _load_runner():
    loader = importlib.machinery.SourceFileLoader("pushpin_run", str(RUN))
    spec = importlib.util.spec_from_loader("pushpin_run", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def _wait_until_answers(
    url: str, proc: subprocess.Popen, timeout: float = 15.0, data: bytes | None = b'{"items":[]}'
) -> None:
    """Poll until url gives any HTTP answer: the proxy and handler are both up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"pushpin exited with {proc.returncode}")
        try:
            urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=1).read()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"pushpin did not answer at {url}")


@pytest.fixture
def pushpin(tmp_path):
    if not shutil.which("pushpin"):
        if os.environ.get("CI") == "true":
            pytest.fail("pushpin is not installed (apt-get install pushpin)")
        pytest.skip("pushpin is not installed")
    runner = _load_runner()
    procs = []

    def start(origin: str):
        http_port, publish_port = runner.free_port(), runner.free_port()
        rundir = tmp_path / f"pushpin{len(procs)}"
        conf = runner.write_config(rundir, http_port, publish_port, origin)
        proc = subprocess.Popen(
            [shutil.which("pushpin"), "--config", str(conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        procs.append(proc)
        publish_url = f"http://127.0.0.1:{publish_port}/publish/"
        _wait_until_answers(publish_url, proc)
        _wait_until_answers(f"http://127.0.0.1:{http_port}/", proc, data=None)
        return f"http://127.0.0.1:{http_port}", publish_url

    yield start
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
