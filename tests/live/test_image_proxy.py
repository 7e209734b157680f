"""Image modes (`MOOT_IMAGE_MODE`) and GET /api/v3/image_proxy, with lemmy-js-client and
pythorhead against one live server per mode.

A small HTTP server plays the other site (tests/remote_site.py). Each server gets its own
folder on it, so what each one fetched is counted apart (the proxy's cache shows as a
fetch not made).
ProxyAllImages runs on both databases, since only it writes `remote_image`.
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

import httpx
import pytest
from PIL import Image
from pythorhead import Lemmy

from tests.conftest import Api
from tests.live.test_js_client import JS_DIR, _node
from tests.remote_site import TOO_LARGE, RemoteSite, remote_site
from tests.servers import ADMIN_NAME, ADMIN_PASSWORD, Server, destroy, make_server

JS_STEPS = 9


@pytest.fixture(scope="module")
def remote() -> Iterator[RemoteSite]:
    with remote_site() as site:
        yield site


@dataclass
class Moded:
    server: Server
    mode: str
    remote: str  # this server's folder on the remote site
    admin: Api

    @property
    def origin(self) -> str:
        return f"http://{self.server.hostname}"

    def here(self, url: str) -> str:
        """One of the instance's own links, where the test reaches it."""
        assert url.startswith(self.origin), url
        return self.server.url + url[len(self.origin) :]

    def proxy(self, url: str) -> str:
        return f"{self.origin}/api/v3/image_proxy?url={quote(url, safe='')}"


@pytest.fixture(
    scope="module",
    params=[
        ("None", "sqlite"),
        ("StoreLinkPreviews", "postgresql"),
        ("ProxyAllImages", "sqlite"),
        ("ProxyAllImages", "postgresql"),
    ],
    ids=lambda p: f"{p[0]}-{p[1]}",
)
def moded(request: pytest.FixtureRequest, remote: RemoteSite) -> Iterator[Moded]:
    mode, backend = request.param
    srv = make_server(backend)
    # A host name with the port, so the instance's own links lead back to it.
    srv.hostname = f"localhost:{srv.port}"
    srv.start_env = {"MOOT_IMAGE_MODE": mode, "MOOT_IMAGE_MAX_BYTES": str(TOO_LARGE)}
    try:
        srv.start()
        admin = Api(srv)
        token = admin.ok(
            "POST", "/user/login", {"username_or_email": ADMIN_NAME, "password": ADMIN_PASSWORD}
        )["jwt"]
        limits = {f"rate_limit_{b}": 100000 for b in ("message", "post", "comment")}
        admin = Api(srv, token)
        admin.ok("PUT", "/site", limits)
        yield Moded(srv, mode, f"{remote.url}/{mode}-{backend}", admin)
    finally:
        if request.session.testsfailed and srv.log_path.exists():
            print(f"--- {mode} {backend} server log ---\n{srv.log_tail()}")
        destroy(srv)


def test_lemmy_js_client(moded: Moded, remote: RemoteSite) -> None:
    result = subprocess.run(
        [
            _node(),
            str(JS_DIR / "image_proxy.mjs"),
            moded.server.url,
            moded.origin,
            ADMIN_NAME,
            ADMIN_PASSWORD,
            moded.mode,
            moded.remote,
        ],
        cwd=JS_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"{result.stderr}\n{result.stdout}"
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"ok": True, "steps": JS_STEPS}
    folder = moded.remote.removeprefix(remote.url)
    if moded.mode == "ProxyAllImages":
        # pic.png: once for the image post's preview, once for the proxy, whose second
        # answer came from its cache; og.png once, though served three times.
        assert remote.hits[f"{folder}/pic.png"] == 2
        assert remote.hits[f"{folder}/og.png"] == 1
    if moded.mode == "StoreLinkPreviews":
        assert remote.hits[f"{folder}/og.png"] == 1  # fetched once, then served from here


def test_pythorhead(moded: Moded, remote: RemoteSite) -> None:
    lemmy = Lemmy(moded.server.url, raise_exceptions=True, request_timeout=30)
    assert lemmy.log_in(ADMIN_NAME, ADMIN_PASSWORD)
    community = lemmy.community.create(name=f"py{moded.mode.lower()[:8]}", title="Py pictures")
    community_id = community["community_view"]["community"]["id"]

    # A blocked link is refused, and the site it names is not even asked for a preview.
    folder = moded.remote.removeprefix(remote.url)
    moded.admin.ok("PUT", "/site", {"blocked_urls": [f"127.0.0.1{folder}/blocked"]})
    with pytest.raises(Exception, match="blocked_url"):
        lemmy.post.create(community_id, "Blocked", url=f"{moded.remote}/blocked/page.html")
    assert remote.hits[f"{folder}/blocked/page.html"] == 0
    pic, pic2 = f"{moded.remote}/pic.png", f"{moded.remote}/pic2.png"
    own = f"{moded.origin}/pictrs/image/mine.png"

    post = lemmy.post.create(community_id, "A page", url=f"{moded.remote}/page.html")
    thumbnail = post["post_view"]["post"]["thumbnail_url"]
    post_id = post["post_view"]["post"]["id"]
    written = f"![one]({pic}) and ![own]({own}) and `![code]({pic2})`"
    comment = lemmy.comment.create(post_id, written)["comment_view"]["comment"]
    edited = lemmy.comment.edit(comment["id"], content=f"now ![two]({pic2})")
    edited_content = edited["comment_view"]["comment"]["content"]

    if moded.mode != "ProxyAllImages":
        assert comment["content"] == written
        assert edited_content == f"now ![two]({pic2})"
        if moded.mode == "None":
            assert thumbnail == f"{moded.remote}/og.png"
        else:
            assert thumbnail.startswith(f"{moded.origin}/pictrs/image/")
            stored = httpx.get(moded.here(thumbnail))
            assert stored.status_code == 200
            assert Image.open(io.BytesIO(stored.content)).size == (512, 256)
            # An NSFW post's picture is not kept here (the site shows no content warning).
            nsfw = lemmy.post.create(
                community_id, "Not for work", url=f"{moded.remote}/page.html", nsfw=True
            )
            assert nsfw["post_view"]["post"]["nsfw"] is True
            assert nsfw["post_view"]["post"]["thumbnail_url"] == f"{moded.remote}/og.png"
        refused = httpx.get(moded.here(moded.proxy(pic)))
        assert refused.status_code == 404
        assert refused.json()["error"] == "unknown"
        return

    # Remote pictures are proxied; this instance's own, and code, are left alone.
    assert thumbnail == moded.proxy(f"{moded.remote}/og.png")
    assert comment["content"] == (
        f"![one]({moded.proxy(pic)}) and ![own]({own}) and `![code]({pic2})`"
    )
    assert edited_content == f"now ![two]({moded.proxy(pic2)})"
    assert moded.proxy(pic2) in edited["comment_view"]["comment"]["content"]
    served = httpx.get(moded.here(moded.proxy(pic2)) + "&thumbnail=15")
    assert served.status_code == 200
    assert Image.open(io.BytesIO(served.content)).size == (15, 5)
    # The rendition is kept in the cache: a marker put in its place is what is served.
    kept = moded.server.data_dir / "image-cache" / f"{hashlib.sha256(pic2.encode()).hexdigest()}"
    marker = b"kept rendition"
    kept.with_suffix(".own-15").write_bytes(marker)
    assert httpx.get(moded.here(moded.proxy(pic2)) + "&thumbnail=15").content == marker
    # Each render of a proxied picture takes a token of the client's rendition bucket.
    flood = {"X-Forwarded-For": "198.51.100.90"}
    started, statuses = time.monotonic(), []
    for n in range(16, 86):
        answer = httpx.get(moded.here(moded.proxy(pic2)) + f"&thumbnail={n}", headers=flood)
        statuses.append(answer.status_code)
        if answer.status_code != 200:
            break
    # 60 at once, then one more every 10 s (60 in 600 s): a slow machine earns a few more.
    refilled = int((time.monotonic() - started) // 10)
    assert statuses[-1] == 400
    assert 60 <= statuses.index(400) <= 60 + refilled, statuses
    assert answer.json()["error"] == "rate_limit_error"
    # Only a picture of an accepted type, within the byte limit, is served.
    limits = lemmy.comment.create(
        post_id, f"![t]({moded.remote}/notes.txt) ![h]({moded.remote}/huge.png)"
    )
    assert limits is not None
    text_file = httpx.get(moded.here(moded.proxy(f"{moded.remote}/notes.txt")))
    assert (text_file.status_code, text_file.json()["error"]) == (400, "not_an_image_type")
    huge = httpx.get(moded.here(moded.proxy(f"{moded.remote}/huge.png")))
    assert (huge.status_code, huge.json()["error"]) == (400, "pictrs_response_error")
