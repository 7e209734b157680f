"""Every moderator action the pages offer on posts, comments and a community's moderation
page, one case each (see `staff.Case`): a member (or, for admin actions, a moderator) who
forges the form is refused with the action's error and changes nothing; members and
anonymous readers are not shown the control; the moderator (or admin) finds it, uses it, and
the effect shows on the page and through the API."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from moot.errors import ErrorCode
from tests.web.staff import (
    Case,
    Crew,
    Person,
    T,
    browser_for,
    forge,
    open_post_tools,
    refusal_words,
    reveal_comment_tools,
    run_case,
)

IN_A_MONTH = (datetime.now(UTC) + timedelta(days=30)).date()


def _post_view(crew: Crew, t: T) -> dict[str, Any] | None:
    answer = crew.admin_api.get("/post", id=t["post"])
    if answer.status_code == 404:
        return None
    view: dict[str, Any] = answer.json()["post_view"]
    return view


def _post_flag(key: str) -> Any:
    def observe(crew: Crew, t: T) -> object:
        view = _post_view(crew, t)
        return None if view is None else view["post"][key]

    return observe


def _comment_flag(key: str) -> Any:
    def observe(crew: Crew, t: T) -> object:
        return crew.admin_api.ok("GET", "/comment", id=t["comment"])["comment_view"]["comment"][key]

    return observe


def _post_control(name: str) -> Any:
    def control(page: Page, t: T) -> Locator:
        return page.locator(f"#mp{t['post']}").get_by_role("button", name=name, exact=True)

    return control


def _comment_control(name: str) -> Any:
    def control(page: Page, t: T) -> Locator:
        return page.get_by_role("button", name=name, exact=True)

    return control


def _on_post(t: T) -> str:
    return f"/post/{t['post']}"


def _a_post(crew: Crew) -> T:
    return {"post": crew.post()}


def _a_removed_post(crew: Crew) -> T:
    t = _a_post(crew)
    crew.mod_api.ok("POST", "/post/remove", {"post_id": t["post"], "removed": True})
    return t


def _a_locked_post(crew: Crew) -> T:
    t = _a_post(crew)
    crew.mod_api.ok("POST", "/post/lock", {"post_id": t["post"], "locked": True})
    return t


def _a_post_by_helper(crew: Crew) -> T:
    """The helper's post in a community of its own, so a ban there touches nothing else."""
    community, community_id = crew.community_of_mod()
    post_id = crew.post(crew.helper_api, community_id)
    return {"post": post_id, "community": community, "community_id": community_id}


def _a_post_by_banned(crew: Crew) -> T:
    t = _a_post_by_helper(crew)
    crew.mod_api.ok(
        "POST",
        "/community/ban_user",
        {"community_id": t["community_id"], "person_id": crew.helper_id, "ban": True},
    )
    return t


def _a_comment(crew: Crew) -> T:
    post_id = crew.post()
    return {"post": post_id, "comment": crew.comment(post_id)}


def _a_removed_comment(crew: Crew) -> T:
    t = _a_comment(crew)
    crew.mod_api.ok("POST", "/comment/remove", {"comment_id": t["comment"], "removed": True})
    return t


def _a_mods_comment(crew: Crew) -> T:
    post_id = crew.post()
    return {"post": post_id, "comment": crew.comment(post_id, crew.mod_api)}


def _a_comment_by_helper(crew: Crew) -> T:
    _, community_id = crew.community_of_mod()
    post_id = crew.post(crew.mod_api, community_id)
    return {"post": post_id, "comment": crew.comment(post_id, crew.helper_api)}


def _member_sees(crew: Crew, path: str, text: str) -> None:
    crew.member.page.goto(crew.server.url + path)
    expect(crew.member.page.locator("main")).to_contain_text(text)


def _ban_fields(prefix: str, remove: bool) -> Any:
    def fill(page: Page, t: T) -> None:
        page.locator(f"#{prefix(t)}-why").fill("Spamming links")
        page.locator(f"#{prefix(t)}-until").fill(IN_A_MONTH.isoformat())
        if remove:
            page.locator(f"#{prefix(t)}-data").check()

    return fill


def _banned_in(crew: Crew, t: T) -> object:
    view = _post_view(crew, t)
    assert view is not None
    return (view["creator_banned_from_community"], view["post"]["removed"])


def _comment_author_banned(crew: Crew, t: T) -> object:
    view = crew.admin_api.ok("GET", "/comment", id=t["comment"])["comment_view"]
    return view["creator_banned_from_community"]


POST_CASES = [
    Case(
        id="remove-post",
        by="mod",
        setup=_a_post,
        where=_on_post,
        reveal=open_post_tools,
        fill=lambda page, t: page.locator(f"#mp{t['post']}-why").fill("Off topic"),
        control=_post_control("Remove post"),
        in_place=True,
        observe=_post_flag("removed"),
        forge=lambda t: (f"/post/{t['post']}/remove", {"removed": 1, "reason": "x"}),
        refused=ErrorCode.NOT_A_MOD_OR_ADMIN,
        shown=lambda crew, actor, t: (
            expect(_post_control("Restore post")(actor.page, t)).to_be_visible(),
            _member_sees(crew, _on_post(t), "This post has been deleted."),
        ),
    ),
    Case(
        id="restore-post",
        by="mod",
        setup=_a_removed_post,
        where=_on_post,
        reveal=open_post_tools,
        control=_post_control("Restore post"),
        in_place=True,
        observe=_post_flag("removed"),
        forge=lambda t: (f"/post/{t['post']}/remove", {"removed": 0}),
        refused=ErrorCode.NOT_A_MOD_OR_ADMIN,
        shown=lambda crew, actor, t: (
            expect(_post_control("Remove post")(actor.page, t)).to_be_visible(),
            _member_sees(crew, _on_post(t), "comments"),
        ),
    ),
    Case(
        id="lock-post",
        by="mod",
        setup=_a_post,
        where=_on_post,
        reveal=open_post_tools,
        control=_post_control("Lock post"),
        in_place=True,
        observe=_post_flag("locked"),
        forge=lambda t: (f"/post/{t['post']}/lock", {"locked": 1}),
        refused=ErrorCode.NOT_A_MOD_OR_ADMIN,
        shown=lambda crew, actor, t: (
            expect(_post_control("Unlock post")(actor.page, t)).to_be_visible(),
            _member_sees(crew, _on_post(t), "This post is locked by its moderators"),
        ),
    ),
    Case(
        id="unlock-post",
        by="mod",
        setup=_a_locked_post,
        where=_on_post,
        reveal=open_post_tools,
        control=_post_control("Unlock post"),
        in_place=True,
        observe=_post_flag("locked"),
        forge=lambda t: (f"/post/{t['post']}/lock", {"locked": 0}),
        refused=ErrorCode.NOT_A_MOD_OR_ADMIN,
        shown=lambda crew, actor, t: (
            expect(_post_control("Lock post")(actor.page, t)).to_be_visible(),
            _member_sees(crew, _on_post(t), "Add a comment"),
        ),
    ),
    Case(
        id="pin-in-community",
        by="mod",
        setup=_a_post,
        where=_on_post,
        reveal=open_post_tools,
        control=_post_control("Pin in community"),
        in_place=True,
        observe=_post_flag("featured_community"),
        forge=lambda t: (
            f"/post/{t['post']}/feature",
            {"featured": 1, "feature_type": "Community"},
        ),
        refused=ErrorCode.NOT_A_MOD_OR_ADMIN,
        shown=lambda crew, actor, t: (
            expect(_post_control("Unpin from community")(actor.page, t)).to_be_visible(),
            crew.member.page.goto(f"{crew.server.url}/c/{crew.community}?sort=New"),
            expect(crew.member.page.locator("article.card").first).to_have_id(f"p{t['post']}"),
            expect(crew.member.page.locator(f"#p{t['post']} .tag")).to_have_text("Pinned"),
        ),
    ),
    Case(
        id="pin-on-front-page",
        by="admin",
        setup=_a_post,
        where=_on_post,
        reveal=open_post_tools,
        control=_post_control("Pin on front page"),
        in_place=True,
        observe=_post_flag("featured_local"),
        forge=lambda t: (f"/post/{t['post']}/feature", {"featured": 1, "feature_type": "Local"}),
        refused=ErrorCode.NOT_AN_ADMIN,
        shown=lambda crew, actor, t: (
            expect(_post_control("Unpin from front page")(actor.page, t)).to_be_visible(),
            crew.admin_api.ok(
                "POST",
                "/post/feature",
                {"post_id": t["post"], "featured": False, "feature_type": "Local"},
            ),
        ),
    ),
    Case(
        id="ban-post-author",
        by="mod",
        setup=_a_post_by_helper,
        where=_on_post,
        reveal=open_post_tools,
        fill=_ban_fields(lambda t: f"mp{t['post']}-ban", remove=True),
        control=_post_control("Ban from community"),
        in_place=True,
        observe=_banned_in,
        forge=lambda t: (f"/post/{t['post']}/ban_author", {"ban": 1, "reason": "x"}),
        refused=ErrorCode.NOT_A_MOD_OR_ADMIN,
        shown=lambda crew, actor, t: (
            expect(_post_control("Unban from community")(actor.page, t)).to_be_visible(),
            # Banned with their content removed, until the day given.
            _assert_banned_until(crew, t),
        ),
    ),
    Case(
        id="unban-post-author",
        by="mod",
        setup=_a_post_by_banned,
        where=_on_post,
        reveal=open_post_tools,
        control=_post_control("Unban from community"),
        in_place=True,
        observe=_banned_in,
        forge=lambda t: (f"/post/{t['post']}/ban_author", {"ban": 0}),
        refused=ErrorCode.NOT_A_MOD_OR_ADMIN,
        shown=lambda crew, actor, t: expect(
            _post_control("Ban from community")(actor.page, t)
        ).to_be_visible(),
    ),
    Case(
        id="purge-post",
        by="admin",
        confirm=True,
        setup=_a_post,
        where=_on_post,
        reveal=open_post_tools,
        fill=lambda page, t: page.locator(f"#mp{t['post']}-purge").fill("Illegal"),
        control=_post_control("Purge post"),
        observe=lambda crew, t: _post_view(crew, t) is not None,
        forge=lambda t: (f"/post/{t['post']}/purge", {"reason": "x"}),
        refused=ErrorCode.NOT_AN_ADMIN,
        shown=lambda crew, actor, t: (
            expect(actor.page.get_by_role("heading", level=1)).to_contain_text("Modded"),
            expect(actor.page.locator(f"#p{t['post']}")).to_have_count(0),
        ),
    ),
]


def _assert_banned_until(crew: Crew, t: T) -> None:
    assert _banned_in(crew, t) == (True, True)
    bans = crew.admin_api.ok(
        "GET", "/modlog", type_="ModBanFromCommunity", community_id=t["community_id"]
    )["banned_from_community"]
    entry = bans[0]["mod_ban_from_community"]
    assert entry["reason"] == "Spamming links"
    assert date.fromisoformat(entry["expires"][:10]) == IN_A_MONTH


COMMENT_CASES = [
    Case(
        id="remove-comment",
        by="mod",
        setup=_a_comment,
        where=_on_post,
        reveal=reveal_comment_tools,
        fill=lambda page, t: page.locator(f"#mc{t['comment']}-why").fill("Rude"),
        control=_comment_control("Remove comment"),
        in_place=True,
        observe=_comment_flag("removed"),
        forge=lambda t: (f"/comment/{t['comment']}/remove", {"removed": 1}),
        refused=ErrorCode.NOT_A_MOD_OR_ADMIN,
        shown=lambda crew, actor, t: (
            expect(_comment_control("Restore comment")(actor.page, t)).to_be_visible(),
            _member_sees(crew, _on_post(t), "Removed by a moderator"),
        ),
    ),
    Case(
        id="restore-comment",
        by="mod",
        setup=_a_removed_comment,
        where=_on_post,
        reveal=reveal_comment_tools,
        control=_comment_control("Restore comment"),
        in_place=True,
        observe=_comment_flag("removed"),
        forge=lambda t: (f"/comment/{t['comment']}/remove", {"removed": 0}),
        refused=ErrorCode.NOT_A_MOD_OR_ADMIN,
        shown=lambda crew, actor, t: expect(
            _comment_control("Remove comment")(actor.page, t)
        ).to_be_visible(),
    ),
    Case(
        id="distinguish-comment",
        by="mod",
        setup=_a_mods_comment,
        where=_on_post,
        reveal=reveal_comment_tools,
        control=_comment_control("Distinguish"),
        in_place=True,
        observe=_comment_flag("distinguished"),
        # Someone else's comment: the action refuses before asking about moderation.
        forge=lambda t: (f"/comment/{t['comment']}/distinguish", {"distinguished": 1}),
        refused=ErrorCode.NO_COMMENT_EDIT_ALLOWED,
        shown=lambda crew, actor, t: (
            expect(_comment_control("Undistinguish")(actor.page, t)).to_be_visible(),
            _member_sees(crew, _on_post(t), "Speaking as moderator"),
        ),
    ),
    Case(
        id="ban-comment-author",
        by="mod",
        setup=_a_comment_by_helper,
        where=_on_post,
        reveal=reveal_comment_tools,
        fill=_ban_fields(lambda t: f"mc{t['comment']}-ban", remove=False),
        control=_comment_control("Ban from community"),
        in_place=True,
        observe=_comment_author_banned,
        forge=lambda t: (f"/comment/{t['comment']}/ban_author", {"ban": 1}),
        refused=ErrorCode.NOT_A_MOD_OR_ADMIN,
        shown=lambda crew, actor, t: expect(
            _comment_control("Unban from community")(actor.page, t)
        ).to_be_visible(),
    ),
    Case(
        id="purge-comment",
        by="admin",
        confirm=True,
        setup=_a_comment,
        where=_on_post,
        reveal=reveal_comment_tools,
        control=_comment_control("Purge comment"),
        observe=lambda crew, t: crew.admin_api.get("/comment", id=t["comment"]).status_code,
        forge=lambda t: (f"/comment/{t['comment']}/purge", {"reason": "x"}),
        refused=ErrorCode.NOT_AN_ADMIN,
        shown=lambda crew, actor, t: (
            expect(actor.page.locator(f"li#c{t['comment']}")).to_have_count(0),
            expect(actor.page.get_by_role("heading", level=1)).to_contain_text("Post"),
        ),
    ),
]


def _moderation(t: T) -> str:
    return f"/c/{t['community']}/moderation"


def _a_team(crew: Crew) -> T:
    """A new community of the moderator's, and the helper to appoint, ban or move up."""
    community, community_id = crew.community_of_mod()
    return {
        "community": community,
        "community_id": community_id,
        "name": crew.helper,
        "api": crew.helper_api,
        "person_id": crew.helper_id,
    }


def _a_team_of_two(crew: Crew) -> T:
    t = _a_team(crew)
    crew.mod_api.ok(
        "POST",
        "/community/mod",
        {"community_id": t["community_id"], "person_id": t["person_id"], "added": True},
    )
    return t


def _a_team_with_a_ban(crew: Crew) -> T:
    t = _a_team(crew)
    crew.mod_api.ok(
        "POST",
        "/community/ban_user",
        {"community_id": t["community_id"], "person_id": t["person_id"], "ban": True},
    )
    return t


def _a_removed_community(crew: Crew) -> T:
    t = _a_team(crew)
    crew.admin_api.ok(
        "POST", "/community/remove", {"community_id": t["community_id"], "removed": True}
    )
    return t


def _moderators(crew: Crew, t: T) -> object:
    found = crew.admin_api.ok("GET", "/community", id=t["community_id"])["moderators"]
    return [m["moderator"]["name"] for m in found]


def _banned_self(crew: Crew, t: T) -> object:
    return t["api"].ok("GET", "/community", id=t["community_id"])["community_view"][
        "banned_from_community"
    ]


def _community_flag(key: str) -> Any:
    def observe(crew: Crew, t: T) -> object:
        answer = crew.admin_api.get("/community", id=t["community_id"])
        if answer.status_code == 404:
            return None
        return answer.json()["community_view"]["community"][key]

    return observe


def _button(name: str) -> Any:
    def control(page: Page, t: T) -> Locator:
        return page.get_by_role("button", name=name.format(**t), exact=True)

    return control


def _shows_button(name: str) -> Any:
    def shown(crew: Crew, actor: Person, t: T) -> None:
        expect(_button(name)(actor.page, t)).to_be_visible()

    return shown


COMMUNITY_CASES = [
    Case(
        id="add-moderator",
        by="mod",
        setup=_a_team,
        where=_moderation,
        fill=lambda page, t: page.get_by_label("Add a moderator").fill(t["name"]),
        control=_button("Add moderator"),
        observe=_moderators,
        forge=lambda t: (f"/c/{t['community']}/mod", {"name": t["name"], "added": 1}),
        refused=ErrorCode.NOT_A_MOD_OR_ADMIN,
        shown=_shows_button("Remove {name}"),
    ),
    Case(
        id="remove-moderator",
        by="mod",
        setup=_a_team_of_two,
        where=_moderation,
        control=_button("Remove {name}"),
        observe=_moderators,
        forge=lambda t: (f"/c/{t['community']}/mod", {"person_id": t["person_id"], "added": 0}),
        refused=ErrorCode.NOT_A_MOD_OR_ADMIN,
        shown=lambda crew, actor, t: expect(actor.page.locator(".team")).not_to_contain_text(
            t["name"]
        ),
    ),
    Case(
        id="transfer-community",
        by="mod",
        setup=_a_team_of_two,
        where=_moderation,
        fill=lambda page, t: page.get_by_label("Make the top moderator").fill(t["name"]),
        control=_button("Transfer community"),
        observe=lambda crew, t: _moderators(crew, t)[0],  # type: ignore[index]
        forge=lambda t: (f"/c/{t['community']}/transfer", {"name": t["name"]}),
        refused=ErrorCode.NOT_AN_ADMIN,
        shown=lambda crew, actor, t: expect(actor.page.locator(".team li").first).to_contain_text(
            t["name"]
        ),
    ),
    Case(
        id="ban-by-name",
        by="mod",
        setup=_a_team,
        where=_moderation,
        fill=lambda page, t: (
            page.get_by_label("Person to ban").fill(t["name"]),
            page.locator("#ban-why").fill("Trolling"),
        ),
        control=_button("Ban"),
        observe=_banned_self,
        forge=lambda t: (f"/c/{t['community']}/ban", {"name": t["name"], "ban": 1}),
        refused=ErrorCode.NOT_A_MOD_OR_ADMIN,
        shown=_shows_button("Unban {name}"),
    ),
    Case(
        id="unban-from-list",
        by="mod",
        setup=_a_team_with_a_ban,
        where=_moderation,
        control=_button("Unban {name}"),
        observe=_banned_self,
        forge=lambda t: (f"/c/{t['community']}/ban", {"person_id": t["person_id"], "ban": 0}),
        refused=ErrorCode.NOT_A_MOD_OR_ADMIN,
        shown=lambda crew, actor, t: expect(actor.page.locator(".banned")).to_have_count(0),
    ),
    Case(
        id="hide-community",
        by="admin",
        setup=_a_team,
        where=_moderation,
        fill=lambda page, t: page.locator("#hide-why").fill("Quiet please"),
        control=_button("Hide community"),
        observe=_community_flag("hidden"),
        forge=lambda t: (f"/c/{t['community']}/hide", {"hidden": 1}),
        refused=ErrorCode.NOT_AN_ADMIN,
        shown=_shows_button("Unhide community"),
    ),
    Case(
        id="remove-community",
        by="admin",
        setup=_a_team,
        where=_moderation,
        control=_button("Remove community"),
        observe=_community_flag("removed"),
        forge=lambda t: (f"/c/{t['community']}/remove", {"removed": 1}),
        refused=ErrorCode.NOT_AN_ADMIN,
        shown=lambda crew, actor, t: (
            expect(_button("Restore community")(actor.page, t)).to_be_visible(),
            _member_sees(crew, f"/c/{t['community']}", "There is no community called"),
        ),
    ),
    Case(
        id="restore-community",
        by="admin",
        setup=_a_removed_community,
        where=_moderation,
        control=_button("Restore community"),
        observe=_community_flag("removed"),
        forge=lambda t: (f"/c/{t['community']}/remove", {"removed": 0}),
        refused=ErrorCode.NOT_AN_ADMIN,
        shown=lambda crew, actor, t: (
            expect(_button("Remove community")(actor.page, t)).to_be_visible(),
            _member_sees(crew, f"/c/{t['community']}", "Team"),
        ),
    ),
    Case(
        id="purge-community",
        by="admin",
        confirm=True,
        setup=_a_team,
        where=_moderation,
        control=_button("Purge community"),
        observe=lambda crew, t: crew.admin_api.get("/community", id=t["community_id"]).status_code,
        forge=lambda t: (f"/c/{t['community']}/purge", {"reason": "x"}),
        refused=ErrorCode.NOT_AN_ADMIN,
        shown=lambda crew, actor, t: (
            expect(actor.page.get_by_role("heading", level=1)).to_have_text("Communities"),
            expect(actor.page.locator("main")).not_to_contain_text(t["community"]),
        ),
    ),
]


@pytest.mark.parametrize("case", POST_CASES + COMMENT_CASES + COMMUNITY_CASES, ids=lambda c: c.id)
def test_moderator_action(crew: Crew, case: Case) -> None:
    run_case(crew, case)


def test_moderators_are_offered_only_what_their_rank_allows(crew: Crew, browser: Browser) -> None:
    """A moderator of one community has no controls in another, and a later moderator none
    that act on an earlier one; forging them gets the action's own refusal."""
    community, community_id = crew.community_of_mod()
    crew.mod_api.ok(
        "POST",
        "/community/mod",
        {"community_id": community_id, "person_id": crew.helper_id, "added": True},
    )
    helper = browser_for(browser, crew.server, crew.helper_api, crew.helper, crew.js)
    try:
        elsewhere = crew.post()  # in the crew's community, which the helper does not moderate
        helper.open(f"/post/{elsewhere}")
        expect(helper.page.get_by_text("Moderate", exact=True)).to_have_count(0)
        expect(helper.page.get_by_role("link", name="Moderation")).to_have_count(0)
        status, body = forge(helper, f"/post/{elsewhere}/lock", {"locked": 1})
        assert (status, refusal_words(ErrorCode.NOT_A_MOD_OR_ADMIN) in body) == (400, True)

        # In their own community, the top moderator's post can be locked but not removed,
        # nor its author banned; the top moderator may do both to the helper's.
        above = crew.post(crew.mod_api, community_id)
        helper.open(f"/post/{above}")
        helper.page.locator(f"#mp{above} > summary").click()
        tools = helper.page.locator(f"#mp{above}")
        expect(tools.get_by_role("button", name="Lock post")).to_be_visible()
        expect(tools.get_by_role("button", name="Remove post")).to_have_count(0)
        expect(tools.get_by_role("button", name="Ban from community")).to_have_count(0)
        status, body = forge(helper, f"/post/{above}/remove", {"removed": 1})
        assert (status, refusal_words(ErrorCode.NOT_HIGHER_MOD) in body) == (400, True)
        assert crew.admin_api.ok("GET", "/post", id=above)["post_view"]["post"]["removed"] is False
        helper.open(f"/c/{community}/moderation")
        expect(helper.page.get_by_role("button", name=f"Remove {crew.mod.name}")).to_have_count(0)
        expect(helper.page.get_by_role("button", name="Step down")).to_be_visible()
        expect(helper.page.get_by_role("button", name="Transfer community")).to_have_count(0)

        below = crew.post(crew.helper_api, community_id)
        crew.mod.open(f"/post/{below}")
        crew.mod.page.locator(f"#mp{below} > summary").click()
        tools = crew.mod.page.locator(f"#mp{below}")
        expect(tools.get_by_role("button", name="Remove post")).to_be_visible()
        expect(tools.get_by_role("button", name="Ban from community")).to_be_visible()
    finally:
        helper.context.close()
