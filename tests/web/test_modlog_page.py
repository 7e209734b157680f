"""The public modlog page: what moderators and admins did, with its filters, and moderators'
names shown or left out as the site says (`hide_modlog_mod_names`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.sync_api import Locator, expect

from tests.web.people import Person
from tests.web.staff import Crew


def _entries(person: Person) -> Locator:
    return person.page.locator("ol.modlog > li")


def test_the_modlog_shows_what_was_done(crew: Crew) -> None:
    site = crew.admin_api.ok("GET", "/site")["site_view"]["local_site"]
    hiding = site["hide_modlog_mod_names"]  # new sites hide them, as Lemmy's do
    crew.admin_api.ok("PUT", "/site", {"hide_modlog_mod_names": False})
    try:
        _shows_what_was_done(crew)
    finally:
        crew.admin_api.ok("PUT", "/site", {"hide_modlog_mod_names": hiding})


def _shows_what_was_done(crew: Crew) -> None:
    # A removal done through the page, and a lock and a ban through the API: one modlog.
    post_id = crew.post()
    crew.mod.open(f"/post/{post_id}")
    crew.mod.page.locator(f"#mp{post_id} > summary").click()
    crew.mod.page.locator(f"#mp{post_id}-why").fill("Off topic here")
    crew.mod.act(crew.mod.page.get_by_role("button", name="Remove post").click)
    locked = crew.post()
    crew.mod_api.ok("POST", "/post/lock", {"post_id": locked, "locked": True})
    community, community_id = crew.community_of_mod()
    until = int((datetime.now(UTC) + timedelta(days=3)).timestamp())
    crew.mod_api.ok(
        "POST",
        "/community/ban_user",
        {
            "community_id": community_id,
            "person_id": crew.helper_id,
            "ban": True,
            "reason": "Flooding",
            "expires": until,
        },
    )
    title = crew.admin_api.ok("GET", "/post", id=post_id)["post_view"]["post"]["name"]
    mod = crew.mod.name

    anon = crew.anon
    anon.open("/")
    anon.submit(anon.page.get_by_role("link", name="Modlog").click)
    expect(anon.page.get_by_role("heading", level=1)).to_have_text("Modlog")
    newest = _entries(anon)
    expect(newest.nth(0)).to_contain_text(f"{mod} banned {crew.helper} from Team {community}")
    expect(newest.nth(0)).to_contain_text("Reason: Flooding")
    expect(newest.nth(1)).to_contain_text(f"{mod} locked the post")
    expect(newest.nth(2)).to_contain_text(f"{mod} removed the post {title} in")
    expect(newest.nth(2)).to_contain_text("Reason: Off topic here")

    # Filters: by kind, community, moderator and the person acted on.
    anon.page.get_by_label("Action").select_option("ModLockPost")
    anon.submit(anon.page.get_by_role("button", name="Filter").click)
    expect(_entries(anon)).not_to_have_count(0)
    for text in _entries(anon).all_inner_texts():
        assert "locked the post" in text or "unlocked the post" in text, text
    anon.open(f"/modlog?community={community}")
    expect(_entries(anon)).to_have_count(1)
    anon.open(f"/modlog?person={crew.helper}&type=ModBanFromCommunity")
    expect(_entries(anon).first).to_contain_text(f"banned {crew.helper}")
    anon.open(f"/modlog?moderator={mod}&type=ModRemovePost")
    expect(_entries(anon).filter(has_text=title)).to_have_count(1)
    anon.open(f"/modlog?moderator={crew.admin.name}&type=ModRemovePost")
    expect(_entries(anon).filter(has_text=title)).to_have_count(0)
    anon.open("/modlog?person=nobody_here")
    expect(anon.page.get_by_role("alert")).to_have_text("There is nobody called nobody_here here.")

    # The site hides moderators' names: gone for readers (and the moderator filter with
    # them), kept for admins and, in their own community's log, its moderators.
    crew.admin_api.ok("PUT", "/site", {"hide_modlog_mod_names": True})
    for reader in (anon, crew.member):
        reader.open(f"/modlog?moderator={mod}")
        expect(reader.page.get_by_label("Moderator")).to_have_count(0)
        expect(_entries(reader).first).to_contain_text("A moderator banned")
        expect(reader.page.locator("ol.modlog")).not_to_contain_text(mod)
    crew.mod.open(f"/modlog?community={community}")
    expect(_entries(crew.mod).first).to_contain_text(f"{mod} banned")
    crew.admin.open("/modlog")
    expect(_entries(crew.admin).first).to_contain_text(f"{mod} banned")
    names = crew.admin_api.ok("GET", "/modlog", community_id=community_id)
    assert names["banned_from_community"][0]["moderator"]["name"] == mod
