"""Fetching ActivityPub JSON from other servers, with Lemmy's limits (reference §6).

GET with `Accept: application/activity+json`, a 10 s timeout and a 200 KiB cap; one
redirect followed by hand; the response type must be ActivityPub JSON; the document's `id`
must be the URL it came from. Private and loopback addresses, and plain http, are refused
unless the instance runs in test mode.

Every GET is signed by the instance actor (`https://HOST/#main-key`), as a Lemmy 0.19 with
`federation_signed_fetch` signs them, so servers that answer only signed fetches (Mastodon's
secure mode) answer moot too (docs/decisions.md, "Signed fetch").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import httpx
import sqlalchemy as sa

from moot.config import Settings
from moot.db import models as m
from moot.db.engine import Database
from moot.errors import ApiError
from moot.federation import signatures, urls
from moot.federation.keys import actor_keys
from moot.federation.policy import PolicyCache
from moot.federation.protocol.common import ACTIVITY_JSON
from moot.federation.protocol.parse import ParseError, decode
from moot.outbound import ForbiddenAddress

MAX_BODY = 200 * 1024
FETCHES_PER_ACTIVITY = 100  # Lemmy's FEDERATION_HTTP_FETCH_LIMIT
_TYPES = {
    "application/activity+json",
    "application/activity+json;charset=utf-8",
    'application/ld+json;profile="https://www.w3.org/ns/activitystreams"',
}
_REDIRECTS = (301, 302, 303, 307, 308)


class FetchError(Exception):
    def __init__(self, reason: str, *, gone: bool = False, answered: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.gone = gone  # 410: the object was deleted at its home
        # The server did answer (with something unusable): it is alive (reference §7).
        self.answered = answered or gone


@dataclass
class Budget:
    """How many more fetches one activity (or one resolve) may cause."""

    left: int = FETCHES_PER_ACTIVITY

    def spend(self) -> None:
        if self.left <= 0:
            raise FetchError(f"more than {FETCHES_PER_ACTIVITY} fetches for one activity")
        self.left -= 1


@dataclass
class Fetcher:
    settings: Settings
    http: httpx.AsyncClient
    policy: PolicyCache
    db: Database
    _signer: tuple[str, str] | None = None  # (keyId, private PEM) of the instance actor

    async def signer(self) -> tuple[str, str]:
        if self._signer is None:
            async with self.db.transaction() as tx:
                site = await tx.fetch_one(
                    sa.select(m.site).join(m.local_site, m.local_site.c.site_id == m.site.c.id)
                )
                assert site is not None, "the site was not bootstrapped"
                private, _ = await actor_keys(tx, m.site, site)
            # The id the site actor is served with (routes/actors.py).
            self._signer = (f"{self.settings.origin}/#main-key", private)
        return self._signer

    async def check_url(self, url: str) -> None:
        """Refuse what moot must not ask for: its own objects, unfederated hosts, and http
        or explicit ports outside test mode (private addresses: see `moot.outbound`)."""
        try:
            scheme, host, port = urls.split(url)
        except ParseError as exc:
            raise FetchError(exc.reason) from exc
        if host == urls.hostname_domain(self.settings.hostname):
            raise FetchError("an object of this instance is never fetched")
        try:
            (await self.policy.get()).check(url)
        except ApiError as exc:
            raise FetchError(f"{host} is not federated with ({exc.code.value})") from exc
        if self.settings.federation_test_mode:
            return
        if scheme != "https":
            raise FetchError("plain http is refused outside test mode")
        if port is not None:
            raise FetchError("URLs with an explicit port are refused outside test mode")

    async def get(self, url: str, budget: Budget, *, accept: str = ACTIVITY_JSON) -> dict[str, Any]:
        """The JSON document at `url`, checked as Lemmy checks it."""
        doc, final = await self._get_once(url, budget, accept)
        found = doc.get("id")
        if accept == ACTIVITY_JSON and found != final:
            if not isinstance(found, str) or not _same_domain(found, final):
                raise FetchError(f"the document at {final} has the id {str(found)[:100]}")
            doc, final = await self._get_once(found, budget, accept)
            if doc.get("id") != final:
                raise FetchError(f"the document at {final} does not have its own id")
        return doc

    async def _get_once(self, url: str, budget: Budget, accept: str) -> tuple[dict[str, Any], str]:
        for hop in range(2):
            await self.check_url(url)
            budget.spend()
            status, headers, body = await self._request(url, accept)
            if status in _REDIRECTS and hop == 0 and headers.get("location"):
                url = urljoin(url, headers["location"])
                continue
            if status == 410:
                raise FetchError(f"{url} is gone (410)", gone=True)
            if not 200 <= status < 300:
                raise FetchError(f"{url} answered {status}", answered=True)
            kind = headers.get("content-type", "").replace(" ", "").lower()
            if accept == ACTIVITY_JSON and kind not in _TYPES:
                raise FetchError(
                    f"{url} answered with the content type {kind[:80]!r}", answered=True
                )
            try:
                return decode(body, MAX_BODY), url
            except ParseError as exc:
                raise FetchError(f"{url}: {exc.reason}", answered=True) from exc
        raise FetchError(f"{url} redirects more than once", answered=True)

    async def _request(self, url: str, accept: str) -> tuple[int, dict[str, str], bytes]:
        key_id, private = await self.signer()
        headers = signatures.sign_get(url, accept, private, key_id)
        try:
            async with self.http.stream("GET", url, headers=headers) as response:
                chunks, size = [], 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > MAX_BODY:
                        raise FetchError(f"{url} is larger than {MAX_BODY} bytes", answered=True)
                    chunks.append(chunk)
                headers = {k.lower(): v for k, v in response.headers.items()}
                return response.status_code, headers, b"".join(chunks)
        except httpx.HTTPError as exc:
            if isinstance(exc.__cause__, ForbiddenAddress):
                raise FetchError(f"{url}: {exc.__cause__}") from exc
            raise FetchError(f"{url} could not be fetched: {type(exc).__name__}") from exc


def _same_domain(a: str, b: str) -> bool:
    try:
        return urls.same_domain(a, b)
    except ParseError:
        return False
