"""The server's own HTTP(S) GET (coverage/fetch.py): it reaches public hosts only, never a
private, loopback or link-local one (directly, by redirect or by a DNS answer), connects to
the address it vetted, and gives up at its time and size limits.

A real stand-in server on 127.0.0.1 answers (tests/oembed_server.py); the ``outbound``
fixture fails a test that opens a connection to anything but loopback.
"""

import ipaddress
import re
import socket
import threading
import time

import pytest

from coverage import fetch as fetching
from coverage.fetch import FetchFailed, FetchRefused, fetch, is_public


def answers(table):
    """A ``socket.getaddrinfo`` that answers names from ``table`` (name -> addresses) and
    records the names asked; the stand-in for a DNS server."""
    asked = []

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        asked.append(host)
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        found = table[host]
        addresses = found(len(asked)) if callable(found) else found
        return [
            (
                socket.AF_INET6 if ":" in address else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (address, port),
            )
            for address in addresses
        ]

    getaddrinfo.asked = asked
    return getaddrinfo


@pytest.fixture
def dns(monkeypatch):
    """Install ``answers(table)`` as the resolver: ``dns({"news.example": ["10.0.0.1"]})``."""

    def install(table):
        resolver = answers(table)
        monkeypatch.setattr(socket, "getaddrinfo", resolver)
        return resolver.asked

    return install


# --- what is fetched ----------------------------------------------------------------------


def test_a_page_is_fetched_with_its_host_type_and_body(stand_in, outbound):
    stand_in.file("/page", "Привіт, مرحبا, 你好".encode(), "text/plain; charset=utf-8")

    fetched = fetch(stand_in.url("/page?q=1"), accept="text/plain")

    assert fetched == fetching.Fetched(
        stand_in.url("/page?q=1"), 200, "text/plain", "Привіт, مرحبا, 你好".encode()
    )
    [request] = stand_in.requests
    assert request.target == "/page?q=1"
    assert request.headers["Host"] == f"127.0.0.1:{stand_in.port}"
    assert request.headers["Accept"] == "text/plain"
    assert request.headers["Accept-Encoding"] == "identity"
    assert outbound == ["127.0.0.1"]


def test_non_latin_letters_in_a_path_are_percent_encoded_and_spaces_refused(stand_in):
    stand_in.file("/%D0%BA%D0%B8%D1%97%D0%B2/%E6%96%B0%E9%97%BB", b"ok", "text/plain")

    assert fetch(stand_in.url("/київ/新闻")).body == b"ok"
    assert stand_in.requests[0].target == "/%D0%BA%D0%B8%D1%97%D0%B2/%E6%96%B0%E9%97%BB"
    with pytest.raises(FetchRefused):
        fetch(stand_in.url("/київ news"))
    assert len(stand_in.requests) == 1


def test_redirects_are_followed_to_another_path(stand_in):
    stand_in.redirect("/old", "/moved", status=301)
    stand_in.redirect("/moved", stand_in.url("/new"), status=307)
    stand_in.file("/new", b"here", "text/plain")

    fetched = fetch(stand_in.url("/old"))

    assert (fetched.url, fetched.body) == (stand_in.url("/new"), b"here")
    assert stand_in.paths == ["/old", "/moved", "/new"]


def test_a_fourth_redirect_is_not_followed(stand_in):
    for hop in range(1, 5):
        stand_in.redirect(f"/hop{hop}", f"/hop{hop + 1}")
    stand_in.file("/hop5", b"too far", "text/plain")

    with pytest.raises(FetchFailed, match="more than 3 redirects"):
        fetch(stand_in.url("/hop1"))
    assert stand_in.paths == ["/hop1", "/hop2", "/hop3", "/hop4"]


@pytest.mark.parametrize("status", [404, 410, 500, 503])
def test_an_error_status_fails(stand_in, status):
    stand_in.file("/broken", b"{}", "application/json", status=status)

    with pytest.raises(FetchFailed, match=f"status {status}"):
        fetch(stand_in.url("/broken"))


def test_a_redirect_without_a_location_fails(stand_in):
    stand_in.file("/moved", b"", "text/plain", status=302)

    with pytest.raises(FetchFailed, match="without a Location"):
        fetch(stand_in.url("/moved"))


def test_a_name_that_does_not_resolve_fails(dns, outbound):
    asked = dns({})

    with pytest.raises(FetchFailed, match="name not resolved"):
        fetch("https://nowhere.example/oembed")
    assert (asked, outbound) == (["nowhere.example"], [])


def test_a_non_latin_host_name_is_looked_up_in_its_idna_form(dns, outbound):
    asked = dns({"xn--b1alf1j.xn--j1amh": ["10.9.8.7"]})

    with pytest.raises(FetchRefused, match=r"^10\.9\.8\.7 is not a public address$"):
        fetch("https://київ.укр/oembed")
    assert (asked, outbound) == (["xn--b1alf1j.xn--j1amh"], [])
    with pytest.raises(FetchRefused, match="not a host name"):
        fetch(f"https://{'я' * 70}.example/")


def test_a_closed_port_fails(settings, outbound):
    settings.LIVEBLOG_FETCH_ALLOW_LOOPBACK = True
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    with pytest.raises(FetchFailed, match="no connection"):
        fetch(f"http://127.0.0.1:{port}/")


# --- what is refused, before any connection ------------------------------------------------


@pytest.mark.parametrize(
    "location",
    [
        "http://10.0.0.1/oembed",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://192.168.1.1/",
        "http://[fd00::1]/",
        "file:///etc/passwd",
        "ftp://ftp.example.org/",
        "http://user:secret@example.org/",
        "http://example.org:8080/",
    ],
)
def test_a_redirect_to_a_target_we_never_contact_is_refused_without_following_it(
    stand_in, outbound, dns, location
):
    dns({"example.org": ["93.184.215.14"]})
    stand_in.redirect("/oembed", location)

    with pytest.raises(FetchRefused):
        fetch(stand_in.url("/oembed"))
    assert stand_in.paths == ["/oembed"]
    assert stand_in.connections == 1
    assert outbound == ["127.0.0.1"]


def test_loopback_is_refused_without_the_test_setting_even_for_the_stand_in(stand_in, settings, outbound):
    settings.LIVEBLOG_FETCH_ALLOW_LOOPBACK = False
    stand_in.file("/page", b"never", "text/plain")

    for url in (stand_in.url("/page"), "http://127.0.0.1/", "http://localhost/", "http://[::1]/"):
        with pytest.raises(FetchRefused):
            fetch(url)
    assert (stand_in.connections, stand_in.requests, outbound) == (0, [], [])


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/",
        "http://172.16.5.4/",
        "http://192.168.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/",
        "http://0.0.0.0/",
        "http://127.0.0.1/",
        "http://224.0.0.1/",
        "http://255.255.255.255/",
        "http://240.0.0.1/",
        "http://192.0.2.10/",
        "http://[::1]/",
        "http://[::]/",
        "http://[fe80::1]/",
        "http://[fe80::1%25eth0]/",
        "http://[fc00::1]/",
        "http://[fd12:3456::1]/",
        "http://[fec0::1]/",
        "http://[ff02::1]/",
        "http://[2001:db8::1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://[::ffff:169.254.169.254]/",
        "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 for 169.254.169.254
        "http://[2002:a00:1::]/",  # 6to4 for 10.0.0.1
        "https://[::127.0.0.1]/",  # IPv4-compatible, long deprecated
    ],
)
def test_addresses_that_are_not_public_are_refused(url, dns, outbound):
    asked = dns({})

    with pytest.raises(FetchRefused, match="not a public address"):
        fetch(url)
    assert (asked, outbound) == ([], [])


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("http://2130706433/", "127.0.0.1"),
        ("http://0x7f.1/", "127.0.0.1"),
        ("http://0x7f000001/", "127.0.0.1"),
        ("http://0177.0.0.1/", "127.0.0.1"),
        ("http://017700000001/", "127.0.0.1"),
        ("http://127.1/", "127.0.0.1"),
        ("http://0/", "0.0.0.0"),
        ("http://10.1/", "10.0.0.1"),
        ("http://0xa9.0xfe.0xa9.0xfe/", "169.254.169.254"),
        ("http://[::ffff:127.0.0.1]/", str(ipaddress.ip_address("::ffff:127.0.0.1"))),
        ("http://[::ffff:7f00:1]/", str(ipaddress.ip_address("::ffff:127.0.0.1"))),
    ],
)
def test_numeric_ipv4_spellings_are_read_as_addresses_not_names(url, address, dns, outbound):
    asked = dns({})

    with pytest.raises(FetchRefused, match=f"^{re.escape(address)} is not a public address$"):
        fetch(url)
    assert (asked, outbound) == ([], [])


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.org/",
        "javascript:alert(1)",
        "gopher://example.org/",
        "/relative/path",
        "http://user:secret@example.org/",
        "http://@example.org/",
        "http://example.org\\@127.0.0.1/",
        "http://example.org:8080/",
        "https://example.org:22/",
        "http://example.org:99999/",
        "http://exa mple.org/",
        "http://example.org/\r\nHost: internal",
        "http:///nohost",
        "http://1.2.3.4.5/",
        "http://exa$mple.org/",
        None,
    ],
)
def test_urls_we_never_fetch_are_refused_without_a_lookup(url, dns, outbound):
    asked = dns({})

    with pytest.raises(FetchRefused):
        fetch(url)
    assert (asked, outbound) == ([], [])


@pytest.mark.parametrize(
    "addresses",
    [
        ["10.1.2.3"],
        ["169.254.169.254"],
        ["127.0.0.1"],
        ["::1"],
        ["fd00::7"],
        ["::ffff:192.168.0.1"],
        ["93.184.215.14", "10.0.0.1"],  # one bad answer among good ones is enough
        ["2606:2800:21f:cb07:6820:80da:af6b:8b2c", "fe80::1"],
    ],
)
def test_a_name_whose_dns_answer_is_not_public_is_refused(addresses, dns, outbound, settings):
    settings.LIVEBLOG_FETCH_ALLOW_LOOPBACK = False
    asked = dns({"news.example": addresses})

    with pytest.raises(FetchRefused, match="is not a public address"):
        fetch("https://news.example/oembed?url=x")
    assert (asked, outbound) == (["news.example"], [])


def test_a_redirect_to_a_name_whose_dns_answer_is_private_is_refused(stand_in, dns, outbound):
    asked = dns({"cdn.example": ["10.20.30.40"]})
    stand_in.redirect("/oembed", "http://cdn.example/thumb.jpg")

    with pytest.raises(FetchRefused, match=r"^10\.20\.30\.40 is not a public address$"):
        fetch(stand_in.url("/oembed"))
    assert (asked, stand_in.paths, outbound) == (["cdn.example"], ["/oembed"], ["127.0.0.1"])


def test_the_connection_goes_to_the_address_vetted_with_the_real_host_name(stand_in, dns, outbound):
    """DNS rebinding: a second answer (private) is never asked for nor used."""
    asked = dns({"news.example": lambda count: ["127.0.0.1"] if count == 1 else ["10.0.0.1"]})
    stand_in.file("/page", b"vetted", "text/plain")

    fetched = fetch(f"http://news.example:{stand_in.port}/page")

    assert fetched.body == b"vetted"
    assert asked == ["news.example"]
    assert outbound == ["127.0.0.1"]
    assert stand_in.requests[0].headers["Host"] == f"news.example:{stand_in.port}"


def test_the_test_setting_lets_ipv4_loopback_through_and_nothing_else(settings):
    assert not is_public("127.0.0.1")
    assert is_public("127.0.0.1", allow_loopback=True)
    for address in ("::1", "::ffff:127.0.0.1", "10.0.0.1", "169.254.169.254", "192.168.1.1", "fe80::1"):
        assert not is_public(address, allow_loopback=True), address


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("93.184.215.14", True),
        ("2606:4700:4700::1111", True),
        ("::ffff:8.8.8.8", True),
        ("2002:808:808::1", True),  # 6to4 for 8.8.8.8
        ("64:ff9b::808:808", True),  # NAT64 for 8.8.8.8
        ("100.64.0.1", False),
        ("198.18.0.1", False),
        ("203.0.113.5", False),
        ("224.0.0.251", False),
        ("239.255.255.250", False),
        ("ff0e::1", False),
        ("fec0::1", False),
        ("64:ff9b::7f00:1", False),
        ("2001::1", False),  # Teredo
    ],
)
def test_only_global_unicast_addresses_are_public(address, public):
    assert is_public(address) is public


# --- time and size limits -----------------------------------------------------------------


@pytest.mark.parametrize("path", ["/slow", "/redirect-to-slow"])
def test_a_slow_server_fails_within_the_timeout(stand_in, path):
    stand_in.slow("/slow", seconds=10)
    stand_in.redirect("/redirect-to-slow", "/slow")

    started = time.monotonic()
    with pytest.raises(FetchFailed, match="timed out"):
        fetch(stand_in.url(path), timeout=0.5)
    assert time.monotonic() - started < 1.5  # the server would answer after 10 s


def test_headers_sent_a_byte_at_a_time_are_cut_at_the_deadline(stand_in):
    stand_in.drip("/drip")

    started = time.monotonic()
    with pytest.raises(FetchFailed, match="timed out"):
        fetch(stand_in.url("/drip"), timeout=0.8)
    assert 0.7 < time.monotonic() - started < 2.0  # it would drip for 30 s


@pytest.mark.parametrize("chunked", [False, True])
def test_an_endless_body_stops_at_the_size_limit(stand_in, chunked):
    stand_in.endless("/endless", chunked=chunked)

    started = time.monotonic()
    with pytest.raises(FetchFailed, match="over the limit of 100000 bytes"):
        fetch(stand_in.url("/endless"), max_bytes=100_000)
    assert time.monotonic() - started < 2.0


def test_a_declared_length_over_the_limit_fails_before_the_body_is_read(stand_in):
    stand_in.file("/big", b"x" * 5000, "application/octet-stream")

    with pytest.raises(FetchFailed, match="body of 5000 bytes is over the limit of 1000"):
        fetch(stand_in.url("/big"), max_bytes=1000)


def test_a_body_of_exactly_the_limit_is_kept(stand_in):
    stand_in.file("/exact", b"x" * 1000, "application/octet-stream")

    assert len(fetch(stand_in.url("/exact"), max_bytes=1000).body) == 1000


# --- TLS ----------------------------------------------------------------------------------


def test_https_checks_the_certificate_against_the_urls_host_name(tls_stand_in, dns, outbound):
    dns({"news.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]})
    tls_stand_in.file("/oembed", b'{"title": "\xd0\x9a\xd0\xb8\xd1\x97\xd0\xb2"}', "application/json")

    fetched = fetch(f"https://news.test:{tls_stand_in.port}/oembed")

    assert (fetched.status, fetched.body.decode()) == (200, '{"title": "Київ"}')
    assert tls_stand_in.server_names == ["news.test"]
    assert tls_stand_in.requests[0].headers["Host"] == f"news.test:{tls_stand_in.port}"
    with pytest.raises(FetchFailed, match="certificate"):
        fetch(f"https://other.test:{tls_stand_in.port}/oembed")
    assert len(tls_stand_in.requests) == 1


def test_https_to_a_server_that_speaks_no_tls_fails(settings, outbound):
    settings.LIVEBLOG_FETCH_ALLOW_LOOPBACK = True
    with socket.create_server(("127.0.0.1", 0)) as listener:

        def answer_in_plain_text():
            connection, _ = listener.accept()
            with connection:
                connection.recv(4096)  # the client's TLS hello, answered in plain text
                connection.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nplain")

        server = threading.Thread(target=answer_in_plain_text)
        server.start()
        with pytest.raises(FetchFailed, match="SSL"):
            fetch(f"https://127.0.0.1:{listener.getsockname()[1]}/page", timeout=2)
        server.join(2)
