"""Start the project's real servers for benchmarks and tests: gunicorn (origin) and nginx
(shared cache, with the shipped ``ops/nginx.conf``).

Everything lives in a temporary folder and listens on 127.0.0.1 only.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


def ensure_debian_packages(*commands):
    """apt-get install the Debian packages behind ``commands`` when missing (root only)."""
    packages = {"nginx": "nginx", "wrk": "wrk", "redis-server": "redis-server"}
    missing = [
        packages[name]
        for name in commands
        if shutil.which(name) is None and not Path(f"/usr/sbin/{name}").exists()
    ]
    if not missing:
        return
    if os.geteuid() != 0:
        raise SystemExit(f"install {' '.join(missing)} first (apt-get install {' '.join(missing)})")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(
        ["apt-get", "install", "-y", "-q", *missing], check=True, env=env, stdout=subprocess.DEVNULL
    )


def processes(*, parent=None, session=None):
    """The pids of the processes whose parent is ``parent``, or whose session is ``session``
    (Linux's /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # after the name: state, ppid, pgrp, session
        except OSError:
            continue
        if int(fields[1]) == parent or int(fields[3]) == session:
            found.append(int(stat.parent.name))
    return found


def nginx_binary():
    return shutil.which("nginx") or "/usr/sbin/nginx"


def project_env(workdir, **extra):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "liveblog.settings",
        "SECRET_KEY": "benchmark-only-secret-key-not-for-production-0123456789",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}"),
        "MEDIA_ROOT": str(workdir / "media"),
        "STATIC_ROOT": str(workdir / "static"),
        "CACHE_DIR": str(workdir / "cache"),  # the file cache, without REDIS_URL
        "PYTHONPATH": str(ROOT),
        "LOG_LEVEL": "WARNING",
        "SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback
        "SECURE_COOKIES": "0",
    }
    env.update({key: str(value) for key, value in extra.items()})
    return env


def prepare(env):
    """What a deployment does before serving: migrate, collect static files, load the seeds."""
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    manage(env, "seed")


def manage(env, *args):
    subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), *args], check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL
    )


@contextmanager
def gunicorn(
    env, workdir, *, workers=2, threads=1, access_log=None, port=None, app="liveblog.wsgi:application"
):
    port = port or free_port()
    command = [
        PYTHON, "-m", "gunicorn", app,
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
        "--log-level", "warning", "--max-requests", "0",  # no worker recycling mid-measurement
    ]  # fmt: skip
    # The project's gunicorn.conf.py is read too; these flags override it.
    command += ["--access-logfile", str(access_log) if access_log else "/dev/null"]
    if access_log:
        command += ["--access-logformat", "%(r)s %(s)s"]
    with open(workdir / "gunicorn.err", "ab") as errors:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stderr=errors)
        try:
            wait_for_port(port)
            yield port, process
        finally:
            process.terminate()
            process.wait(timeout=15)


SHIPPED_NGINX_SITE = ROOT / "ops" / "nginx.conf"
# Only what a private nginx in a temporary folder needs around the shipped site file.
NGINX_MAIN = """
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 8192; }}
http {{
    {mime_types}
    access_log off;
    client_body_temp_path {work}/client_body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    include {work}/liveblog.conf;
    {extra}
}}
"""


def nginx_site(**values):
    """``ops/nginx.conf`` with its ``${LIVEBLOG_...}`` names replaced by ``values`` (as envsubst would)."""
    text = SHIPPED_NGINX_SITE.read_text()
    for name, value in values.items():
        text = text.replace("${LIVEBLOG_" + name + "}", str(value))
    left = sorted(set(re.findall(r"\$\{LIVEBLOG_\w+\}", text)))
    if left:
        raise ValueError(f"ops/nginx.conf: no value for {', '.join(left)}")
    return text


@contextmanager
def nginx(workdir, origin_port, port=None, extra="", push_port=None):
    """nginx on 127.0.0.1 with the shipped ``ops/nginx.conf``, in front of ``origin_port``
    (streams to ``push_port``, a Pushpin node; without one, to the origin too).

    ``extra``: more of the http block for a benchmark (another server, say), beside the
    shipped site and never in it.
    """
    port = port or free_port()
    site = nginx_site(
        LISTEN=f"127.0.0.1:{port}",
        SERVER_NAME="127.0.0.1 localhost",
        ORIGIN=f"127.0.0.1:{origin_port}",
        PUSH=f"127.0.0.1:{push_port or origin_port}",
        MEDIA_ROOT=f"{workdir / 'media'}/",
        CACHE=workdir / "nginx-cache",  # workdir / "cache" is the app's file cache (project_env)
    )
    (workdir / "liveblog.conf").write_text(site)
    mime_types = "include /etc/nginx/mime.types;" if Path("/etc/nginx/mime.types").exists() else ""
    conf = workdir / "nginx.conf"
    conf.write_text(NGINX_MAIN.format(work=workdir, mime_types=mime_types, extra=extra))
    command = [nginx_binary(), "-c", str(conf), "-p", str(workdir), "-g", "daemon off;"]
    with open(workdir / "nginx.err", "ab") as errors:
        process = subprocess.Popen(command, stderr=errors)
        try:
            wait_for_port(port)
            yield port
        finally:
            process.terminate()
            process.wait(timeout=15)
