"""DNS rebinding: a name that answers a public address to the first lookup and 127.0.0.1 to
the next must never lead a connection to the loopback service, for link previews, the image
proxy and the federation fetcher, on the first hop and on a redirect hop (issue 11, item 5).

The resolver is the real one (socket.getaddrinfo, which asyncio and httpx both use) with one
name rebinding; the services are real HTTP servers on 127.0.0.1. The public address is not
reachable from a test machine (or refuses quickly), which is the point: what was checked is
what is connected to.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from moot.config import Settings
from moot.db.engine import Database
from moot.errors import ApiError, ErrorCode
from moot.federation.fetch import Budget, Fetcher, FetchError
from moot.federation.policy import PolicyCache
from moot.federation.transport import make_client
from moot.media.images import Limits
from moot.media.remote_pictures import fetch_picture
from moot.media.site_metadata import fetch_site_metadata
from moot.outbound import checked_transport
from tests.media.test_site_metadata import RawHttpServer, html, redirect
from tests.servers import migrated_database

REBINDING = "rebind.test"
ORIGIN = "origin.test"  # a trusted name (test mode's host map) that redirects
PUBLIC = "93.184.215.14"
_real_getaddrinfo = socket.getaddrinfo


class RebindingResolver:
    def __init__(self) -> None:
        self.lookups = 0

    def __call__(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name == REBINDING:
            self.lookups += 1
            host = PUBLIC if self.lookups == 1 else "127.0.0.1"
        return _real_getaddrinfo(host, port, *args, **kwargs)


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch) -> Iterator[RebindingResolver]:
    rebinding = RebindingResolver()
    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    yield rebinding


@pytest.fixture
async def internal() -> AsyncIterator[RawHttpServer]:
    """The loopback service an attacker wants to reach."""
    srv = RawHttpServer()
    await srv.start()
    srv.routes["/secret"] = html("<title>internal</title>")
    yield srv
    await srv.stop()


@pytest.fixture
async def origin(internal: RawHttpServer) -> AsyncIterator[RawHttpServer]:
    """A server that redirects to the rebinding name, on the internal service's port."""
    srv = RawHttpServer()
    await srv.start()
    srv.routes["/go"] = redirect(f"http://{REBINDING}:{_port(internal)}/secret")
    yield srv
    await srv.stop()


@pytest.fixture
async def client(origin: RawHttpServer) -> AsyncIterator[httpx.AsyncClient]:
    """Private addresses refused, as in production; only ORIGIN is mapped to loopback."""
    transport = checked_transport(allow_private=False, host_map={ORIGIN: "127.0.0.1"})
    async with httpx.AsyncClient(transport=transport, trust_env=False, timeout=3) as c:
        yield c


def _port(server: RawHttpServer) -> str:
    return server.base.rsplit(":", 1)[1]


def _urls(internal: RawHttpServer, origin: RawHttpServer) -> list[str]:
    """The rebinding name directly, and as the target of a redirect."""
    return [f"http://{REBINDING}:{_port(internal)}/secret", f"http://{ORIGIN}:{_port(origin)}/go"]


async def _attack(
    fetch: Callable[[str], Awaitable[object]],
    resolver: RebindingResolver,
    internal: RawHttpServer,
    origin: RawHttpServer,
) -> None:
    for url in _urls(internal, origin):
        resolver.lookups = 0  # the name answers the public address first, for each URL
        with pytest.raises((ApiError, FetchError)) as info:
            await fetch(url)
        if isinstance(info.value, ApiError):  # the public address did not answer
            assert info.value.code is ErrorCode.UNKNOWN, info.value
        assert resolver.lookups == 1, url  # resolved once: no second answer was asked for
    assert internal.requests == []
    # The redirecting hop was asked with its own name in the Host header.
    assert [headers["host"] for _, headers in origin.requests] == [f"{ORIGIN}:{_port(origin)}"]


async def test_link_preview(
    resolver: RebindingResolver,
    internal: RawHttpServer,
    origin: RawHttpServer,
    client: httpx.AsyncClient,
) -> None:
    async def fetch(url: str) -> object:
        return await fetch_site_metadata(url, client, total_timeout=3, connect_timeout=2)

    await _attack(fetch, resolver, internal, origin)


async def test_image_proxy(
    resolver: RebindingResolver,
    internal: RawHttpServer,
    origin: RawHttpServer,
    client: httpx.AsyncClient,
) -> None:
    async def fetch(url: str) -> object:
        return await fetch_picture(url, client, Limits(100_000, 1_000_000), total_timeout=3)

    await _attack(fetch, resolver, internal, origin)


@pytest.fixture
async def db() -> AsyncIterator[Database]:
    async with migrated_database("sqlite", "here.test") as database:
        yield database


async def test_federation_fetcher(
    resolver: RebindingResolver,
    internal: RawHttpServer,
    origin: RawHttpServer,
    client: httpx.AsyncClient,
    db: Database,
) -> None:
    # Test mode for http and ports; the client refuses private addresses all the same.
    settings = Settings(hostname="here.test", federation_test_mode=True)
    fetcher = Fetcher(settings, client, PolicyCache(db, "here.test", 60.0), db)

    async def fetch(url: str) -> object:
        return await fetcher.get(url, Budget())

    await _attack(fetch, resolver, internal, origin)


async def test_federation_client_outside_test_mode(
    resolver: RebindingResolver, internal: RawHttpServer
) -> None:
    """The client federation fetches and delivers with refuses private addresses itself."""
    async with make_client(Settings(hostname="here.test"), timeout=3) as client:
        with pytest.raises(httpx.ConnectError):
            await client.get(f"http://{REBINDING}:{_port(internal)}/secret")
        with pytest.raises(httpx.ConnectError):
            await client.get(f"http://localhost:{_port(internal)}/secret")
    assert resolver.lookups == 1
    assert internal.requests == []


async def test_tls_is_spoken_to_the_name(tmp_path: Path) -> None:
    """The connection goes to the address checked (here, the mapped one), but TLS is the
    name's: the server sees it as SNI, and the client checks the certificate."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ORIGIN)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(ORIGIN)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    names: list[str | None] = []

    def remember(_socket: ssl.SSLObject, name: str | None, _context: ssl.SSLContext) -> None:
        names.append(name)

    context.sni_callback = remember

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0, ssl=context)
    port = server.sockets[0].getsockname()[1]
    transport = checked_transport(allow_private=False, host_map={ORIGIN: "127.0.0.1"})
    try:
        async with httpx.AsyncClient(transport=transport, trust_env=False, timeout=5) as client:
            with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
                await client.get(f"https://{ORIGIN}:{port}/")
    finally:
        server.close()
    assert names == [ORIGIN]
