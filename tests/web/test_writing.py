"""Writing (issue 14, item 4), in chromium: a Markdown preview with and without script that
keeps the text, a toolbar that wraps the selection (script only), a picture added to a
comment's text, the site's custom emoji to pick, and the length limit said before sending
and in the refusal. In light and dark, wide and narrow, with no serious axe finding."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Browser, Route, expect

from tests.conftest import Api, register, unique
from tests.servers import ADMIN_NAME, ADMIN_PASSWORD, Server
from tests.web.axe import check_schemes_and_widths
from tests.web.conftest import save_screenshot
from tests.web.people import PASSWORD, Person
from tests.web.staff import browser_for
from tests.web.test_post_picture import _media

LIMIT = "10,000"  # a comment's limit in UTF-16 units (Lemmy's), as the pages write it


class Writer:
    """A member with a post to comment on, over the API; browsers with and without script."""

    def __init__(self, site: Server, browser: Browser) -> None:
        self.site, self.browser = site, browser
        self.name = unique("writer")
        self.api = register(site, self.name, PASSWORD)
        community = unique("words")
        made = self.api.ok("POST", "/community", {"name": community, "title": "Words"})
        self.community = community
        self.community_id = int(made["community_view"]["community"]["id"])
        self.people: list[Person] = []

    def post(self) -> int:
        made = self.api.ok(
            "POST", "/post", {"name": f"Post {unique('p')}", "community_id": self.community_id}
        )
        return int(made["post_view"]["post"]["id"])

    def person(self, js: bool) -> Person:
        person = browser_for(self.browser, self.site, self.api, self.name, js)
        # The server's public name is "localhost" (its pictures' addresses say so); the
        # browser reaches it at 127.0.0.1:PORT, as a proxy in front of it would.
        public = f"http://{self.site.hostname}/"

        def to_server(route: Route) -> None:
            address = self.site.url + "/" + route.request.url[len(public) :]
            route.fulfill(response=route.fetch(url=address))

        person.context.route(f"{public}**", to_server)
        self.people.append(person)
        return person

    def comments(self, post_id: int) -> list[str]:
        listed = self.api.ok("GET", "/comment/list", post_id=post_id, sort="New")["comments"]
        return [str(c["comment"]["content"]) for c in listed]


@pytest.fixture
def writer(site: Server, browser: Browser) -> Iterator[Writer]:
    made = Writer(site, browser)
    yield made
    for person in made.people:
        person.context.close()


def _png(path: Path) -> Path:
    buffer = io.BytesIO()
    Image.new("RGB", (90, 60), (20, 120, 200)).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def _admin(site: Server) -> Api:
    login = {"username_or_email": ADMIN_NAME, "password": ADMIN_PASSWORD}
    return Api(site, Api(site).ok("POST", "/user/login", login)["jwt"])


def _emoji(site: Server, image_url: str) -> str:
    """A custom emoji the admin adds over the API; its shortcode."""
    code = unique("wave").lower()
    emoji = {"alt_text": "a wave", "category": "hands", "keywords": []}
    _admin(site).ok("POST", "/custom_emoji", {"shortcode": code, "image_url": image_url, **emoji})
    return code


def _uploaded(site: Server, path: Path) -> str:
    """A picture the admin uploads as the API takes them; its address from this machine."""
    response = httpx.post(
        f"{site.url}/pictrs/image",
        files=[("images[]", ("e.png", path.read_bytes(), "image/png"))],
        headers=_admin(site).http.headers,
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return f"{site.url}/pictrs/image/{response.json()['files'][0]['file']}"


@pytest.mark.parametrize("js", [False, True], ids=["plain", "script"])
def test_preview_shows_the_rendered_text_and_keeps_it(writer: Writer, js: bool) -> None:
    post_id = writer.post()
    me = writer.person(js)
    page = me.page
    me.open(f"/post/{post_id}")
    text = "Some **bold** words\n\n> and a quote"
    page.get_by_label("Add a comment").fill(text)
    me.submit(page.get_by_role("button", name="Preview").click)
    preview = page.get_by_role("region", name="Preview")
    expect(preview.locator("strong")).to_have_text("bold")
    expect(preview.locator("blockquote")).to_contain_text("and a quote")
    expect(page.get_by_label("Your reply")).to_have_value(text)
    assert writer.comments(post_id) == []  # a preview stores nothing

    me.submit(page.get_by_role("button", name="Reply").click)
    expect(page.locator(".kids .md strong")).to_have_text("bold")
    assert writer.comments(post_id) == [text]


def test_the_toolbar_wraps_the_selection(writer: Writer) -> None:
    post_id = writer.post()
    plain = writer.person(False)
    plain.open(f"/post/{post_id}")
    expect(plain.page.get_by_role("toolbar", name="Formatting")).to_have_count(0)

    me = writer.person(True)
    me.open(f"/post/{post_id}")
    box = me.page.get_by_label("Add a comment")
    tools = me.page.get_by_role("toolbar", name="Formatting")
    expect(tools).to_be_visible()

    def select(start: int, end: int) -> None:
        box.evaluate(f"b => b.setSelectionRange({start}, {end})")

    box.fill("hello world")
    select(6, 11)
    tools.get_by_role("button", name="Bold").click()
    expect(box).to_have_value("hello **world**")
    select(0, 5)
    tools.get_by_role("button", name="Italic").click()
    expect(box).to_have_value("_hello_ **world**")
    box.fill("secret")
    select(0, 6)
    tools.get_by_role("button", name="Spoiler").click()
    expect(box).to_have_value("::: spoiler Spoiler\nsecret\n:::")
    box.fill("one\ntwo")
    select(0, 7)
    tools.get_by_role("button", name="List").click()
    expect(box).to_have_value("- one\n- two")
    for name in ("Link", "Quote", "Code"):
        expect(tools.get_by_role("button", name=name)).to_be_visible()

    # A reply box that comes in place gets its own toolbar when it is reached.
    made = writer.api.ok("POST", "/comment", {"post_id": post_id, "content": "Answer me"})
    comment_id = made["comment_view"]["comment"]["id"]
    me.open(f"/post/{post_id}")
    me.act(me.page.locator(f"#c{comment_id}").get_by_role("link", name="Reply").click)
    reply = me.page.get_by_label(f"Reply to {writer.name}")
    expect(reply).to_be_focused()
    reply.fill("quote me")
    reply.evaluate("b => b.setSelectionRange(0, 8)")
    me.page.locator(f"#rb{comment_id}").get_by_role("button", name="Quote").click()
    expect(reply).to_have_value("> quote me")


@pytest.mark.parametrize("js", [False, True], ids=["plain", "script"])
def test_a_picture_goes_into_a_comment(writer: Writer, js: bool, tmp_path: Path) -> None:
    post_id = writer.post()
    me = writer.person(js)
    page = me.page
    me.open(f"/post/{post_id}")

    # A file that is no picture: refused with the reason, nothing posted, nothing kept.
    fake = tmp_path / "notes.png"
    fake.write_text("just words")
    page.get_by_label("Add a comment").fill("Look at this")
    page.get_by_label("Add a picture (optional)").set_input_files(str(fake))
    me.submit(page.get_by_role("button", name="Comment").click)
    expect(page.get_by_role("alert")).to_contain_text("image")
    expect(page.get_by_label("Your reply")).to_have_value("Look at this")
    assert writer.comments(post_id) == []
    assert _media(writer.site, writer.name) == []

    page.get_by_label("Add a picture (optional)").set_input_files(str(_png(tmp_path / "b.png")))
    me.submit(page.get_by_role("button", name="Reply").click)
    [alias] = _media(writer.site, writer.name)
    address = f"http://{writer.site.hostname}/pictrs/image/{alias}"
    assert writer.comments(post_id) == [f"Look at this\n\n![]({address})"]
    picture = page.locator(f'.kids .md img[src="{address}"]')
    expect(picture).to_be_visible()
    picture.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=picture.element_handle()
    )


def test_the_emoji_picker_puts_in_an_admins_emoji(writer: Writer, tmp_path: Path) -> None:
    code = _emoji(writer.site, _uploaded(writer.site, _png(tmp_path / "e.png")))
    post_id = writer.post()
    plain = writer.person(False)
    plain.open(f"/post/{post_id}")
    plain.page.get_by_text("Custom emoji").click()
    expect(plain.page.locator(".emoji-pick")).to_contain_text(f":{code}:")

    me = writer.person(True)
    me.open(f"/post/{post_id}")
    box = me.page.get_by_label("Add a comment")
    box.fill("Hello ")
    me.page.get_by_text("Custom emoji").click()
    me.page.get_by_role("button", name=f":{code}:").click()
    expect(box).to_have_value(f"Hello :{code}:")
    me.act(me.page.get_by_role("button", name="Comment").click)
    emoji = me.page.locator(f'.kids img.emoji[title="{code}"]')
    expect(emoji).to_have_attribute("alt", "a wave")
    emoji.scroll_into_view_if_needed()
    me.page.wait_for_function("img => img.naturalWidth > 0", arg=emoji.element_handle())
    assert writer.comments(post_id) == [f"Hello :{code}:"]


@pytest.mark.parametrize("js", [False, True], ids=["plain", "script"])
def test_the_limit_is_said_before_and_after(writer: Writer, js: bool) -> None:
    post_id = writer.post()
    me = writer.person(js)
    page = me.page
    me.open(f"/post/{post_id}")
    box = page.get_by_label("Add a comment")
    expect(page.locator("#new-comment-limit")).to_contain_text(f"up to {LIMIT} characters")
    expect(box).to_have_attribute("maxlength", "10000")
    box.fill("Twelve chars")
    # With script the box counts as it is typed into (UTF-16 units, as the limit).
    counted = " 12 used." if js else ""
    hint = f"Markdown, up to {LIMIT} characters.{counted}"
    expect(page.locator("#new-comment-limit")).to_have_text(hint)

    # A browser that does not hold to maxlength: 100 KB, refused, and the page says the limit.
    box.evaluate("b => b.removeAttribute('maxlength')")
    box.fill("a" * 102_400)
    if js:
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            page.get_by_role("button", name="Comment").click()
        assert answer.value.status == 400
        expect(page.locator("#flash")).to_contain_text(f"the limit is {LIMIT}")
    else:
        me.submit(page.get_by_role("button", name="Comment").click)
        expect(page.get_by_role("alert")).to_contain_text(f"the limit is {LIMIT}")
        expect(page.get_by_role("alert")).to_contain_text("102,400 characters")
    assert writer.comments(post_id) == []


def test_the_writing_pages_in_every_scheme_and_width(writer: Writer) -> None:
    _emoji(writer.site, f"{writer.site.url}/static/icon.svg")
    post_id = writer.post()
    me = writer.person(True)
    page = me.page
    me.open(f"/post/{post_id}")
    page.get_by_text("Custom emoji").click()
    check_schemes_and_widths(page, f"writing-post-{writer.site.backend}")
    page.set_viewport_size({"width": 1280, "height": 900})
    save_screenshot(page, f"writing-post-{writer.site.backend}-1280")

    page.get_by_label("Add a comment").fill("A *preview* of ~~nothing~~ much")
    me.submit(page.get_by_role("button", name="Preview").click)
    expect(page.get_by_role("region", name="Preview").locator("em")).to_have_text("preview")
    check_schemes_and_widths(page, f"writing-reply-{writer.site.backend}")
    save_screenshot(page, f"writing-reply-{writer.site.backend}-390")

    me.open(f"/create_post?community={writer.community}")
    page.get_by_label("Title", exact=True).fill("A title kept")
    page.get_by_label("Text (optional, Markdown)").fill("A **body**")
    me.submit(page.get_by_role("button", name="Preview").click)
    expect(page.get_by_role("region", name="Preview").locator("strong")).to_have_text("body")
    expect(page.get_by_label("Title", exact=True)).to_have_value("A title kept")
    expect(page.locator("#h-name")).to_contain_text("Up to 200 characters")
    check_schemes_and_widths(page, f"writing-post-form-{writer.site.backend}")

    other = unique("reader")
    register(writer.site, other, PASSWORD)
    me.open(f"/u/{other}/message")
    page.get_by_label("Your message (Markdown)").fill("Hi `there`")
    me.submit(page.get_by_role("button", name="Preview").click)
    expect(page.get_by_role("region", name="Preview").locator("code")).to_have_text("there")
    expect(page.get_by_label("Your message (Markdown)")).to_have_value("Hi `there`")
    check_schemes_and_widths(page, f"writing-message-{writer.site.backend}")


def test_a_picture_goes_into_a_posts_text(writer: Writer, tmp_path: Path) -> None:
    """Previewed first: the picture is stored then, its address put in the text (a file
    field cannot be filled again), and the post is written with it."""
    me = writer.person(False)
    page = me.page
    me.open(f"/create_post?community={writer.community}")
    page.get_by_label("Title", exact=True).fill("With a picture inside")
    page.get_by_label("Text (optional, Markdown)").fill("Above the picture")
    page.get_by_label("Add a picture (optional)").set_input_files(str(_png(tmp_path / "p.png")))
    me.submit(page.get_by_role("button", name="Preview").click)
    [alias] = _media(writer.site, writer.name)
    address = f"http://{writer.site.hostname}/pictrs/image/{alias}"
    body = f"Above the picture\n\n![]({address})"
    expect(page.get_by_role("region", name="Preview").locator("img")).to_have_attribute(
        "src", address
    )
    expect(page.get_by_label("Text (optional, Markdown)")).to_have_value(body)

    me.submit(page.get_by_role("button", name="Post").click)
    expect(page.get_by_role("heading", level=1)).to_have_text("With a picture inside")
    picture = page.locator(f'.md.body img[src="{address}"]')
    picture.scroll_into_view_if_needed()
    page.wait_for_function("img => img.naturalWidth > 0", arg=picture.element_handle())
    post_id = int(page.url.rstrip("/").split("/")[-1])
    assert Api(writer.site).ok("GET", "/post", id=post_id)["post_view"]["post"]["body"] == body
    assert _media(writer.site, writer.name) == [alias]
