"""The pushpin fixture itself: requests reach the origin, and a GRIP hold receives published messages."""

import json
import socket
import threading
import time
import urllib.request
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

from tests.pushpin import pushpin  # noqa: F401  (fixture)

pytestmark = pytest.mark.server


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class _ThreadingServer(WSGIServer):
    def process_request(self, request, client_address):
        threading.Thread(target=super().process_request, args=(request, client_address), daemon=True).start()


def _origin_app(environ, start_response):
    if environ["PATH_INFO"] == "/hold":
        start_response(
            "200 OK", [("Content-Type", "text/plain"), ("Grip-Hold", "stream"), ("Grip-Channel", "t")]
        )
        return [b"opened\n"]
    body = f"origin saw {environ['PATH_INFO']} — новости 新闻 أخبار".encode()
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
    return [body]


@pytest.fixture
def origin():
    server = make_server(
        "127.0.0.1", 0, _origin_app, server_class=_ThreadingServer, handler_class=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_port}"
    server.shutdown()


def test_request_through_pushpin_reaches_origin(pushpin, origin):  # noqa: F811
    node = pushpin(origin)
    with urllib.request.urlopen(f"{node.http_url}/hello", timeout=5) as response:
        assert response.status == 200
        assert response.read().decode() == "origin saw /hello — новости 新闻 أخبار"


def test_grip_hold_receives_published_message_within_a_second(pushpin, origin):  # noqa: F811
    node = pushpin(origin)
    with socket.create_connection(("127.0.0.1", node.http_port), timeout=5) as sock:
        sock.sendall(b"GET /hold HTTP/1.1\r\nHost: x\r\n\r\n")
        received = b""
        while b"opened\n" not in received:
            received += sock.recv(4096)
        # Pushpin subscribes the stream a moment after sending its opening: a message published
        # in that moment is not delivered (live.js polls once after a stream opens for it).
        time.sleep(0.3)
        content = "сообщение 消息 رسالة\n"
        item = {"items": [{"channel": "t", "formats": {"http-stream": {"content": content}}}]}
        started = time.monotonic()
        request = urllib.request.Request(
            node.publish_url, data=json.dumps(item).encode(), headers={"Content-Type": "application/json"}
        )
        urllib.request.urlopen(request, timeout=5).read()
        sock.settimeout(1.0)
        while content.encode() not in received:
            received += sock.recv(4096)
        assert time.monotonic() - started < 1.0
    head, _, body = received.partition(b"\r\n\r\n")
    assert b"200 OK" in head.split(b"\r\n")[0]
    assert content.encode() in body
