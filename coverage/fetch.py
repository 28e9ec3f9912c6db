"""A small HTTP(S) GET for metadata the server fetches itself (embeds' oEmbed and thumbnails),
safe against server-side request forgery.

``fetch(url)`` contacts only public hosts on the web's ports: a URL that is not http(s), that
carries credentials or another port, or whose host is (or resolves to) any loopback, private,
link-local, multicast, reserved or otherwise non-global address, IPv4 or IPv6 (IPv4 inside
IPv6 and numeric IPv4 spellings such as ``2130706433`` or ``0x7f.1`` included), is refused
(``FetchRefused``) before anything is sent. The host is resolved once, every address it
resolves to is vetted, and the connection goes to a vetted address itself: a DNS answer that
changes between the check and the connection (rebinding) is never used. The Host header, TLS
SNI and the certificate check name the URL's own host. Redirects (at most 3) are vetted
again the same way.

Anything else that goes wrong is ``FetchFailed``: the whole exchange past ``timeout`` seconds
(name lookup, connection, TLS, headers and body together), a connection or TLS error, a status
outside 2xx, a body over ``max_bytes`` (read in chunks and stopped at the limit, whatever
Content-Length says). No proxy from the environment is used, and bodies are asked for and kept
as sent (``Accept-Encoding: identity``: nothing is decompressed).

``post(url, body, headers=...)`` sends a body (webhooks' events) under the same checks: the
URL and every address vetted the same way, the same deadline, and never a redirect followed (a
3xx is a failure: a body is not sent on to somewhere else). Its answer's body is read up to
``max_bytes`` and cut there (a receiver's answer is only logged); a status outside 2xx is a
``FetchFailed`` whose ``status`` says which.

The tests' stand-in provider listens on 127.0.0.1: ``LIVEBLOG_FETCH_ALLOW_LOOPBACK`` (see
``coverage/conf.py``; set by tests only, never from the environment) lets IPv4 loopback
addresses through, on any port. Every other refusal holds with it.
"""

import contextlib
import http.client
import ipaddress
import re
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit

from .conf import app_settings

MAX_REDIRECTS = 3
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
WEB_PORTS = {"http": 80, "https": 443}
CHUNK_BYTES = 64 * 1024
USER_AGENT = "liveblog-metadata/1.0 (embed previews)"
POST_USER_AGENT = "liveblog-webhooks/1.0"

# NAT64's well-known prefix: its addresses stand for the IPv4 address in their last 32 bits.
NAT64 = ipaddress.ip_network("64:ff9b::/96")
# A host name as DNS knows it (after IDNA): letters, digits, hyphens, underscores and dots.
HOST_NAME = re.compile(r"^[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?$")
# A label of a numeric IPv4 spelling inet_aton() accepts: decimal, octal (leading 0) or hex.
NUMERIC_LABEL = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$")
# Characters kept as they are in a request's path and query; others (spaces, controls,
# non-ASCII) are percent-encoded, so nothing in a URL can break the request line.
TARGET_SAFE = "/?%:@!$&'()*+,;=[]~"


class FetchError(Exception):
    """A fetch that gave no response; ``str()`` says why."""


class FetchRefused(FetchError):
    """A target we never contact (nothing was sent, no connection was made)."""


class FetchFailed(FetchError):
    """A fetch that was tried and did not give a usable response; ``status`` is the HTTP
    status when one came back (``None``: no response)."""

    def __init__(self, message, status=None):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Fetched:
    """A successful response: the final URL (after redirects), its status, its media type
    (``"application/json"``, lower case, without parameters; ``""`` when none was sent)
    and its body's bytes."""

    url: str
    status: int
    content_type: str
    body: bytes


def fetch(url, *, timeout=3.0, max_bytes=1_000_000, accept="*/*"):
    """GET ``url``; returns ``Fetched`` or raises ``FetchRefused`` / ``FetchFailed``."""
    deadline = Deadline(timeout)
    for _ in range(MAX_REDIRECTS + 1):
        target = vet_url(url, lookup_seconds=deadline.left())
        status, content_type, location, body = _exchange(target, deadline, max_bytes, Request(accept=accept))
        if status in REDIRECT_STATUSES:
            if not location:
                raise FetchFailed(f"{url}: redirect ({status}) without a Location")
            url = urljoin(url, location)
            continue
        if not 200 <= status < 300:
            raise FetchFailed(f"{url}: HTTP status {status}", status)
        return Fetched(url, status, content_type, body)
    raise FetchFailed(f"more than {MAX_REDIRECTS} redirects")


def post(url, body, *, headers=(), timeout=5.0, max_bytes=4096):
    """POST ``body`` (bytes) to ``url`` with ``headers`` (name, value pairs); returns ``Fetched``
    (its body cut at ``max_bytes``) or raises ``FetchRefused`` / ``FetchFailed``. Redirects
    are not followed."""
    deadline = Deadline(timeout)
    target = vet_url(url, lookup_seconds=deadline.left())
    request = Request("POST", body, tuple(headers), POST_USER_AGENT, accept="*/*", cut_at_limit=True)
    status, content_type, location, answer = _exchange(target, deadline, max_bytes, request)
    if status in REDIRECT_STATUSES:
        raise FetchFailed(f"{url}: redirect ({status}) to {location or 'nowhere'} not followed", status)
    if not 200 <= status < 300:
        raise FetchFailed(f"{url}: HTTP status {status}", status)
    return Fetched(url, status, content_type, answer)


class Deadline:
    """The time left for a whole exchange, redirects included."""

    def __init__(self, seconds):
        self.end = time.monotonic() + seconds

    def left(self):
        """Seconds left; ``FetchFailed`` once there are none."""
        left = self.end - time.monotonic()
        if left <= 0:
            raise FetchFailed("timed out")
        return left


@dataclass(frozen=True)
class Request:
    """What to send: a GET by default; ``cut_at_limit`` keeps the first ``max_bytes`` of a
    longer answer instead of failing."""

    method: str = "GET"
    body: bytes | None = None
    headers: tuple = ()
    user_agent: str = USER_AGENT
    accept: str = "*/*"
    cut_at_limit: bool = False


@dataclass(frozen=True)
class Target:
    """A vetted URL: where to connect, and the names to send."""

    scheme: str
    host: str  # the URL's host: TLS SNI and certificate check (IDNA-encoded, IPv6 bare)
    port: int
    host_header: str
    request_target: str
    addresses: tuple  # getaddrinfo()-style (family, sockaddr) pairs, all vetted; numeric only for a literal


def vet_url(url, *, lookup_seconds=3.0):
    """The ``Target`` for ``url``, or ``FetchRefused``: checks the URL itself, then the
    addresses its host resolves to (resolving a name once, within ``lookup_seconds``)."""
    if not isinstance(url, str) or any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in url):
        raise FetchRefused("not a URL we fetch")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise FetchRefused(f"not a URL we fetch ({error})") from None
    scheme = parts.scheme.lower()
    if scheme not in WEB_PORTS:
        raise FetchRefused(f"only http and https are fetched, not {scheme or 'a relative URL'!r}")
    if parts.username is not None or parts.password is not None:
        raise FetchRefused("URLs with credentials are not fetched")
    literal, host = _host(parts.hostname)
    allow_loopback = bool(app_settings.FETCH_ALLOW_LOOPBACK)
    port = WEB_PORTS[scheme] if port is None else port
    if literal is not None:
        _vet_address(literal, allow_loopback)
    web_port = port in (80, 443)
    if not web_port and not allow_loopback:
        raise FetchRefused(f"port {port} is not fetched (only 80 and 443)")
    if literal is not None:
        family = socket.AF_INET6 if literal.version == 6 else socket.AF_INET
        addresses = ((family, (str(literal), port)),)
    else:
        addresses = _resolve(host, port, lookup_seconds)
        for _, sockaddr in addresses:
            _vet_address(_ip(sockaddr[0]), allow_loopback)
    if not web_port and not all(_ip(sockaddr[0]).is_loopback for _, sockaddr in addresses):
        raise FetchRefused(f"port {port} is not fetched (only 80 and 443; others on loopback in tests)")
    named = f"[{host}]" if literal is not None and literal.version == 6 else host
    host_header = named if port == WEB_PORTS[scheme] else f"{named}:{port}"
    target = quote(parts.path or "/", safe=TARGET_SAFE)
    if parts.query:
        target += "?" + quote(parts.query, safe=TARGET_SAFE)
    return Target(scheme, host, port, host_header, target, addresses)


def _host(hostname):
    """``(IP address or None, host)`` for a URL's host, or ``FetchRefused`` for one that is
    neither an IP address nor a DNS name. Numeric IPv4 spellings are read as inet_aton() reads
    them (``0x7f.1``, ``017700000001``), never handed to DNS."""
    if not hostname:
        raise FetchRefused("URL without a host")
    try:
        return _ip(hostname), hostname
    except ValueError:
        pass
    try:
        host = hostname.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise FetchRefused(f"not a host name: {hostname!r}") from None
    if not HOST_NAME.match(host):
        raise FetchRefused(f"not a host name: {hostname!r}")
    labels = host.rstrip(".").split(".")
    if all(NUMERIC_LABEL.match(label) for label in labels):
        try:
            address = ipaddress.IPv4Address(socket.inet_aton(host.rstrip(".")))
        except OSError:
            raise FetchRefused(f"not an IP address or a host name: {hostname!r}") from None
        return address, str(address)  # the Host header and TLS name in the usual spelling
    return None, host


def _ip(text):
    """An ``ipaddress`` object for ``text``; an IPv6 zone (``%eth0``) is kept, and refused later."""
    return ipaddress.ip_address(text)


def _resolve(host, port, seconds):
    """Every address ``host`` resolves to, as ``(family, sockaddr)``; asked once.

    The lookup runs on a thread of its own, given up after ``seconds``: the standard
    resolver takes no timeout.
    """
    answer = {}

    def look_up():
        try:
            answer["found"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as error:
            answer["error"] = error

    lookup = threading.Thread(target=look_up, name="fetch-lookup", daemon=True)
    lookup.start()
    lookup.join(seconds)
    if "found" not in answer:
        raise FetchFailed(f"{host}: name not resolved ({answer.get('error', 'timed out')})")
    addresses = tuple(
        (family, sockaddr)
        for family, _, _, _, sockaddr in answer["found"]
        if family in (socket.AF_INET, socket.AF_INET6)
    )
    if not addresses:
        raise FetchFailed(f"{host}: no address")
    return addresses


def is_public(address, *, allow_loopback=False):
    """Whether ``address`` (an ``ipaddress`` object or its text) is one we may contact: a
    global unicast address, judged by the IPv4 address it carries when it carries one
    (IPv4-mapped, 6to4, NAT64). ``allow_loopback`` lets IPv4 loopback addresses through
    (127.0.0.0/8, where the tests' stand-in listens); ``::1`` and loopback carried in IPv6
    stay refused, so tests can show those refusals with the stand-in running."""
    ip = _ip(address) if isinstance(address, str) else address
    if ip.version == 6:
        if ip.scope_id:
            return False
        carried = ip.ipv4_mapped or ip.sixtofour
        if carried is None and ip in NAT64:
            carried = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if carried is not None:
            return is_public(carried)
    if allow_loopback and ip.version == 4 and ip.is_loopback:
        return True
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or (ip.version == 6 and ip.is_site_local)
    )


def _vet_address(ip, allow_loopback):
    if not is_public(ip, allow_loopback=allow_loopback):
        raise FetchRefused(f"{ip} is not a public address")


def _exchange(target, deadline, max_bytes, request):
    """One request and its response: ``(status, media type, Location, body)``.

    A watchdog cuts the connection when the deadline passes, wherever the exchange is
    (a server that sends its headers a byte at a time is cut too); a cut exchange fails,
    whatever was read.
    """
    sock = _connect(target, deadline)
    connection = None
    cut = threading.Event()

    def cut_off():
        cut.set()
        with contextlib.suppress(OSError):
            # socket.socket's own shutdown, also for TLS: a blocked read returns at once.
            socket.socket.shutdown(sock, socket.SHUT_RDWR)

    watchdog = threading.Timer(max(deadline.end - time.monotonic(), 0), cut_off)
    watchdog.daemon = True
    watchdog.start()
    try:
        if target.scheme == "https":
            sock = _tls_context().wrap_socket(sock, server_hostname=target.host)
        connection = http.client.HTTPConnection(target.host, target.port)
        connection.sock = sock  # connected, to the vetted address: http.client does not connect again
        connection.putrequest(request.method, target.request_target, skip_host=True)
        headers = [
            ("Host", target.host_header),
            ("User-Agent", request.user_agent),
            ("Accept", request.accept),
            ("Connection", "close"),
        ]
        if request.body is not None:
            headers.append(("Content-Length", str(len(request.body))))
        for name, value in [*headers, *request.headers]:
            connection.putheader(name, value)
        connection.endheaders(request.body)
        response = connection.getresponse()
        status = response.status
        content_type = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
        location = _header_text(response.getheader("Location"))
        if request.cut_at_limit:
            body = _read_start(response, max_bytes)
        elif status in REDIRECT_STATUSES or status >= 400:
            body = b""
        else:
            body = _read_body(response, max_bytes)
        if cut.is_set():
            raise FetchFailed("timed out")
        return status, content_type, location, body
    except FetchFailed:
        raise
    except (OSError, http.client.HTTPException, ValueError) as error:
        if cut.is_set():
            raise FetchFailed("timed out") from None
        raise FetchFailed(f"{target.host}: {type(error).__name__}: {error}") from None
    finally:
        watchdog.cancel()
        if connection is not None:
            connection.close()  # the response too: its file holds the socket open
        sock.close()


def _connect(target, deadline):
    """A TCP connection to the first of the vetted addresses that answers."""
    errors = []
    for family, sockaddr in target.addresses:
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(deadline.left())
            sock.connect(sockaddr)
        except FetchFailed:
            sock.close()
            raise
        except OSError as error:
            sock.close()
            errors.append(f"{sockaddr[0]}: {error}")
            continue
        sock.settimeout(max(deadline.end - time.monotonic(), 0.001))
        return sock
    raise FetchFailed(f"{target.host}: no connection ({'; '.join(errors)})")


def _tls_context():
    """Certificates checked against the system's trusted authorities (``SSL_CERT_FILE`` when set)."""
    return ssl.create_default_context()


def _read_body(response, max_bytes):
    chunks, size = [], 0
    declared = response.getheader("Content-Length")
    if declared and declared.strip().isdigit() and int(declared) > max_bytes:
        raise FetchFailed(f"body of {int(declared)} bytes is over the limit of {max_bytes}")
    while True:
        chunk = response.read(CHUNK_BYTES)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise FetchFailed(f"body over the limit of {max_bytes} bytes")
        chunks.append(chunk)


def _read_start(response, max_bytes):
    """The first ``max_bytes`` of the body at most; the rest is never read."""
    chunks, size = [], 0
    while size < max_bytes:
        chunk = response.read(min(CHUNK_BYTES, max_bytes - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _header_text(value):
    """A header as sent: http.client reads headers as Latin-1, servers write URLs in UTF-8."""
    if value is None:
        return None
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value
