"""A web client served from another origin, in chromium: a page on another loopback port
loads the real lemmy-js-client (0.19.9, from tests/live/js) and logs in, lists posts, votes
and uploads a picture against moot; and with the operator's origin list (MOOT_CORS_ORIGIN)
leaving that origin out, the browser refuses it and nothing is written."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.conftest import Api, register, unique
from tests.servers import Server, destroy, make_server
from tests.web.conftest import _open_up

CLIENT = Path(__file__).resolve().parents[1] / "live/js/node_modules/lemmy-js-client/dist"
PASSWORD = "password-123"

# The client's CommonJS modules, each wrapped as a function, and a `require` between them.
_LOADER = """(function () {
  const sources = {%s};
  const done = {};
  function load(name) {
    name = name.replace(/^\\.\\//, "");
    if (!(name in done)) {
      const module = { exports: {} };
      done[name] = module;
      sources[name](module, module.exports, load);
    }
    return done[name].exports;
  }
  window.LemmyJs = load("index");
})();
"""

# What the page does with the client: everything a reader's first visit does.
_PAGE = """<!doctype html><meta charset="utf-8"><title>elsewhere</title>
<script src="lemmy-js-client.js"></script>
<script>
async function picture() {
  const canvas = document.createElement("canvas");
  canvas.width = 30; canvas.height = 20;
  canvas.getContext("2d").fillRect(0, 0, 30, 20);
  const blob = await new Promise(done => canvas.toBlob(done));
  return new File([blob], "p.png", { type: "image/png" });
}
window.visit = async (base, name, password, postId) => {
  const client = new LemmyJs.LemmyHttp(base);
  const login = await client.login({ username_or_email: name, password });
  client.setHeaders({ Authorization: `Bearer ${login.jwt}` });
  const listed = await client.getPosts({ type_: "All", sort: "New", limit: 20 });
  const vote = await client.likePost({ post_id: postId, score: 1 });
  const upload = await client.uploadImage({ image: await picture() });
  return {
    ids: listed.posts.map(p => p.post.id),
    myVote: vote.post_view.my_vote,
    uploaded: upload.msg,
  };
};
// Each call on its own, for the refusals: what the client answered, or its error.
window.attempt = async (base, jwt, call, form) => {
  const client = new LemmyJs.LemmyHttp(base, { headers: { Authorization: `Bearer ${jwt}` } });
  try {
    await client[call](form);
    return "answered";
  } catch (e) {
    return String(e);
  }
};
</script>
"""


def _bundle() -> str:
    modules = ",\n".join(
        f'"{name}": function (module, exports, require) {{\n'
        f"{(CLIENT / f'{name}.js').read_text()}\n}}"
        for name in ("index", "http", "other_types")
    )
    return _LOADER % modules


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def origins(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """Two static http servers on other loopback ports, serving the client's page."""
    if not CLIENT.exists():
        pytest.fail("lemmy-js-client is not installed: run `npm ci` in tests/live/js")
    folder = tmp_path_factory.mktemp("elsewhere")
    (folder / "lemmy-js-client.js").write_text(_bundle())
    (folder / "index.html").write_text(_PAGE)
    handler = functools.partial(_Quiet, directory=str(folder))
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), handler) for _ in range(2)]
    for httpd in servers:
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
    first, second = (f"http://127.0.0.1:{s.server_address[1]}" for s in servers)
    yield first, second
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def restricted(origins: tuple[str, str]) -> Iterator[Server]:
    """An instance whose operator lets only the first origin's pages call it."""
    srv = make_server("sqlite")
    srv.start_env = {"MOOT_CORS_ORIGIN": f"https://photon.example, {origins[0]}"}
    try:
        srv.start()
        _open_up(srv)
        yield srv
    finally:
        destroy(srv)


def _a_post(server: Server) -> tuple[str, str, int]:
    """A reader (name, token) and a post by someone else for them to find and vote on."""
    author = register(server)
    community = author.ok("POST", "/community", {"name": unique("far"), "title": "Far"})
    post_id = author.ok(
        "POST",
        "/post",
        {"name": "Seen from afar", "community_id": community["community_view"]["community"]["id"]},
    )["post_view"]["post"]["id"]
    name = unique("reader")
    token = register(server, name, PASSWORD).http.headers["Authorization"].split()[1]
    return name, token, int(post_id)


@pytest.fixture
def plain(browser: Browser) -> Iterator[BrowserContext]:
    """A browser context without the tests' request gate (tests/browser.py): with requests
    routed through Playwright, chromium sends a refused cross-origin request anyway (its
    answer only is kept from the page), which is not what a browser does. These pages
    reach only the loopback servers of the test."""
    context = browser.new_context()
    yield context
    context.close()


def _page_at(context: BrowserContext, origin: str) -> tuple[Page, list[str]]:
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(f"{origin}/index.html")
    return page, console


def _score(server: Server, post_id: int) -> int:
    return int(Api(server).ok("GET", "/post", id=post_id)["post_view"]["counts"]["score"])


def test_a_client_from_another_origin(
    site: Server, origins: tuple[str, str], plain: BrowserContext
) -> None:
    name, _, post_id = _a_post(site)
    page, _ = _page_at(plain, origins[1])
    seen = page.evaluate("a => visit(...a)", [site.url, name, PASSWORD, post_id])
    assert post_id in seen["ids"]
    assert (seen["myVote"], seen["uploaded"]) == (1, "ok")
    assert _score(site, post_id) == 2


def test_the_operators_origin_list(
    restricted: Server, origins: tuple[str, str], plain: BrowserContext
) -> None:
    listed, other = origins
    name, token, post_id = _a_post(restricted)

    # From an origin the operator left out, the browser refuses every call: the login, a
    # listing and a vote with a token the page already has, which never reaches moot.
    page, console = _page_at(plain, other)
    for call, form in (
        ("login", {"username_or_email": name, "password": PASSWORD}),
        ("getPosts", {"type_": "All"}),
        ("likePost", {"post_id": post_id, "score": 1}),
    ):
        answer = page.evaluate("a => attempt(...a)", [restricted.url, token, call, form])
        assert answer == "TypeError: Failed to fetch", (call, answer)
    assert sum("blocked by CORS policy" in line for line in console) == 3, console
    assert _score(restricted, post_id) == 1

    # From the listed origin, the same client does it all.
    page, _ = _page_at(plain, listed)
    seen = page.evaluate("a => visit(...a)", [restricted.url, name, PASSWORD, post_id])
    assert post_id in seen["ids"]
    assert (seen["myVote"], seen["uploaded"]) == (1, "ok")
    assert _score(restricted, post_id) == 2
