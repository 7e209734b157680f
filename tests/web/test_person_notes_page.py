"""Person notes (Lemmy 1.0) on the web, in Chromium, with and without JavaScript: a member
writes a private note on another person from that person's profile, sees it there beside
the name, changes it, and removes it with an empty note; the person and anonymous readers
never see it; API v4 shows the same note (one action behind both)."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from tests.conftest import unique
from tests.servers import Server
from tests.web.conftest import ContextMaker
from tests.web.people import sign_up


def _v4_note(site: Server, token: str, person_id: int) -> str | None:
    answer = httpx.get(
        f"{site.url}/api/v4/person",
        params={"person_id": person_id},
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    actions = answer["person_view"].get("person_actions") or {}
    return actions.get("note")


@pytest.mark.parametrize("js", [False, True], ids=["no-js", "js"])
def test_a_note_on_a_profile(site: Server, new_context: ContextMaker, js: bool) -> None:
    writer = sign_up(site, new_context(java_script_enabled=js), unique("nw"), js=js)
    subject = sign_up(site, new_context(java_script_enabled=js), unique("ns"), js=js)
    page = writer.page
    writer.open(f"/u/{subject.name}")
    expect(page.locator("#note-text")).to_have_count(0)
    page.get_by_text(f"Add a note on {subject.name}").click()
    page.get_by_label("Your private note").fill("Knows a lot about **tides**")
    writer.submit(page.get_by_role("button", name="Save note").click)
    expect(page.locator("#note-text")).to_have_text("Your note: Knows a lot about **tides**")
    subject_id = int(subject.api("/user", username=subject.name)["person_view"]["person"]["id"])
    token = next(c["value"] for c in writer.context.cookies() if c["name"] == "jwt")
    assert _v4_note(site, token, subject_id) == "Knows a lot about **tides**"

    subject.open(f"/u/{subject.name}")
    expect(subject.page.locator("#note-text")).to_have_count(0)
    anonymous = new_context(java_script_enabled=js).new_page()
    anonymous.goto(f"{site.url}/u/{subject.name}")
    expect(anonymous.locator("#note-text")).to_have_count(0)
    expect(anonymous.locator("#note-field")).to_have_count(0)

    page.get_by_text(f"Edit your note on {subject.name}").click()
    expect(page.get_by_label("Your private note")).to_have_value("Knows a lot about **tides**")
    page.get_by_label("Your private note").fill("")
    writer.submit(page.get_by_role("button", name="Save note").click)
    expect(page.locator("#note-text")).to_have_count(0)
    assert _v4_note(site, token, subject_id) is None


def test_a_note_on_oneself_is_refused(site: Server, new_context: ContextMaker) -> None:
    me = sign_up(site, new_context(), unique("nme"), js=False)
    me.open(f"/u/{me.name}")
    expect(me.page.locator("#note-field")).to_have_count(0)
    answer = me.context.request.post(
        f"{site.url}/u/{me.name}/note",
        form={
            "note": "me",
            "_csrf_token": next(
                c["value"] for c in me.context.cookies() if c["name"] == "csrftoken"
            ),
        },
        max_redirects=0,
    )
    assert answer.status == 400
    assert "note" in answer.text().lower()
