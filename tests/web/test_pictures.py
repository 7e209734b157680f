"""Pictures in the pages, in chromium (issue 14, item 1): a thumbnail beside a picture post in
the lists and the picture itself on its page, a link post's preview card, avatars and icons
beside names, and NSFW pictures blurred until the reader clicks (no script needed) unless
they turned blurring off. Every picture checked has loaded, not only been written."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.conftest import Api, register, unique
from tests.remote_site import png, remote_site
from tests.servers import Server
from tests.web import axe
from tests.web.conftest import ContextMaker
from tests.web.people import PASSWORD, Person, sign_up
from tests.web.staff import browser_for


def _upload(site: Server, api: Api, width: int, height: int) -> str:
    """A picture uploaded as a Lemmy app uploads one; its address as posts store it."""
    with httpx.Client(base_url=site.url, headers=dict(api.http.headers), timeout=30) as http:
        sent = http.post("/pictrs/image", files=[("images[]", ("p.png", png(width, height)))])
    assert sent.status_code == 201, sent.text
    return f"http://{site.hostname}/pictrs/image/{sent.json()['files'][0]['file']}"


@dataclass(frozen=True)
class World:
    community: str
    poster: str
    picture: str  # the picture post's link, as stored
    picture_post: int
    link_post: int
    nsfw_post: int
    comment: int


@pytest.fixture(scope="module")
def world(site: Server) -> Iterator[World]:
    owner = register(site)
    name = unique("pix")
    icon = _upload(site, owner, 64, 64)
    made = owner.ok("POST", "/community", {"name": name, "title": "Pictures", "icon": icon})
    community_id = made["community_view"]["community"]["id"]
    poster_name = unique("painter")
    poster = register(site, poster_name, PASSWORD)
    poster.ok("PUT", "/user/save_user_settings", {"avatar": _upload(site, poster, 50, 50)})

    def post(**fields: object) -> int:
        body = {"community_id": community_id, **fields}
        return int(poster.ok("POST", "/post", body)["post_view"]["post"]["id"])

    picture = _upload(site, poster, 300, 200)
    picture_post = post(name="A red rectangle", url=picture, alt_text="A red rectangle, wide")
    with remote_site() as remote:
        link_post = post(name="Worth reading", url=f"{remote.url}/{site.backend}/pix/card.html")
    nsfw = _upload(site, poster, 240, 160)
    nsfw_post = post(name="Not safe for work", url=nsfw, nsfw=True)
    comment = poster.ok("POST", "/comment", {"post_id": picture_post, "content": "Mine."})
    yield World(
        name,
        poster_name,
        picture,
        picture_post,
        link_post,
        nsfw_post,
        int(comment["comment_view"]["comment"]["id"]),
    )


def _loaded(img: Locator) -> None:
    """The picture is on the page and its bytes came and decoded."""
    img.scroll_into_view_if_needed()
    expect(img).to_be_visible()
    img.page.wait_for_function("i => i.complete && i.naturalWidth > 0", arg=img.element_handle())


def _blur(img: Locator) -> str:
    return str(img.evaluate("i => getComputedStyle(i).filter"))


def _open(page: Page, site: Server, path: str) -> None:
    answer = page.goto(site.url + path)
    assert answer is not None and answer.status == 200, path


def _check_lists(page: Page, site: Server, world: World) -> None:
    """The picture post's and the link post's thumbnails and the faces of their author and
    community, on the front page and the community's page; the author's avatar beside their
    comment and on their profile, with their posts' thumbnails; the community's icon."""
    for path in ("/?type=Local&sort=New", f"/c/{world.community}?sort=New"):
        _open(page, site, path)
        card = page.locator(f"#p{world.picture_post}")
        thumb = card.locator("img.thumb")
        expect(thumb).to_have_attribute("alt", "")
        expect(thumb).to_have_attribute("loading", "lazy")
        _loaded(thumb)
        faces = card.locator(".meta img.face")
        expect(faces).to_have_count(2 if path.startswith("/?") else 1)
        for face in faces.all():
            expect(face).to_have_attribute("width", "20")
            _loaded(face)
        # The link post's thumbnail: the page's og:image, fetched and kept here.
        _loaded(page.locator(f"#p{world.link_post} img.thumb"))
    # The community's own page shows its icon in its heading.
    _loaded(page.get_by_role("heading", level=1).locator("img.avatar"))

    _open(page, site, f"/post/{world.picture_post}")
    _loaded(page.locator(f"#c{world.comment} .head img.face"))
    _open(page, site, f"/u/{world.poster}")
    _loaded(page.locator(".identity img.avatar"))
    item = page.locator(f'.item-post[data-id="{world.picture_post}"]')
    _loaded(item.locator("img.thumb"))
    alias = world.picture.rsplit("/", 1)[1]
    expect(item.get_by_role("link", name="A red rectangle")).to_have_attribute(
        "href", f"/pictrs/image/{alias}"
    )
    _open(page, site, f"/communities?q={world.community}")
    _loaded(page.locator(".communities img.avatar"))


def _check_picture_page(page: Page, site: Server, world: World) -> None:
    _open(page, site, f"/post/{world.picture_post}")
    picture = page.get_by_role("img", name="A red rectangle, wide")
    _loaded(picture)
    assert picture.evaluate("i => [i.naturalWidth, i.naturalHeight]") == [300, 200]
    alias = world.picture.rsplit("/", 1)[1]
    expect(page.locator(".picture-link")).to_have_attribute("href", f"/pictrs/image/{alias}")
    assert _blur(picture) == "none"


def _check_link_page(page: Page, site: Server, world: World) -> None:
    _open(page, site, f"/post/{world.link_post}")
    card = page.locator("a.preview")
    expect(card.locator("strong")).to_have_text("Walrus facts")
    expect(card.locator(".desc")).to_have_text("Tusks, whiskers and a great deal of ice.")
    _loaded(card.locator("img"))


def _check_unblurring(page: Page, site: Server, world: World) -> None:
    """Blurred at first; clear after a click on the picture, or the box ticked from the
    keyboard; blurred again when it is unticked."""
    _open(page, site, f"/post/{world.nsfw_post}")
    picture = page.locator("img.picture")
    _loaded(picture)
    assert _blur(picture).startswith("blur(")
    # A click where the reader sees the picture, away from the box in its middle (it lands
    # on the cover over the picture, which a locator's click refuses to press).
    box = picture.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 10, box["y"] + 10)
    assert _blur(picture) == "none"
    assert page.url.endswith(f"/post/{world.nsfw_post}"), "the click opened the picture"
    ticked = page.get_by_role("checkbox", name="Show the NSFW picture")
    expect(ticked).to_be_checked()
    ticked.focus()
    page.keyboard.press("Space")
    assert _blur(picture).startswith("blur(")
    page.keyboard.press("Space")
    assert _blur(picture) == "none"


@pytest.mark.parametrize("js", [False, True], ids=["no-js", "js"])
def test_a_visitor_sees_the_pictures(
    site: Server, world: World, new_context: ContextMaker, js: bool
) -> None:
    page = new_context(java_script_enabled=js).new_page()
    _check_lists(page, site, world)
    _check_picture_page(page, site, world)
    _check_link_page(page, site, world)
    _check_unblurring(page, site, world)


def _member(site: Server, new_context: ContextMaker, js: bool) -> Person:
    """A member who shows NSFW posts in the lists (blurring as it was by default)."""
    member = sign_up(site, new_context(java_script_enabled=js), unique("viewer"), js)
    member.page.goto(f"{site.url}/settings")
    member.page.get_by_label("Show NSFW posts").check()
    member.submit(member.page.get_by_role("button", name="Save settings").click)
    return member


@pytest.mark.parametrize("js", [False, True], ids=["no-js", "js"])
def test_a_member_sees_them_and_may_turn_blurring_off(
    site: Server, world: World, new_context: ContextMaker, js: bool
) -> None:
    member = _member(site, new_context, js)
    page = member.page
    _check_lists(page, site, world)
    _check_picture_page(page, site, world)
    _check_link_page(page, site, world)
    _check_unblurring(page, site, world)
    _open(page, site, f"/c/{world.community}?sort=New")
    assert _blur(page.locator(f"#p{world.nsfw_post} img.thumb")).startswith("blur(")

    _open(page, site, "/settings")
    blurring = page.get_by_label("Blur NSFW pictures")
    expect(blurring).to_be_checked()
    blurring.uncheck()
    member.submit(page.get_by_role("button", name="Save settings").click)
    _open(page, site, f"/c/{world.community}?sort=New")
    thumb = page.locator(f"#p{world.nsfw_post} img.thumb")
    _loaded(thumb)
    assert _blur(thumb) == "none"
    _open(page, site, f"/post/{world.nsfw_post}")
    _loaded(page.locator("img.picture"))
    assert _blur(page.locator("img.picture")) == "none"
    expect(page.get_by_role("checkbox", name="Show the NSFW picture")).to_have_count(0)

    # Avatars and icons off: the lists show the names alone.
    _open(page, site, "/settings")
    page.get_by_label("Show avatars and community icons").uncheck()
    member.submit(page.get_by_role("button", name="Save settings").click)
    _open(page, site, "/?type=Local&sort=New")
    expect(page.locator(f"#p{world.picture_post} img.face")).to_have_count(0)
    _loaded(page.locator(f"#p{world.picture_post} img.thumb"))


def test_light_dark_narrow_and_wide(site: Server, world: World, browser: Browser) -> None:
    """axe finds nothing serious on the pages with pictures, for a visitor and a member, in
    light and dark, at 1280 and 390 pixels; nothing scrolls sideways."""
    anon = browser_for(browser, site, None, "anon", js=True)
    member = browser_for(browser, site, register(site), "member", js=True)
    try:
        for who in (anon, member):
            for name, path in (
                ("front", "/?type=Local&sort=New"),
                ("picture", f"/post/{world.picture_post}"),
                ("link", f"/post/{world.link_post}"),
                ("nsfw", f"/post/{world.nsfw_post}"),
            ):
                _open(who.page, site, path)
                axe.check_schemes_and_widths(who.page, f"pictures-{name}-{who.name}")
    finally:
        anon.context.close()
        member.context.close()
