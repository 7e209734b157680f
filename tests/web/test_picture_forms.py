"""Pictures chosen from a file in the settings and community forms, and a person's
instance blocks, in chromium without JavaScript: an avatar is stored as the API's uploads
are (/pictrs/image), a replaced one is deleted, a non-image is refused and changes nothing;
a remote community's page blocks its server, and the settings page unblocks it."""

from __future__ import annotations

import io
import json
from pathlib import Path

import httpx
from PIL import Image
from playwright.sync_api import expect

from tests.conftest import Api, register, unique
from tests.servers import Server
from tests.web.axe import axe_findings
from tests.web.conftest import ContextMaker
from tests.web.people import PASSWORD, Person, log_in, sign_up


def _png(path: Path, colour: tuple[int, int, int], size: tuple[int, int] = (90, 90)) -> Path:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def _own_api(server: Server, name: str) -> Api:
    token = Api(server).ok(
        "POST", "/user/login", {"username_or_email": name, "password": PASSWORD}
    )["jwt"]
    return Api(server, token)


def _media(server: Server, name: str) -> list[str]:
    listed = _own_api(server, name).ok("GET", "/account/list_media")["images"]
    return sorted(str(i["local_image"]["pictrs_alias"]) for i in listed)


def _me(person: Person) -> dict[str, object]:
    found: dict[str, object] = person.api("/site")["my_user"]["local_user_view"]["person"]
    return found


def _status(server: Server, url: str) -> int:
    """The answer for a picture address (stored with the public hostname, fetched here)."""
    path = url.split("/pictrs/", 1)[1]
    return httpx.get(f"{server.url}/pictrs/{path}", timeout=30).status_code


def _no_axe_findings(person: Person, new_context: ContextMaker, path: str, label: str) -> None:
    """axe on the page as `person` sees it; axe runs as a script, so in a second session
    of theirs with JavaScript on (the tests above post the forms without it)."""
    reader = log_in(person.server, new_context(), person.name, True)
    reader.open(path)
    found = axe_findings(reader.page, f"{label}-{person.server.backend}")
    assert found == [], json.dumps(found, indent=1)


def _save_avatar(person: Person, picture: Path) -> None:
    person.open("/settings")
    person.page.get_by_label("Avatar from a file").set_input_files(str(picture))
    person.submit(person.page.get_by_role("button", name="Save settings").click)


def test_an_avatar_from_a_file(site: Server, new_context: ContextMaker, tmp_path: Path) -> None:
    me = sign_up(site, new_context(java_script_enabled=False), unique("face"), js=False)
    page = me.page
    origin = f"http://{site.hostname}/pictrs/image/"

    _save_avatar(me, _png(tmp_path / "red.png", (200, 40, 40)))
    expect(page.get_by_role("status").filter(has_text="saved")).to_be_visible()
    [first] = _media(site, me.name)
    assert _me(me)["avatar"] == origin + first
    assert _status(site, origin + first) == 200
    me.open(f"/u/{me.name}")
    # The page links its own pictures site-relative: they show wherever it is opened, here
    # although the public address (http://localhost, port 80) serves nothing.
    # (Shrunk by this server to twice its size on the page: 128 pixels, larger than it is.)
    expect(page.locator("img.avatar")).to_have_attribute(
        "src", f"/pictrs/image/{first}?thumbnail=128"
    )
    page.wait_for_function("document.querySelector('img.avatar').complete")
    assert page.locator("img.avatar").evaluate("img => img.naturalWidth") == 90

    # A new file replaces it, and the old file is gone from storage.
    _save_avatar(me, _png(tmp_path / "blue.png", (40, 40, 200)))
    [second] = _media(site, me.name)
    assert second != first
    assert _me(me)["avatar"] == origin + second
    assert _status(site, origin + first) == 404
    assert _status(site, origin + second) == 200

    # A file that is no picture: refused with the reason; the avatar and the files stay.
    fake = tmp_path / "words.png"
    fake.write_text("just words")
    _save_avatar(me, fake)
    expect(page.get_by_role("alert")).to_contain_text("image")
    expect(page.get_by_label("Avatar image address")).to_have_value(origin + second)
    assert _me(me)["avatar"] == origin + second
    assert _media(site, me.name) == [second]

    # A banner beside it, then "remove avatar": the avatar and its file go, the banner stays.
    me.open("/settings")
    page.get_by_label("Banner from a file").set_input_files(
        str(_png(tmp_path / "wide.png", (10, 160, 10), (300, 60)))
    )
    me.submit(page.get_by_role("button", name="Save settings").click)
    banner = str(_me(me)["banner"])
    assert banner.startswith(origin) and banner != origin + second
    # The form with both pictures shown and their remove boxes passes axe.
    _no_axe_findings(me, new_context, "/settings", "settings-pictures")
    page.get_by_label("Remove avatar").check()
    me.submit(page.get_by_role("button", name="Save settings").click)
    expect(page.get_by_role("status").filter(has_text="saved")).to_be_visible()
    assert "avatar" not in _me(me) and _me(me)["banner"] == banner
    assert _status(site, origin + second) == 404
    assert _media(site, me.name) == [banner.removeprefix(origin)]
    me.open(f"/u/{me.name}")
    expect(page.locator("img.avatar")).to_have_count(0)
    expect(page.locator("img.banner")).to_have_attribute(
        "src", "/pictrs/image/" + banner.removeprefix(origin)
    )


def test_a_community_icon_from_the_edit_form(
    site: Server, new_context: ContextMaker, tmp_path: Path
) -> None:
    founder = sign_up(site, new_context(java_script_enabled=False), unique("icons"), js=False)
    page = founder.page
    name = unique("iconic")
    founder.open("/create_community")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Title", exact=True).fill("Iconic")
    founder.submit(page.get_by_role("button", name="Create").click)

    founder.submit(page.get_by_role("link", name="Edit community").click)
    page.get_by_label("Icon from a file").set_input_files(str(_png(tmp_path / "i.png", (9, 9, 9))))
    founder.submit(page.get_by_role("button", name="Save").click)
    assert page.url == f"{site.url}/c/{name}"
    [alias] = _media(site, founder.name)
    icon = f"http://{site.hostname}/pictrs/image/{alias}"
    expect(page.locator("h1 img.avatar")).to_have_attribute(
        "src", f"/pictrs/image/{alias}?thumbnail=80"
    )
    assert founder.api("/community", name=name)["community_view"]["community"]["icon"] == icon

    # A non-image on the edit form: refused, the icon kept.
    fake = tmp_path / "fake.png"
    fake.write_text("not a picture")
    founder.submit(page.get_by_role("link", name="Edit community").click)
    page.get_by_label("Icon from a file").set_input_files(str(fake))
    founder.submit(page.get_by_role("button", name="Save").click)
    expect(page.get_by_role("alert")).to_contain_text("image")
    assert founder.api("/community", name=name)["community_view"]["community"]["icon"] == icon
    assert _media(site, founder.name) == [alias]


def test_blocking_a_remote_instance(site: Server, new_context: ContextMaker) -> None:
    author = register(site)
    token = unique("farblk")
    far = author.ok("POST", "/community", {"name": token, "title": "Far away"})
    far_id = int(far["community_view"]["community"]["id"])
    post = author.ok("POST", "/post", {"name": f"From afar {token}", "community_id": far_id})
    post_id = int(post["post_view"]["post"]["id"])
    # The community becomes another server's, as federation would leave it (cheaper than
    # a peer); the published time is copied so each backend stores its own format.
    domain = f"{token}.example"
    site.sql(
        f"INSERT INTO instance (domain, published) "
        f"SELECT '{domain}', published FROM instance ORDER BY id LIMIT 1"
    )
    site.sql(
        f"UPDATE community SET local = false, actor_id = 'https://{domain}/c/{token}', "
        f"instance_id = (SELECT id FROM instance WHERE domain = '{domain}') WHERE id = {far_id}"
    )

    me = sign_up(site, new_context(java_script_enabled=False), unique("blocker"), js=False)
    page = me.page
    me.open("/?type=All&sort=New")
    expect(page.locator(f"#p{post_id}")).to_have_count(1)

    me.open(f"/c/{token}@{domain}")
    me.submit(page.get_by_role("button", name=f"Block all communities of {domain}").click)
    assert page.url == f"{site.url}/c/{token}@{domain}"
    expect(page.get_by_role("button", name=f"Unblock all communities of {domain}")).to_be_visible()
    _no_axe_findings(me, new_context, f"/c/{token}@{domain}", "community-remote")
    me.open("/?type=All&sort=New")
    expect(page.locator(f"#p{post_id}")).to_have_count(0)
    # Only the blocker: someone else still sees the post.
    anonymous = new_context().new_page()
    anonymous.goto(f"{site.url}/?type=All&sort=New")
    expect(anonymous.locator(f"#p{post_id}")).to_have_count(1)

    me.open("/settings/blocks")
    blocked = page.get_by_role("region", name="Blocked instances: communities")
    _no_axe_findings(me, new_context, "/settings/blocks", "settings-blocked")
    expect(blocked.get_by_role("listitem")).to_have_text([f"{domain} Unblock"])
    me.submit(blocked.get_by_role("button", name=f"Unblock {domain}").click)
    assert page.url == f"{site.url}/settings/blocks#blocked-instances"
    expect(page.get_by_role("region", name="Blocked instances: communities")).to_contain_text(
        "You block no instance's communities"
    )
    me.open("/?type=All&sort=New")
    expect(page.locator(f"#p{post_id}")).to_have_count(1)

    # The local community has no such button: one's own server cannot be blocked.
    local = author.ok("POST", "/community", {"name": unique("near"), "title": "Near"})
    me.open(f"/c/{local['community_view']['community']['name']}")
    expect(page.get_by_role("button", name="Block all")).to_have_count(0)
