"""axe-core (from npm, tests/web/js) run inside the page in chromium: the profile, home and
post pages, read anonymously (light and dark system themes) and by a member (with every
form, in the dark theme chosen in the settings), and the forms people fill in. No serious or
critical finding is allowed; every report is kept in test-artifacts/ for reading."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Api, unique
from tests.servers import Server
from tests.web.axe import axe_findings
from tests.web.conftest import SEED, ContextMaker
from tests.web.people import sign_up


def _seed_post(server: Server) -> int:
    """A seed post that has comments, so the page shows a thread."""
    posts = Api(server).ok("GET", "/post/list", type_="All", sort="MostComments", limit=1)
    return int(posts["posts"][0]["post"]["id"])


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_pages_read_by_anyone(seeded: Server, new_context: ContextMaker, scheme: str) -> None:
    page = new_context(color_scheme=scheme).new_page()
    post_id = _seed_post(seeded)
    page.goto(seeded.url + "/")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == {"light": "rgb(255, 255, 255)", "dark": "rgb(21, 23, 26)"}[scheme]
    for label, path in [
        ("profile", f"/u/{SEED['expected']['person']}"),
        ("home", "/?type=All"),
        ("post", f"/post/{post_id}"),
    ]:
        page.goto(seeded.url + path)
        found = axe_findings(page, f"{label}-anonymous-{scheme}-{seeded.backend}")
        assert found == [], f"{path}: {json.dumps(found, indent=1)}"


def test_pages_read_by_a_member(seeded: Server, new_context: ContextMaker) -> None:
    # The member's choice of theme (a setting, not the system's) is checked in the dark.
    scheme = "dark"
    member = sign_up(seeded, new_context(color_scheme="light"), unique("axe"), True)
    member.open("/settings")
    member.page.get_by_label("Theme").select_option("dark")
    member.submit(member.page.get_by_role("button", name="Save settings").click)
    assert member.page.locator("html").get_attribute("data-theme") == "dark"
    post_id = _seed_post(seeded)
    paths = [
        ("profile", f"/u/{SEED['expected']['person']}"),
        ("own-profile", f"/u/{member.name}"),
        ("home", "/?type=All"),
        ("post", f"/post/{post_id}"),
        ("community", "/c/news"),
    ]
    for label, path in paths:
        member.open(path)
        found = axe_findings(member.page, f"{label}-member-{scheme}-{seeded.backend}")
        assert found == [], f"{path}: {json.dumps(found, indent=1)}"
    # The reply box that opens in place.
    member.open(f"/post/{post_id}")
    member.act(member.page.get_by_role("link", name="Reply").first.click)
    found = axe_findings(member.page, f"post-replying-{scheme}-{seeded.backend}")
    assert found == [], json.dumps(found, indent=1)


def test_forms(seeded: Server, new_context: ContextMaker) -> None:
    anon = new_context().new_page()
    for path in ("/signup", "/login", "/about", "/search?q=thread", "/communities"):
        anon.goto(seeded.url + path)
        found = axe_findings(anon, f"form{path.replace('/', '-').split('?')[0]}-{seeded.backend}")
        assert found == [], f"{path}: {json.dumps(found, indent=1)}"
    member = sign_up(seeded, new_context(), unique("forms"), True)
    for path in ("/settings", "/create_post", "/create_community"):
        member.open(path)
        found = axe_findings(member.page, f"form{path.replace('/', '-')}-{seeded.backend}")
        assert found == [], f"{path}: {json.dumps(found, indent=1)}"
