"""A stand-in oEmbed provider for tests: a real HTTP server on 127.0.0.1, in threads of the
test process, that answers each path as a test tells it to and records what arrives.

``stand_in`` (one per test) is the server, with ``LIVEBLOG_FETCH_ALLOW_LOOPBACK`` on so the
fetch may reach it; ``outbound`` records every connection the process opens during the test
and fails the test at once on one to an address that is not loopback (nothing ever leaves the
machine, even if a refusal were broken). ``picture()`` draws real JPEG and PNG bytes.
"""

import io
import ipaddress
import json
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from PIL import Image

# Bounds of the stand-in's endless answers: it stops by itself even if a client never does.
ENDLESS_LIMIT_BYTES = 64 * 1024 * 1024
DRIP_LIMIT_BYTES = 300
DRIP_SECONDS = 0.1


def picture(kind="JPEG", size=(640, 360), colour=(200, 60, 40)):
    """Bytes of a real picture, drawn by Pillow."""
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, kind)
    return buffer.getvalue()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def verify_request(self, request, client_address):
        self.stand_in.connections += 1
        return True

    def handle_error(self, request, client_address):
        """A client that hangs up mid-answer (as the fetch does at its limits) is expected."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        stand_in = self.server.stand_in
        stand_in.requests.append(SimpleNamespace(target=self.path, headers=dict(self.headers)))
        self.close_connection = True
        route = stand_in.routes.get(urlsplit(self.path).path)
        if route is None:
            self.answer(404, "text/plain", b"no such path")
        else:
            route(self)

    def answer(self, status, content_type, body, headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


class StandIn:
    """The stand-in provider: ``routes`` maps a path to what it answers; ``requests`` (each
    with ``target`` and ``headers``) and ``connections`` count what arrived."""

    def __init__(self, tls_context=None):
        self.routes = {}
        self.requests = []
        self.connections = 0
        self.server_names = []  # TLS SNI names the clients sent
        self.stop = threading.Event()
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.stand_in = self
        self.scheme = "http"
        if tls_context is not None:
            tls_context.sni_callback = lambda connection, name, context: self.server_names.append(name)
            self.server.socket = tls_context.wrap_socket(self.server.socket, server_side=True)
            self.scheme = "https"
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05})

    def start(self):
        self.thread.start()
        return self

    def close(self):
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)

    def url(self, path="/", host="127.0.0.1"):
        return f"{self.scheme}://{host}:{self.port}{path}"

    @property
    def paths(self):
        return [urlsplit(request.target).path for request in self.requests]

    # --- what a path answers ---------------------------------------------------------

    def json(self, path, document, status=200, content_type="application/json"):
        body = json.dumps(document, ensure_ascii=False).encode()
        self.routes[path] = lambda handler: handler.answer(status, content_type, body)

    def file(self, path, body, content_type, status=200):
        self.routes[path] = lambda handler: handler.answer(status, content_type, body)

    def redirect(self, path, location, status=302):
        self.routes[path] = lambda handler: handler.answer(
            status, "text/plain", b"moved", headers=[("Location", location)]
        )

    def slow(self, path, seconds):
        """Answers after ``seconds`` (or when the server stops)."""

        def answer(handler):
            if not self.stop.wait(seconds):
                handler.answer(200, "application/json", b'{"type": "video", "title": "late"}')

        self.routes[path] = answer

    def endless(self, path, content_type="application/json", chunked=False):
        """A body that never ends (until the client hangs up, or the bound)."""

        def answer(handler):
            handler.send_response(200)
            handler.send_header("Content-Type", content_type)
            handler.send_header(
                "Transfer-Encoding" if chunked else "Connection", "chunked" if chunked else "close"
            )
            handler.end_headers()
            chunk = b"[" * 65536
            framed = b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk
            sent = 0
            try:
                while sent < ENDLESS_LIMIT_BYTES and not self.stop.is_set():
                    handler.wfile.write(framed)
                    sent += len(chunk)
            except OSError:
                pass

        self.routes[path] = answer

    def drip(self, path):
        """Sends its status line, then its headers a byte every ``DRIP_SECONDS``, never ending them."""

        def answer(handler):
            try:
                handler.wfile.write(b"HTTP/1.1 200 OK\r\n")
                for _ in range(DRIP_LIMIT_BYTES):
                    handler.wfile.write(b"X")
                    handler.wfile.flush()
                    if self.stop.wait(DRIP_SECONDS):
                        break
            except OSError:
                pass

        self.routes[path] = answer


@pytest.fixture
def stand_in(settings):
    """A stand-in provider on 127.0.0.1, which the fetch may reach (the test setting is on)."""
    settings.LIVEBLOG_FETCH_ALLOW_LOOPBACK = True
    server = StandIn().start()
    yield server
    server.close()


@pytest.fixture
def outbound(monkeypatch):
    """The addresses connected to during the test; one that is not loopback fails the test."""
    made = []
    real_connect = socket.socket.connect

    def connect(sock, address):
        made.append(address[0])
        if not ipaddress.ip_address(address[0].split("%")[0]).is_loopback:
            raise AssertionError(f"a connection to {address[0]} was attempted")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return made


@pytest.fixture
def tls_stand_in(settings, tmp_path, monkeypatch):
    """A stand-in provider over TLS whose certificate names ``news.test``, signed by a test
    authority that the fetch trusts (``SSL_CERT_FILE``)."""
    authority, certificate, key = _certificates(tmp_path, "news.test")
    monkeypatch.setenv("SSL_CERT_FILE", str(authority))
    settings.LIVEBLOG_FETCH_ALLOW_LOOPBACK = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, key)
    server = StandIn(tls_context=context).start()
    yield server
    server.close()


def _certificates(folder, host_name):
    """A test authority and a certificate for ``host_name`` it signed: their file paths."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.UTC)

    def name(common):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])

    def signed(subject, public_key, issuer, issuer_key, *, authority, extensions=()):
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=authority, path_length=None), critical=True)
        )
        for extension, critical in extensions:
            builder = builder.add_extension(extension, critical=critical)
        return builder.sign(issuer_key, hashes.SHA256())

    authority_key = ec.generate_private_key(ec.SECP256R1())
    authority_name = name("liveblog test authority")
    authority_key_usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )
    authority = signed(
        authority_name,
        authority_key.public_key(),
        authority_name,
        authority_key,
        authority=True,
        extensions=[
            (authority_key_usage, True),
            (x509.SubjectKeyIdentifier.from_public_key(authority_key.public_key()), False),
        ],
    )
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = signed(
        name(host_name),
        key.public_key(),
        authority_name,
        authority_key,
        authority=False,
        extensions=[
            (x509.SubjectAlternativeName([x509.DNSName(host_name)]), False),
            (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False),
            (x509.AuthorityKeyIdentifier.from_issuer_public_key(authority_key.public_key()), False),
        ],
    )
    paths = folder / "authority.pem", folder / "certificate.pem", folder / "key.pem"
    paths[0].write_bytes(authority.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return paths
