"""The site settings form (moot/web/site_settings.py) sent twice at once, each with another
icon file, as two admins (or two tabs) save it: no answer is a 5xx, the icon is one of the
two, and of the pictures stored only that one is left: the one it replaced and the other
save's are deleted (each save releases what it found there under the site's lock).

The form is posted as a browser posts it: every field the page has, with its value."""

from __future__ import annotations

import asyncio
import io
from html.parser import HTMLParser

import httpx
from PIL import Image

from tests.concurrency.world import Member, World
from tests.conftest import Api

TWICE = 2
Files = dict[str, tuple[str, bytes, str]]


class _Fields(HTMLParser):
    """The fields of the page's site form and their values, as a browser would send them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: list[tuple[str, str]] = []
        self._area: str | None = None
        self._select: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name", "")
        if tag == "input" and name and a.get("type") != "file":
            if a.get("type") != "checkbox" or "checked" in a:
                self.fields.append((name, a.get("value", "")))
        elif tag == "textarea":
            self._area, self._text = name, []
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))

    def handle_data(self, data: str) -> None:
        if self._area is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._area is not None:
            self.fields.append((self._area, "".join(self._text)))
            self._area = None
        elif tag == "select":
            self._select = None


def _png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), colour).save(out, "PNG")
    return out.getvalue()


def _media(api: Api) -> set[str]:
    listed = api.ok("GET", "/account/list_media", limit=50)["images"]
    return {str(i["local_image"]["pictrs_alias"]) for i in listed}


def _icon_alias(api: Api) -> str | None:
    icon = api.ok("GET", "/site")["site_view"]["site"].get("icon")
    return str(icon).rsplit("/", 1)[1] if icon else None


Form = dict[str, list[str]]


async def _form(client: httpx.AsyncClient) -> Form:
    """The site form's fields as the page gives them (its CSRF token among them)."""
    parser = _Fields()
    parser.feed((await client.get("/admin/site")).text)
    form: Form = {}
    for name, value in parser.fields:
        form.setdefault(name, []).append(value)
    return form


async def _saves(world: World, who: Member, sent: list[tuple[Form, Files]]) -> list[httpx.Response]:
    """The site form, once per (extra fields, files) in `sent`, all at once, each from its
    own client of `who`'s session."""
    clients = [
        httpx.AsyncClient(
            base_url=world.server.url,
            cookies={"jwt": who.token},
            timeout=60,
            headers={"Accept": "text/html"},
        )
        for _ in sent
    ]
    try:
        forms = [await _form(c) for c in clients]
        go = asyncio.Event()

        async def send(
            client: httpx.AsyncClient, form: Form, extra: Form, files: Files
        ) -> httpx.Response:
            await go.wait()
            return await client.post("/admin/site", data=form | extra, files=files)

        tasks = [
            asyncio.create_task(send(c, f, extra, files))
            for c, f, (extra, files) in zip(clients, forms, sent, strict=True)
        ]
        await asyncio.sleep(0)
        go.set()
        return list(await asyncio.gather(*tasks))
    finally:
        for c in clients:
            await c.aclose()


def _icon(colour: tuple[int, int, int]) -> tuple[Form, Files]:
    return {}, {"icon_file": ("icon.png", _png(colour), "image/png")}


async def test_two_icons_at_once(world: World) -> None:
    admin = world.admin
    before = _media(admin.api)
    async with world.audit("POST /admin/site (icon files)") as audit:
        colours = [((200, 0, 0), (0, 0, 200)), ((0, 160, 0), (160, 160, 0))]
        for n, pair in enumerate(colours):
            answers = await _saves(world, admin, [_icon(c) for c in pair])
            statuses = [a.status_code for a in answers]
            audit.seen.append(f"round {n}: {statuses}")
            audit.expect(statuses == [303] * TWICE, f"round {n}: answers {statuses}")
            icon = _icon_alias(admin.api)
            left = _media(admin.api) - before
            audit.expect(
                icon is not None and left == {icon},
                f"round {n}: the icon is {icon}, the pictures stored are {sorted(left)}",
            )
        # Removed, the last one goes too (and the site is as it was for the other tests).
        [answer] = await _saves(world, admin, [({"remove_icon": ["1"]}, {})])
        audit.expect(answer.status_code == 303, f"removing the icon: {answer.status_code}")
        audit.expect(_icon_alias(admin.api) is None, "the icon is still set")
        audit.expect(_media(admin.api) == before, "a picture is left after removing the icon")
