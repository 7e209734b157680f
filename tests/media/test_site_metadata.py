"""Link previews against a real HTTP server on 127.0.0.1 (raw responses, no mocks)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import msgspec
import pytest

from moot.errors import ApiError, ErrorCode
from moot.media.site_metadata import (
    MAX_BODY_BYTES,
    MAX_REDIRECTS,
    SiteMetadata,
    fetch_site_metadata,
    is_forbidden_address,
)
from moot.outbound import checked_transport

Handler = Callable[[asyncio.StreamWriter], Awaitable[None]]

MIB = 1024 * 1024


class RawHttpServer:
    """Speaks just enough HTTP/1.1 to answer one request per connection, by path."""

    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.base = ""
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.base = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def url(self, path: str) -> str:
        return self.base + path

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            path = lines[0].split(" ")[1]
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
            self.requests.append((path, headers))
            handler = self.routes.get(path)
            if handler is None:
                await respond(writer, 404, {"Content-Type": "text/plain"}, b"not found")
            else:
                await handler(writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()
            self._tasks.discard(task)


async def respond(
    writer: asyncio.StreamWriter, status: int, headers: dict[str, str], body: bytes = b""
) -> None:
    lines = [f"HTTP/1.1 {status} X"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines += [f"Content-Length: {len(body)}", "Connection: close", "", ""]
    writer.write("\r\n".join(lines).encode("latin-1") + body)
    await writer.drain()


def html(body: str, content_type: str = "text/html; charset=utf-8") -> Handler:
    async def handler(writer: asyncio.StreamWriter) -> None:
        await respond(writer, 200, {"Content-Type": content_type}, body.encode("utf-8"))

    return handler


def raw(body: bytes, content_type: str | None) -> Handler:
    async def handler(writer: asyncio.StreamWriter) -> None:
        headers = {} if content_type is None else {"Content-Type": content_type}
        await respond(writer, 200, headers, body)

    return handler


def redirect(location: str, status: int = 302) -> Handler:
    async def handler(writer: asyncio.StreamWriter) -> None:
        await respond(writer, status, {"Location": location})

    return handler


@pytest.fixture
async def server() -> AsyncIterator[RawHttpServer]:
    srv = RawHttpServer()
    await srv.start()
    yield srv
    await srv.stop()


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    """A client that may reach 127.0.0.1, as in federation test mode."""
    # trust_env=False: a proxy from the environment must not intercept 127.0.0.1.
    transport = checked_transport(allow_private=True)
    async with httpx.AsyncClient(transport=transport, trust_env=False) as c:
        yield c


@pytest.fixture
async def strict() -> AsyncIterator[httpx.AsyncClient]:
    """The client a production instance uses."""
    transport = checked_transport(allow_private=False)
    async with httpx.AsyncClient(transport=transport, trust_env=False) as c:
        yield c


async def fetch(url: str, client: httpx.AsyncClient, **kwargs: float) -> SiteMetadata:
    return await fetch_site_metadata(url, client, **kwargs)


# --- HTML parsing ------------------------------------------------------------------------

OG_PAGE = """<!DOCTYPE html>
<html><head>
<meta charset="utf-8">
<title>Fallback title</title>
<meta name="description" content="Fallback description">
<meta property="og:title" content="  The &amp; Real
   Title ">
<meta property="og:description" content="An OpenGraph description">
<meta property="og:image" content="https://cdn.example.com/pic.jpg">
<meta property="og:video" content="http://video.example.com/embed/1">
<meta property="og:video:secure_url" content="https://video.example.com/embed/1">
</head><body><p>hello</p></body></html>
"""


async def test_open_graph_page(server: RawHttpServer, client: httpx.AsyncClient) -> None:
    server.routes["/og"] = html(OG_PAGE)
    meta = await fetch(server.url("/og"), client)
    assert meta == SiteMetadata(
        title="The & Real Title",
        description="An OpenGraph description",
        image="https://cdn.example.com/pic.jpg",
        embed_video_url="https://video.example.com/embed/1",
        content_type="text/html",
    )
    user_agent = server.requests[0][1]["user-agent"]
    assert "moot/" in user_agent and user_agent.startswith("Mozilla/5.0")


async def test_title_and_description_fallbacks(
    server: RawHttpServer, client: httpx.AsyncClient
) -> None:
    page = """<html><head><title>
        Plain   old
        title</title><meta name="Description" content="Described &quot;plainly&quot;">
        </head><body><svg><title>not this</title></svg></body></html>"""
    server.routes["/plain"] = html(page)
    meta = await fetch(server.url("/plain"), client)
    assert meta == SiteMetadata(
        title="Plain old title",
        description='Described "plainly"',
        content_type="text/html",
    )
    assert msgspec.json.decode(msgspec.json.encode(meta)) == {
        "title": "Plain old title",
        "description": 'Described "plainly"',
        "content_type": "text/html",
    }


async def test_relative_og_image_is_made_absolute_against_final_url(
    server: RawHttpServer, client: httpx.AsyncClient
) -> None:
    server.routes["/start"] = redirect("/articles/2024/post.html")
    server.routes["/articles/2024/post.html"] = html(
        '<head><meta property="og:image" content="../img/pic.png">'
        '<meta property="og:video" content="/embed/7"></head>'
    )
    meta = await fetch(server.url("/start"), client)
    assert meta.image == server.url("/articles/img/pic.png")
    assert meta.embed_video_url == server.url("/embed/7")


async def test_base_href_and_protocol_relative_image(
    server: RawHttpServer, client: httpx.AsyncClient
) -> None:
    server.routes["/based"] = html(
        '<head><base href="https://static.example.org/site/">'
        '<meta property="og:image" content="a b.png">'
        '<meta property="og:video" content="//player.example.net/v/1"></head>'
    )
    meta = await fetch(server.url("/based"), client)
    assert meta.image == "https://static.example.org/site/a%20b.png"
    assert meta.embed_video_url == "https://player.example.net/v/1"  # scheme of the base


async def test_non_http_og_urls_are_dropped(
    server: RawHttpServer, client: httpx.AsyncClient
) -> None:
    server.routes["/js"] = html(
        '<head><meta property="og:image" content="javascript:alert(1)">'
        '<meta property="og:image:secure_url" content="data:image/png;base64,AAAA">'
        '<meta property="og:video" content="ftp://x.example/v"></head>'
    )
    meta = await fetch(server.url("/js"), client)
    assert meta == SiteMetadata(content_type="text/html")


async def test_long_title_and_description_are_truncated(
    server: RawHttpServer, client: httpx.AsyncClient
) -> None:
    server.routes["/long"] = html(
        f'<head><meta property="og:title" content="{"t" * 500}">'
        f'<meta property="og:description" content="{"d" * 5000}"></head>'
    )
    meta = await fetch(server.url("/long"), client)
    assert meta.title == "t" * 200
    assert meta.description == "d" * 1000


async def test_parsing_stops_at_end_of_head(
    server: RawHttpServer, client: httpx.AsyncClient
) -> None:
    async def head_then_stall(writer: asyncio.StreamWriter) -> None:
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n"
            b"<html><head><title>Head title</title></head><body>"
            b'<meta property="og:title" content="from the body">'
        )
        await writer.drain()
        await asyncio.sleep(30)  # never finishes the body

    server.routes["/stall"] = head_then_stall
    started = time.monotonic()
    meta = await fetch(server.url("/stall"), client, total_timeout=5.0)
    assert time.monotonic() - started < 2.0
    assert meta == SiteMetadata(title="Head title", content_type="text/html")


# --- charsets ----------------------------------------------------------------------------


async def test_charset_from_content_type_header(
    server: RawHttpServer, client: httpx.AsyncClient
) -> None:
    body = "<head><title>Café crème</title></head>".encode("latin-1")
    server.routes["/latin"] = raw(body, "text/html; charset=ISO-8859-1")
    meta = await fetch(server.url("/latin"), client)
    assert meta.title == "Café crème"


async def test_charset_from_meta_tag(server: RawHttpServer, client: httpx.AsyncClient) -> None:
    body = '<head><meta charset="windows-1251"><title>Привет</title></head>'.encode("cp1251")
    server.routes["/cyr"] = raw(body, "text/html")
    meta = await fetch(server.url("/cyr"), client)
    assert meta.title == "Привет"


async def test_undeclared_charset_is_utf8_with_replacement(
    server: RawHttpServer, client: httpx.AsyncClient
) -> None:
    body = b"<head><title>ok \xff\xfe bytes \xe2\x9c\x93</title></head>"
    server.routes["/bytes"] = raw(body, "text/html")
    meta = await fetch(server.url("/bytes"), client)
    assert meta.title == "ok \ufffd\ufffd bytes \u2713"


async def test_missing_content_type_sniffs_html(
    server: RawHttpServer, client: httpx.AsyncClient
) -> None:
    server.routes["/sniff"] = raw(b"<!DOCTYPE html><html><head><title>S</title></head>", None)
    server.routes["/blob"] = raw(b"\x00\x01binary", None)
    assert await fetch(server.url("/sniff"), client) == SiteMetadata(title="S")
    assert await fetch(server.url("/blob"), client) == SiteMetadata()


# --- non-HTML ----------------------------------------------------------------------------


async def test_image_reports_only_content_type(
    server: RawHttpServer, client: httpx.AsyncClient
) -> None:
    server.routes["/pic.png"] = raw(b"\x89PNG\r\n\x1a\n" + b"\x00" * 1000, "image/png")
    meta = await fetch(server.url("/pic.png"), client)
    assert meta == SiteMetadata(content_type="image/png")
    assert msgspec.json.encode(meta) == b'{"content_type":"image/png"}'


# --- redirects ---------------------------------------------------------------------------


async def test_redirect_chain_up_to_the_limit_is_followed(
    server: RawHttpServer, client: httpx.AsyncClient
) -> None:
    statuses = [301, 302, 303, 307, 308]
    for n in range(1, MAX_REDIRECTS + 2):
        server.routes[f"/hop/{n}"] = redirect(f"/hop/{n - 1}", statuses[n % len(statuses)])
    server.routes["/hop/0"] = html("<head><title>Arrived</title></head>")

    meta = await fetch(server.url(f"/hop/{MAX_REDIRECTS}"), client)
    assert meta.title == "Arrived"
    assert len(server.requests) == MAX_REDIRECTS + 1

    server.requests.clear()
    with pytest.raises(ApiError) as info:
        await fetch(server.url(f"/hop/{MAX_REDIRECTS + 1}"), client)
    assert info.value.code is ErrorCode.UNKNOWN
    assert server.paths() == [f"/hop/{n}" for n in range(MAX_REDIRECTS + 1, 0, -1)]


async def test_redirect_loop_is_an_error(server: RawHttpServer, client: httpx.AsyncClient) -> None:
    server.routes["/loop"] = redirect(server.url("/loop"))
    with pytest.raises(ApiError) as info:
        await fetch(server.url("/loop"), client)
    assert info.value.code is ErrorCode.UNKNOWN
    assert info.value.message is not None and "redirect" in info.value.message
    assert len(server.requests) == MAX_REDIRECTS + 1


async def test_redirect_to_non_http_scheme_is_invalid_url(
    server: RawHttpServer, client: httpx.AsyncClient
) -> None:
    server.routes["/to-file"] = redirect("file:///etc/passwd")
    with pytest.raises(ApiError) as info:
        await fetch(server.url("/to-file"), client)
    assert info.value.code is ErrorCode.INVALID_URL


# --- limits ------------------------------------------------------------------------------


async def test_large_body_is_not_read_beyond_the_cap(
    server: RawHttpServer, client: httpx.AsyncClient
) -> None:
    total = 5 * MIB
    prefix = b"<html><head><title>Big</title>"
    late = b'<meta property="og:description" content="past the cap">'
    chunk = 64 * 1024
    sent: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def huge(writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 32 * 1024)
        body = bytearray(prefix + b" " * (total - len(prefix)))
        body[2 * MIB : 2 * MIB + len(late)] = late  # no </head> anywhere
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
            + f"Content-Length: {total}\r\nConnection: close\r\n\r\n".encode()
        )
        count = 0
        try:
            while count < total and not writer.is_closing():
                writer.write(body[count : count + chunk])
                await writer.drain()
                count += chunk
                await asyncio.sleep(0.002)  # let the reader keep up, so little sits in buffers
        except ConnectionError:
            pass
        finally:
            sent.set_result(count)

    server.routes["/huge"] = huge
    started = time.monotonic()
    meta = await fetch(server.url("/huge"), client)
    elapsed = time.monotonic() - started
    bytes_sent = await asyncio.wait_for(sent, 5)

    assert meta == SiteMetadata(title="Big", content_type="text/html")
    assert elapsed < 3.0
    # The client hung up around the 1 MiB cap; allow for socket buffers in flight.
    assert MAX_BODY_BYTES <= bytes_sent < 2 * MIB, bytes_sent


async def test_slow_server_times_out(server: RawHttpServer, client: httpx.AsyncClient) -> None:
    async def silent(writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(30)

    server.routes["/silent"] = silent
    started = time.monotonic()
    with pytest.raises(ApiError) as info:
        await fetch(server.url("/silent"), client, total_timeout=0.5)
    assert time.monotonic() - started < 2.0
    assert info.value.code is ErrorCode.UNKNOWN
    assert info.value.message is not None and "timed out" in info.value.message


async def test_trickling_body_hits_the_total_deadline(
    server: RawHttpServer, client: httpx.AsyncClient
) -> None:
    async def trickle(writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><head>")
        while True:  # a byte every 50 ms: never idle long enough for a read timeout
            writer.write(b" ")
            await writer.drain()
            await asyncio.sleep(0.05)

    server.routes["/trickle"] = trickle
    started = time.monotonic()
    with pytest.raises(ApiError) as info:
        await fetch(server.url("/trickle"), client, total_timeout=0.6)
    assert time.monotonic() - started < 2.0
    assert info.value.code is ErrorCode.UNKNOWN


# --- errors ------------------------------------------------------------------------------


async def test_error_status_is_unknown(server: RawHttpServer, client: httpx.AsyncClient) -> None:
    with pytest.raises(ApiError) as info:
        await fetch(server.url("/missing"), client)
    assert info.value.code is ErrorCode.UNKNOWN
    assert info.value.message == "the page answered HTTP 404"


async def test_garbage_response_is_unknown(
    server: RawHttpServer, client: httpx.AsyncClient
) -> None:
    async def garbage(writer: asyncio.StreamWriter) -> None:
        writer.write(b"this is not http at all\r\n\r\n")
        await writer.drain()

    server.routes["/garbage"] = garbage
    with pytest.raises(ApiError) as info:
        await fetch(server.url("/garbage"), client)
    assert info.value.code is ErrorCode.UNKNOWN


async def test_connection_refused_is_unknown(client: httpx.AsyncClient) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(ApiError) as info:
        await fetch(f"http://127.0.0.1:{port}/", client)
    assert info.value.code is ErrorCode.UNKNOWN


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/file",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "mailto:someone@example.com",
        "example.com/no-scheme",
        "http://",
        "",
        "http://exa mple.com/",
        "http://exa<mple.com/",
    ],
)
async def test_non_http_urls_are_invalid(url: str, client: httpx.AsyncClient) -> None:
    with pytest.raises(ApiError) as info:
        await fetch_site_metadata(url, client)
    assert info.value.code is ErrorCode.INVALID_URL


# --- private addresses -------------------------------------------------------------------


async def test_loopback_is_refused_unless_allowed(
    server: RawHttpServer, client: httpx.AsyncClient, strict: httpx.AsyncClient
) -> None:
    server.routes["/og"] = html(OG_PAGE)
    port = server.base.rsplit(":", 1)[1]
    for url in (
        server.url("/og"),
        f"http://localhost:{port}/og",
        f"http://[::1]:{port}/og",
        f"http://[::ffff:127.0.0.1]:{port}/og",
        f"http://2130706433:{port}/og",
    ):
        with pytest.raises(ApiError) as info:
            await fetch_site_metadata(url, strict)
        assert info.value.code is ErrorCode.INVALID_URL, url
    assert server.requests == []  # refused before any connection was made

    meta = await fetch_site_metadata(server.url("/og"), client)
    assert meta.title == "The & Real Title"


@pytest.mark.parametrize(
    ("address", "forbidden"),
    [
        ("127.0.0.1", True),
        ("10.1.2.3", True),
        ("172.16.0.1", True),
        ("192.168.1.1", True),
        ("169.254.169.254", True),
        ("100.64.0.1", True),
        ("0.0.0.0", True),
        ("224.0.0.1", True),
        ("240.0.0.1", True),
        ("255.255.255.255", True),
        ("::1", True),
        ("::", True),
        ("fe80::1", True),
        ("fd00::1", True),
        ("ff02::1", True),
        ("::ffff:10.0.0.1", True),
        ("64:ff9b::7f00:1", True),
        ("2002:7f00:1::", True),
        ("93.184.215.14", False),
        ("1.1.1.1", False),
        ("::ffff:1.1.1.1", False),
        ("2606:4700:4700::1111", False),
    ],
)
def test_is_forbidden_address(address: str, forbidden: bool) -> None:
    assert is_forbidden_address(ipaddress.ip_address(address)) is forbidden
