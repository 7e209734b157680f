"""The README's screenshots, made by this test run: an instance filled through the API (people
with avatars, communities with icons, a picture post, a link, a discussion some levels deep),
then its main pages opened in Debian's chromium and photographed at the size a visitor sees
them. Each run writes them to test-artifacts/; with MOOT_SCREENSHOTS=docs the SQLite run
writes docs/screenshots/ too, which the README shows:

    MOOT_SCREENSHOTS=docs bin/test tests/web/test_screenshots.py -k sqlite

Every page is checked as it is taken (it answers 200, shows what was made for it, and fits
its width), and the last test checks that the README shows each screenshot this file makes.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, Page, expect

from tests.conftest import BACKENDS, Api, register
from tests.servers import ADMIN_NAME, ADMIN_PASSWORD, ROOT, Server, destroy, make_server
from tests.web.conftest import ARTIFACTS

DOCS = ROOT / "docs" / "screenshots"


@dataclass(frozen=True)
class Shot:
    name: str  # the file's name, without .png
    path: str
    shows: str  # a text the page must show
    width: int = 1280
    height: int = 860
    dark: bool = False
    member: bool = False


SHOTS = [
    Shot("front-page", "/?type=All", "Trains that run on time"),
    Shot("front-page-dark", "/?type=All", "Trains that run on time", dark=True),
    Shot("community", "/c/rail", "Rail and trams"),
    Shot("post", "/post/{thread}", "the night train to Vienna", member=True),
    Shot("post-phone", "/post/{thread}", "the night train to Vienna", width=390, height=844),
    Shot("profile", "/u/ana", "ana"),
    Shot("communities", "/communities?type=All", "Rail and trams"),
    Shot("search", "/search?q=train", "Trains that run on time"),
]


def _picture(colours: tuple[str, str], label: str) -> bytes:
    """A small picture of two colours with a word on it, so the shots show real pictures."""
    image = Image.new("RGB", (480, 320), colours[0])
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 200, 480, 320), fill=colours[1])
    draw.text((24, 24), label, fill="white")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _upload(server: Server, api: Api, data: bytes) -> str:
    response = httpx.post(
        f"{server.url}/pictrs/image",
        files=[("images[]", ("p.png", data, "image/png"))],
        headers={"Authorization": api.http.headers["Authorization"]},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return f"{server.url}/pictrs/image/{response.json()['files'][0]['file']}"


def _fill(server: Server) -> dict[str, int]:
    """People, communities and a discussion, made as members make them."""
    admin_token = Api(server).ok(
        "POST", "/user/login", {"username_or_email": ADMIN_NAME, "password": ADMIN_PASSWORD}
    )["jwt"]
    limits = {f"rate_limit_{b}": 100000 for b in ("post", "register", "image", "comment")}
    Api(server, admin_token).ok("PUT", "/site", {"registration_mode": "Open", **limits})
    people = {}
    for name, colours in (
        ("ana", ("#2b6cb0", "#90cdf4")),
        ("ben", ("#c05621", "#fbd38d")),
        ("chloe", ("#2f855a", "#9ae6b4")),
    ):
        person = register(server, name)
        avatar = _upload(server, person, _picture(colours, name))
        person.ok("PUT", "/user/save_user_settings", {"avatar": avatar, "bio": f"I am {name}."})
        people[name] = person
    ana, ben, chloe = people["ana"], people["ben"], people["chloe"]
    rail = ana.ok(
        "POST",
        "/community",
        {
            "name": "rail",
            "title": "Rail and trams",
            "description": "Trains, trams and the people who ride them. Be kind.",
            "icon": _upload(server, ana, _picture(("#4a5568", "#e2e8f0"), "rail")),
        },
    )["community_view"]["community"]["id"]
    garden = ben.ok(
        "POST",
        "/community",
        {"name": "gardening", "title": "Gardening", "description": "What grows where."},
    )["community_view"]["community"]["id"]
    for person in (ben, chloe):
        person.ok("POST", "/community/follow", {"community_id": rail, "follow": True})
    chloe.ok("POST", "/community/follow", {"community_id": garden, "follow": True})

    def post(person: Api, community: int, name: str, **more: str) -> int:
        body = {"community_id": community, "name": name, **more}
        return int(person.ok("POST", "/post", body)["post_view"]["post"]["id"])

    post(
        chloe,
        rail,
        "The new tram depot, seen from the bridge",
        url=_upload(server, chloe, _picture(("#1a202c", "#f6ad55"), "depot")),
    )
    post(ben, garden, "Tomatoes on a north-facing balcony: worth it?", body="Asking for *me*.")
    thread = post(
        ana,
        rail,
        "Trains that run on time: what the fast networks do differently",
        body="Timetables built **around connections**, not lines.\n\n"
        "> A train every half hour beats a fast train twice a day.\n\n"
        "What does your city do well?",
    )
    comments: list[int] = []
    for person, text, parent in (
        (ben, "Ours got better once the trams ran every ten minutes.", None),
        (chloe, "I took the night train to Vienna last month: on time to the minute.", None),
        (ana, "How was the sleeper? I keep hearing mixed things.", 1),
        (chloe, "Quiet, clean, and breakfast was *included*.", 2),
        (ben, "Same here, though the connection at Munich was tight.", 1),
    ):
        body: dict[str, object] = {"post_id": thread, "content": text}
        if parent is not None:
            body["parent_id"] = comments[parent]
        comments.append(int(person.ok("POST", "/comment", body)["comment_view"]["comment"]["id"]))
    for person in (ben, chloe):
        person.ok("POST", "/post/like", {"post_id": thread, "score": 1})
    ben.ok("POST", "/comment/like", {"comment_id": comments[1], "score": 1})
    return {"thread": thread}


@pytest.fixture(scope="module", params=BACKENDS)
def filled(request: pytest.FixtureRequest) -> Iterator[tuple[Server, dict[str, int]]]:
    srv = make_server(request.param)
    srv.start()
    try:
        yield srv, _fill(srv)
    finally:
        destroy(srv)


def _member_page(browser: Browser, server: Server, shot: Shot) -> Page:
    context = browser.new_context(
        viewport={"width": shot.width, "height": shot.height},
        color_scheme="dark" if shot.dark else "light",
    )
    if shot.member:
        token = Api(server).ok(
            "POST", "/user/login", {"username_or_email": "chloe", "password": "password-123"}
        )["jwt"]
        context.add_cookies([{"name": "jwt", "value": token, "url": server.url}])
    return context.new_page()


@pytest.mark.parametrize("shot", SHOTS, ids=[s.name for s in SHOTS])
def test_screenshot(browser: Browser, filled: tuple[Server, dict[str, int]], shot: Shot) -> None:
    server, ids = filled
    page = _member_page(browser, server, shot)
    try:
        response = page.goto(server.url + shot.path.format(**ids), wait_until="load")
        assert response is not None and response.status == 200
        expect(page.get_by_text(shot.shows).first).to_be_visible()
        page.wait_for_load_state("networkidle")
        wide = int(page.evaluate("document.documentElement.scrollWidth"))
        assert wide <= shot.width, f"{shot.name} is {wide} px wide at {shot.width} px"
        broken = page.evaluate(
            "[...document.images].filter(i => i.complete && i.naturalWidth === 0).length"
        )
        assert broken == 0, f"{shot.name}: {broken} pictures did not load"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"screen-{server.backend}-{shot.name}.png"))
        if os.environ.get("MOOT_SCREENSHOTS") == "docs" and server.backend == "sqlite":
            DOCS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(DOCS / f"{shot.name}.png"))
    finally:
        page.context.close()


def test_readme_shows_every_screenshot() -> None:
    """The README shows each page above from docs/screenshots/, and nothing stale."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = set(re.findall(r"docs/screenshots/([\w-]+)\.png", readme))
    made = {shot.name for shot in SHOTS}
    assert shown == made
    on_disk = {path.stem for path in DOCS.glob("*.png")}
    assert on_disk == made, "run: MOOT_SCREENSHOTS=docs bin/test tests/web/test_screenshots.py"
