"""The site's icon and banner and a custom emoji chosen from a file by an admin (issue 14,
item 8): stored as the API's uploads are (/pictrs/image, in the admin's media), a replaced
or removed one deleted from storage, a file that is no picture refused with nothing
changed; the pages light and dark, 1280 and 390 px wide, with axe finding nothing serious
or critical."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Browser, expect

from tests.conftest import Api, unique
from tests.servers import ADMIN_NAME, Server
from tests.web.axe import check_schemes_and_widths
from tests.web.staff import Crew, browser_for


def _png(path: Path, colour: tuple[int, int, int], size: tuple[int, int] = (64, 64)) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def _not_a_picture(path: Path) -> str:
    path.write_text("just words")
    return str(path)


def _media(api: Api) -> set[str]:
    listed = api.ok("GET", "/account/list_media", limit=50)["images"]
    return {str(i["local_image"]["pictrs_alias"]) for i in listed}


def _status(server: Server, url: str) -> int:
    """The answer for a picture address (stored with the public hostname, fetched here)."""
    return httpx.get(f"{server.url}/pictrs/{url.split('/pictrs/', 1)[1]}", timeout=30).status_code


def _site(api: Api) -> dict[str, Any]:
    site: dict[str, Any] = api.ok("GET", "/site")["site_view"]["site"]
    return site


@pytest.fixture
def origin(crew: Crew) -> Iterator[str]:
    """Where this server's uploads are addressed; the site's pictures are cleared after."""
    yield f"http://{crew.server.hostname}/pictrs/image/"
    crew.admin_api.ok("PUT", "/site", {"icon": "", "banner": ""})


def test_site_icon_and_banner_from_files(
    crew: Crew, origin: str, browser: Browser, tmp_path: Path
) -> None:
    admin, api = crew.admin, crew.admin_api
    page = admin.page

    def save(**files: str) -> None:
        admin.open("/admin/site")
        for label, path in files.items():
            page.get_by_label(f"{label} from a file").set_input_files(path)
        admin.submit(page.get_by_role("button", name="Save site settings").click)

    before = _media(api)
    save(Icon=_png(tmp_path / "red.png", (200, 40, 40)))
    expect(page.get_by_role("status").filter(has_text="saved")).to_be_visible()
    [first] = _media(api) - before
    assert _site(api)["icon"] == origin + first
    assert _status(crew.server, origin + first) == 200
    expect(page.get_by_role("img", name="The site's icon now")).to_have_attribute(
        "src", f"/pictrs/image/{first}"
    )

    # Another file replaces it, and the first is deleted.
    save(Icon=_png(tmp_path / "blue.png", (40, 40, 200)))
    [second] = _media(api) - before
    assert _site(api)["icon"] == origin + second
    assert _status(crew.server, origin + first) == 404
    assert _status(crew.server, origin + second) == 200

    # No picture: refused with the reason, and the icon, the settings and the files stay.
    page.goto(f"{crew.server.url}/admin/site")
    page.get_by_label("Description").fill("Changed with a bad icon")
    page.get_by_label("Icon from a file").set_input_files(_not_a_picture(tmp_path / "w.png"))
    admin.submit(page.get_by_role("button", name="Save site settings").click)
    expect(page.get_by_role("alert")).to_contain_text("image")
    assert _site(api)["icon"] == origin + second
    assert _site(api).get("description") != "Changed with a bad icon"
    assert _media(api) - before == {second}

    # A banner beside it; then "Remove banner" takes it and its file away.
    save(Banner=_png(tmp_path / "wide.png", (10, 160, 10), (300, 60)))
    banner = str(_site(api)["banner"])
    assert banner.startswith(origin) and _site(api)["icon"] == origin + second
    # The form with both pictures and their remove boxes, as a reader with script sees it.
    reader = browser_for(browser, crew.server, api, ADMIN_NAME, js=True)
    reader.open("/admin/site")
    check_schemes_and_widths(reader.page, f"admin-site-pictures-{crew.server.backend}")
    reader.context.close()
    admin.open("/admin/site")
    page.get_by_label("Remove banner").check()
    admin.submit(page.get_by_role("button", name="Save site settings").click)
    assert "banner" not in _site(api) and _site(api)["icon"] == origin + second
    assert _status(crew.server, banner) == 404


def _emoji(api: Api, code: str) -> dict[str, Any] | None:
    for view in api.ok("GET", "/site")["custom_emojis"]:
        if view["custom_emoji"]["shortcode"] == code:
            found: dict[str, Any] = view["custom_emoji"]
            return found
    return None


def test_custom_emoji_from_files(crew: Crew, origin: str, browser: Browser, tmp_path: Path) -> None:
    admin, api = crew.admin, crew.admin_api
    page = admin.page
    code = unique("wave")
    before = _media(api)

    # A file that is no picture: refused, and no emoji and no file is made.
    admin.open("/admin/emoji")
    page.get_by_label("Shortcode").fill(code)
    page.get_by_label("Image file", exact=True).set_input_files(_not_a_picture(tmp_path / "w.png"))
    admin.submit(page.get_by_role("button", name="Add emoji").click)
    expect(page.get_by_role("heading", level=1)).to_have_text("Not done")
    expect(page.locator("main")).to_contain_text("image")
    assert _emoji(api, code) is None and _media(api) == before

    admin.open("/admin/emoji")
    page.get_by_label("Shortcode").fill(code)
    page.get_by_label("Image file", exact=True).set_input_files(
        _png(tmp_path / "wave.png", (250, 200, 0))
    )
    page.get_by_label("Alt text", exact=True).fill("a wave")
    admin.submit(page.get_by_role("button", name="Add emoji").click)
    made = _emoji(api, code)
    [first] = _media(api) - before
    assert made is not None and made["image_url"] == origin + first
    assert _status(crew.server, origin + first) == 200
    row = page.locator(f"#e{made['id']}")
    expect(row.get_by_role("img", name="a wave")).to_have_attribute("src", f"/pictrs/image/{first}")
    reader = browser_for(browser, crew.server, api, ADMIN_NAME, js=True)
    reader.open("/admin/emoji")
    check_schemes_and_widths(reader.page, f"admin-emoji-file-{crew.server.backend}")
    reader.context.close()

    # Another file replaces its picture, and the first is deleted.
    row.get_by_label(f"Image file for :{code}:").set_input_files(
        _png(tmp_path / "wave2.png", (0, 200, 250))
    )
    admin.submit(row.get_by_role("button", name=f"Save :{code}:").click)
    [second] = _media(api) - before
    assert (_emoji(api, code) or {})["image_url"] == origin + second
    assert _status(crew.server, origin + first) == 404
    kept = _emoji(api, code)

    # No picture in its place: refused, the emoji and its file unchanged.
    admin.open("/admin/emoji")
    row.get_by_label(f"Image file for :{code}:").set_input_files(_not_a_picture(tmp_path / "x.png"))
    row.get_by_label(f"Alt text for :{code}:").fill("changed")
    admin.submit(row.get_by_role("button", name=f"Save :{code}:").click)
    expect(page.locator("main")).to_contain_text("image")
    assert _emoji(api, code) == kept
    assert _media(api) - before == {second}

    # Deleting the emoji deletes its picture.
    admin.open("/admin/emoji")
    admin.submit(page.get_by_role("button", name=f"Delete :{code}:").click)
    assert _emoji(api, code) is None
    assert _status(crew.server, origin + second) == 404
    assert _media(api) == before
