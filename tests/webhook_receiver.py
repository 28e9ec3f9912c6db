"""A webhook receiver for tests: a real HTTP server on 127.0.0.1, in threads of the test process,
that records every POST (path, headers, raw body, when) and answers as a test tells it to.

``receiver`` (one per test) turns ``LIVEBLOG_FETCH_ALLOW_LOOPBACK`` on, so endpoints on it may be
registered and delivered to, and makes retries quick (``LIVEBLOG_WEBHOOK_RETRY_SECONDS``).
"""

import contextlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A client that hangs up mid-answer is expected (the sender cuts long answers)."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        receiver = self.server.receiver
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        answer = receiver.answer_for(self.path)
        received = SimpleNamespace(
            path=self.path, headers=dict(self.headers), body=body, at=time.monotonic(), answered=answer[0]
        )
        with receiver.arrived:
            receiver.received.append(received)
            receiver.arrived.notify_all()
        status, headers, answer_body, delay = answer
        if delay and receiver.stopping.wait(delay):
            return
        self.close_connection = True
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer_body)))
        self.end_headers()
        with contextlib.suppress(OSError):
            self.wfile.write(answer_body)

    def log_message(self, format, *args):
        pass


class Receiver:
    """The receiver: ``answers`` maps a path to a list of answers given in turn (the last one
    repeats); ``received`` holds each POST (``path``, ``headers``, ``body``, ``at``)."""

    def __init__(self):
        self.answers = {}
        self.received = []
        self.arrived = threading.Condition()
        self.stopping = threading.Event()
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.receiver = self
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05})

    def start(self):
        self.thread.start()
        return self

    def close(self):
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)

    def url(self, path="/hook"):
        return f"http://127.0.0.1:{self.port}{path}"

    def answer(self, path, *answers):
        """What ``path`` answers, in turn: each a status, or ``(status, headers, body, delay)``."""
        self.answers[path] = [
            (answer, (), b"ok", 0) if isinstance(answer, int) else answer for answer in answers
        ]

    def answer_for(self, path):
        with self.arrived:
            queue = self.answers.get(path) or [(200, (), b"ok", 0)]
            return queue.pop(0) if len(queue) > 1 else queue[0]

    def wait_for(self, count, timeout=5.0, path=None):
        """The POSTs received (to ``path``, if given) once there are ``count`` of them, or all
        there are after ``timeout`` seconds."""
        end = time.monotonic() + timeout
        with self.arrived:
            while True:
                got = [item for item in self.received if path is None or item.path == path]
                left = end - time.monotonic()
                if len(got) >= count or left <= 0:
                    return got
                self.arrived.wait(left)

    def events(self, path=None):
        """The ``(event, update id)`` of each POST received, in order."""
        return [
            (json.loads(item.body)["event"], json.loads(item.body)["update"]["id"])
            for item in self.received
            if path is None or item.path == path
        ]


@pytest.fixture
def receiver(settings):
    settings.LIVEBLOG_FETCH_ALLOW_LOOPBACK = True
    settings.LIVEBLOG_WEBHOOK_RETRY_SECONDS = "0.2 0.2"
    server = Receiver().start()
    yield server
    server.close()
