"""A picture posted from the web form, in chromium: it is stored as the API's uploads are
(/pictrs/image), becomes the post's link, and a refused form keeps no picture behind."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
from PIL import Image
from playwright.sync_api import expect

from tests.conftest import Api, register, unique
from tests.remote_site import remote_site
from tests.servers import Server
from tests.web.conftest import ContextMaker
from tests.web.people import PASSWORD, sign_up


def _png(path: Path) -> Path:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), (200, 40, 40)).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def _media(server: Server, name: str) -> list[str]:
    token = Api(server).ok(
        "POST", "/user/login", {"username_or_email": name, "password": PASSWORD}
    )["jwt"]
    listed = Api(server, token).ok("GET", "/account/list_media")["images"]
    return [str(i["local_image"]["pictrs_alias"]) for i in listed]


def test_a_picture_post_from_the_form(
    site: Server, new_context: ContextMaker, tmp_path: Path
) -> None:
    owner = register(site)
    name = unique("pics")
    owner.ok("POST", "/community", {"name": name, "title": "Pictures"})
    me = sign_up(site, new_context(), unique("painter"), js=False)
    page = me.page

    # A file that is no picture: refused with the reason, no post, nothing kept.
    me.open(f"/create_post?community={name}")
    page.get_by_label("Title", exact=True).fill("Not really a picture")
    fake = tmp_path / "notes.png"
    fake.write_text("just words")
    page.get_by_label("Or a picture (optional)").set_input_files(str(fake))
    me.submit(page.get_by_role("button", name="Post").click)
    expect(page.get_by_role("alert")).to_contain_text("image")
    expect(page.get_by_label("Title", exact=True)).to_have_value("Not really a picture")
    assert _media(site, me.name) == []

    me.open(f"/create_post?community={name}")
    page.get_by_label("Title", exact=True).fill("A red rectangle")
    page.get_by_label("Or a picture (optional)").set_input_files(str(_png(tmp_path / "r.png")))
    me.submit(page.get_by_role("button", name="Post").click)
    expect(page.get_by_role("heading", level=1)).to_have_text("A red rectangle")
    post_id = int(page.url.rstrip("/").split("/")[-1])

    [alias] = _media(site, me.name)
    post = Api(site).ok("GET", "/post", id=post_id)["post_view"]["post"]
    assert post["url"] == f"http://{site.hostname}/pictrs/image/{alias}"
    served = httpx.get(f"{site.url}/pictrs/image/{alias}", timeout=30)
    assert served.status_code == 200 and served.headers["content-type"].startswith("image/")
    assert Image.open(io.BytesIO(served.content)).size == (120, 80)


def test_a_link_post_from_the_form_has_its_preview(site: Server, new_context: ContextMaker) -> None:
    """The default image mode, StoreLinkPreviews: the page's picture is kept here as the
    thumbnail; an edit that keeps the link keeps the preview, fetching nothing again."""
    owner = register(site)
    name = unique("links")
    owner.ok("POST", "/community", {"name": name, "title": "Links"})
    me = sign_up(site, new_context(), unique("linker"), js=False)
    page = me.page
    with remote_site() as remote:
        link = f"{remote.url}/{site.backend}/page.html"
        me.open(f"/create_post?community={name}")
        page.get_by_label("Title", exact=True).fill("Worth a look")
        page.get_by_label("Link (optional)").fill(link)
        me.submit(page.get_by_role("button", name="Post").click)
        expect(page.get_by_text("A page with a picture")).to_be_visible()
        post_id = int(page.url.rstrip("/").split("/")[-1])
        post = Api(site).ok("GET", "/post", id=post_id)["post_view"]["post"]
        thumbnail = post["thumbnail_url"]
        assert thumbnail.startswith(f"http://{site.hostname}/pictrs/image/")
        alias = thumbnail.rsplit("/", 1)[1]
        expect(page.locator(f'img[src$="{alias}"]')).to_have_count(1)
        kept = httpx.get(f"{site.url}/pictrs/image/{alias}", timeout=30)
        assert Image.open(io.BytesIO(kept.content)).size == (512, 256)

        me.open(f"/post/{post_id}/edit")
        page.get_by_label("Title", exact=True).fill("Still worth a look")
        me.submit(page.get_by_role("button", name="Save").click)
        expect(page.get_by_role("heading", level=1)).to_have_text("Still worth a look")
        edited = Api(site).ok("GET", "/post", id=post_id)["post_view"]["post"]
        assert (edited["thumbnail_url"], edited["embed_title"]) == (
            thumbnail,
            "A page with a picture",
        )
        assert remote.hits[f"/{site.backend}/page.html"] == 1
        assert remote.hits[f"/{site.backend}/og.png"] == 1
