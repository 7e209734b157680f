"""moot as people first run it, in chromium: started by `bin/serve` with no host name (its
public address is then where it listens, over plain http), pictures uploaded from the web
forms show and their API links load; and an instance on an IP address as host name, where
posting, commenting and voting work."""

from __future__ import annotations

import io
import os
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.conftest import BACKENDS, unique
from tests.servers import ROOT, Server, destroy, free_port, make_server, new_database_url
from tests.web.conftest import ContextMaker, _open_up, _running
from tests.web.people import PASSWORD, Person, sign_up


def _bin_serve(server: Server) -> subprocess.Popen[bytes]:
    """`bin/serve --port P` with no MOOT_* setting but where its data goes (a PostgreSQL
    database for that backend; SQLite is the default)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOOT_")}
    env["MOOT_DATA_DIR"] = str(server.data_dir)
    if server.backend == "postgresql":
        env["MOOT_DATABASE_URL"] = server.database_url
    log = server.log_path.open("ab")
    process = subprocess.Popen(
        [str(ROOT / "bin/serve"), "--port", str(server.port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"bin/serve exited:\n{server.log_path.read_text()}")
        try:
            if httpx.get(f"{server.api}/site", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"bin/serve did not start:\n{server.log_path.read_text()}")


@pytest.fixture(scope="module", params=BACKENDS)
def fresh(request: pytest.FixtureRequest) -> Iterator[Server]:
    data_dir = Path(tempfile.mkdtemp(prefix=f"moot-serve-{request.param}-"))
    port = free_port()
    srv = Server(request.param, new_database_url(request.param, data_dir), data_dir, port, "", None)
    srv.hostname = f"127.0.0.1:{port}"  # what the instance should call itself
    srv.process = _bin_serve(srv)
    yield from _running(request, srv)


@pytest.fixture(scope="module")
def on_ip() -> Iterator[Server]:
    srv = make_server("sqlite")
    srv.hostname = f"127.0.0.1:{srv.port}"
    srv.start_env = {"MOOT_FEDERATION_TEST_MODE": ""}
    try:
        srv.start()
        _open_up(srv)
        yield srv
    finally:
        destroy(srv)


def _png(path: Path, colour: tuple[int, int, int], size: tuple[int, int]) -> Path:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def _loaded_width(page: Page, selector: str) -> int:
    picture = page.locator(selector)
    expect(picture).to_have_count(1)
    picture.scroll_into_view_if_needed()  # pictures load lazily
    page.wait_for_function("s => document.querySelector(s).complete", arg=selector, timeout=10_000)
    return int(picture.evaluate("img => img.naturalWidth"))


def _width_at(page: Page, url: str) -> int:
    """How wide the picture at `url` is when the browser loads it (0: it did not load)."""
    return int(
        page.evaluate(
            """url => new Promise(done => {
                const img = new Image();
                img.onload = () => done(img.naturalWidth);
                img.onerror = () => done(0);
                img.src = url;
            })""",
            url,
        )
    )


def test_pictures_on_a_default_install(
    fresh: Server, new_context: ContextMaker, tmp_path: Path
) -> None:
    page = new_context().new_page()
    me = Person(unique("first"), page.context, page, fresh, js=True)
    # The first visit sets the instance up; its first account is the admin.
    me.open("/signup")
    assert page.url == f"{fresh.url}/setup"
    page.get_by_label("Name of the site").fill("First try")
    page.get_by_label("Admin name").fill(me.name)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    me.submit(page.get_by_role("button", name="Set up").click)

    me.open("/settings")
    page.get_by_label("Avatar from a file").set_input_files(
        str(_png(tmp_path / "face.png", (200, 40, 40), (90, 90)))
    )
    me.submit(page.get_by_role("button", name="Save settings").click)
    me.open(f"/u/{me.name}")
    assert _loaded_width(page, "img.avatar") == 90

    name = unique("snaps")
    me.open("/create_community")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Title", exact=True).fill("Snapshots")
    me.submit(page.get_by_role("button", name="Create").click)
    me.open(f"/create_post?community={name}")
    page.get_by_label("Title", exact=True).fill("A green field")
    page.get_by_label("Or a picture (optional)").set_input_files(
        str(_png(tmp_path / "field.png", (20, 160, 20), (160, 100)))
    )
    me.submit(page.get_by_role("button", name="Post").click)
    expect(page.get_by_role("heading", level=1)).to_have_text("A green field")
    assert _loaded_width(page, "article.post img") == 160
    me.open(f"/c/{name}")
    # A card asks this server for its thumbnail at 144 pixels (twice its 72 on the page).
    assert _loaded_width(page, "article.card img.thumb") == 144

    # The links the API gives clients are on the listen address, over http, and load.
    person = me.api("/site")["my_user"]["local_user_view"]["person"]
    post = me.api("/post/list", community_name=name)["posts"][0]["post"]
    for url, width in ((person["avatar"], 90), (post["url"], 160)):
        assert url.startswith(f"{fresh.url}/pictrs/image/"), url
        assert _width_at(page, url) == width


def test_posting_commenting_and_voting_on_an_ip_address(
    on_ip: Server, new_context: ContextMaker
) -> None:
    ann = sign_up(on_ip, new_context(), unique("ann"), js=True)
    bob = sign_up(on_ip, new_context(), unique("bob"), js=True)
    name = unique("lan")
    ann.open("/create_community")
    ann.page.get_by_label("Name", exact=True).fill(name)
    ann.page.get_by_label("Title", exact=True).fill("On the LAN")
    ann.submit(ann.page.get_by_role("button", name="Create").click)
    ann.open(f"/create_post?community={name}")
    ann.page.get_by_label("Title", exact=True).fill("Hello from the LAN")
    ann.submit(ann.page.get_by_role("button", name="Post").click)
    post_id = int(ann.page.url.rsplit("/", 1)[1])

    bob.open(f"/post/{post_id}")
    bob.page.get_by_label("Add a comment").fill(f"Hi @{ann.name}@{on_ip.hostname}")
    bob.act(bob.page.get_by_role("button", name="Comment").click)
    expect(bob.page.locator("section.comments li .md").first).to_have_text(
        f"Hi @{ann.name}@{on_ip.hostname}"
    )
    bar = bob.page.locator(f"#p{post_id} .acts")
    bob.act(bar.get_by_role("button", name="Upvote").click)
    expect(bar.locator(".score")).to_have_text("2 points")

    seen = ann.api("/post", id=post_id)["post_view"]
    assert (seen["counts"]["score"], seen["counts"]["comments"]) == (2, 1)
    assert seen["post"]["ap_id"] == f"http://{on_ip.hostname}/post/{post_id}"
    assert len(ann.api("/user/mention")["mentions"]) == 1
