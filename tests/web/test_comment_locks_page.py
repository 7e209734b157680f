"""Comment locks and warnings on the pages (Lemmy 1.0's, issue 15): a moderator locks and
unlocks a comment's replies and warns the author of a post or a comment from the
moderator controls, each as the other moderator actions are tested (`staff.Case`: a member
who forges the form is refused and changes nothing; members and readers are not offered
it; the moderator uses it and the effect shows). A locked comment and the comments under it
say so and offer a member no Reply, while its moderator keeps it; the warned member finds
the warning, with its reason, in the inbox's "From moderators". With JavaScript on SQLite,
without it on PostgreSQL (the crew's browsers)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from moot.errors import ErrorCode
from tests.web.axe import check_schemes_and_widths
from tests.web.people import Person
from tests.web.staff import Case, Crew, T, browser_for, open_post_tools, run_case


def _v4(crew: Crew, path: str, **params: Any) -> dict[str, Any]:
    answer = httpx.get(f"{crew.server.url}/api/v4{path}", params=params, timeout=30)
    assert answer.status_code == 200, answer.text
    data: dict[str, Any] = answer.json()
    return data


def _locked(crew: Crew, t: T) -> object:
    return _v4(crew, "/comment", id=t["comment"])["comment_view"]["comment"]["locked"]


def _warnings(kind: str, key: str) -> Any:
    def observe(crew: Crew, t: T) -> object:
        return len(_v4(crew, "/modlog", type_=kind, **{f"{key}_id": t[key]})["items"])

    return observe


def _button(name: str) -> Any:
    def control(page: Page, t: T) -> Locator:
        return page.get_by_role("button", name=name, exact=True)

    return control


def _a_thread(crew: Crew) -> T:
    """A member's comment with the helper's reply under it."""
    post_id = crew.post()
    comment_id = crew.comment(post_id)
    reply = crew.helper_api.ok(
        "POST", "/comment", {"post_id": post_id, "parent_id": comment_id, "content": "Under it"}
    )
    return {"post": post_id, "comment": comment_id, "reply": reply["comment_view"]["comment"]["id"]}


def _a_locked_thread(crew: Crew) -> T:
    t = _a_thread(crew)
    _lock(crew, t["comment"], True)
    return t


def _lock(crew: Crew, comment_id: int, locked: bool) -> None:
    answer = crew.mod_api.http.post(
        f"{crew.server.url}/api/v4/comment/lock",
        json={"comment_id": comment_id, "locked": locked, "reason": "Heated"},
    )
    assert answer.status_code == 200, answer.text


def reveal_comment_tools(person: Person, t: T) -> None:
    """Open the comment's own moderator controls (not those of the reply under it)."""
    bar = person.page.locator(f"li#c{t['comment']} > details > .bar")
    link = bar.get_by_role("link", name="Moderate")
    if person.js:
        person.act(link.click)
    else:
        person.submit(link.click)
    expect(person.page.locator(f"#mc{t['comment']}")).to_be_visible()


def _on_post(t: T) -> str:
    return f"/post/{t['post']}"


def _member_reads_locked(crew: Crew, t: T) -> None:
    member = crew.member
    member.open(_on_post(t))
    for key in ("comment", "reply"):
        item = member.page.locator(f"li#c{t[key]}")
        expect(item.locator("> p.head")).to_contain_text("Locked")
        expect(item.locator("> details > .bar").get_by_role("link", name="Reply")).to_have_count(0)


def _fill_warning(field: str) -> Any:
    def fill(page: Page, t: T) -> None:
        page.locator(f"#{field.format(**t)}-warn").fill("Mind the rules, please")

    return fill


CASES = [
    Case(
        id="lock-comment",
        by="mod",
        setup=_a_thread,
        where=_on_post,
        reveal=reveal_comment_tools,
        fill=lambda page, t: page.locator(f"#mc{t['comment']}-lockwhy").fill("Heated"),
        control=_button("Lock replies"),
        in_place=True,
        observe=_locked,
        forge=lambda t: (f"/comment/{t['comment']}/lock", {"locked": 1}),
        refused=ErrorCode.NOT_A_MOD_OR_ADMIN,
        shown=lambda crew, actor, t: (
            expect(_button("Unlock replies")(actor.page, t)).to_be_visible(),
            _member_reads_locked(crew, t),
        ),
    ),
    Case(
        id="unlock-comment",
        by="mod",
        setup=_a_locked_thread,
        where=_on_post,
        reveal=reveal_comment_tools,
        control=_button("Unlock replies"),
        in_place=True,
        observe=_locked,
        forge=lambda t: (f"/comment/{t['comment']}/lock", {"locked": 0}),
        refused=ErrorCode.NOT_A_MOD_OR_ADMIN,
        shown=lambda crew, actor, t: (
            expect(_button("Lock replies")(actor.page, t)).to_be_visible(),
            crew.member.open(_on_post(t)),
            expect(
                crew.member.page.locator(f"li#c{t['reply']} > details > .bar").get_by_role(
                    "link", name="Reply"
                )
            ).to_be_visible(),
        ),
    ),
    Case(
        id="warn-post-author",
        by="mod",
        setup=lambda crew: {"post": crew.post()},
        where=_on_post,
        reveal=open_post_tools,
        fill=_fill_warning("mp{post}"),
        control=lambda page, t: page.locator(f"#mp{t['post']}").get_by_role(
            "button", name="Warn author", exact=True
        ),
        in_place=True,
        observe=_warnings("mod_warn_post", "post"),
        forge=lambda t: (f"/post/{t['post']}/warn", {"reason": "forged"}),
        refused=ErrorCode.NOT_A_MOD_OR_ADMIN,
        shown=lambda crew, actor, t: _warned_member_reads_it(crew, "your post"),
    ),
    Case(
        id="warn-comment-author",
        by="mod",
        setup=_a_thread,
        where=_on_post,
        reveal=reveal_comment_tools,
        fill=_fill_warning("mc{comment}"),
        control=_button("Warn author"),
        in_place=True,
        observe=_warnings("mod_warn_comment", "comment"),
        forge=lambda t: (f"/comment/{t['comment']}/warn", {"reason": "forged"}),
        refused=ErrorCode.NOT_A_MOD_OR_ADMIN,
        shown=lambda crew, actor, t: _warned_member_reads_it(crew, "your comment on"),
    ),
]


def _warned_member_reads_it(crew: Crew, what: str) -> None:
    """The member (the author of what was warned about) finds the warning in the inbox."""
    member = crew.member
    member.open("/messages?view=moderators&show=all")
    notice = member.page.locator("li.notice").first
    expect(notice).to_contain_text(f"warned you about {what}")
    expect(notice).to_contain_text("Reason: Mind the rules, please")
    member.act(notice.get_by_role("button", name="Mark read").click)
    expect(
        member.page.locator("li.notice").first.get_by_role("button", name="Mark unread")
    ).to_be_visible()


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_comment_lock_and_warning_actions(crew: Crew, case: Case) -> None:
    run_case(crew, case)


def test_a_moderator_still_replies_under_a_locked_comment(crew: Crew) -> None:
    t = _a_locked_thread(crew)
    crew.mod.open(_on_post(t))
    reply = crew.mod.page.locator(f"li#c{t['reply']} > details > .bar").get_by_role(
        "link", name="Reply"
    )
    expect(reply).to_be_visible()
    # A member who posts the reply form by hand is refused with the action's error.
    crew.member.open(f"/comment/{t['reply']}/reply")
    crew.member.page.get_by_label("Reply").fill("Let me in")
    crew.member.submit(crew.member.page.get_by_role("button", name="Reply").click)
    expect(crew.member.page.locator("main")).to_contain_text("locked")


def test_a_locked_thread_and_a_warning_read_well(crew: Crew, browser: Browser) -> None:
    """The locked thread and the inbox's warning as the member reads them, in each scheme
    and width, with no serious accessibility finding (axe needs the page's script)."""
    t = _a_locked_thread(crew)
    answer = crew.mod_api.http.post(
        f"{crew.server.url}/api/v4/post/warn", json={"post_id": t["post"], "reason": "Be kind"}
    )
    assert answer.status_code == 200, answer.text
    reader = browser_for(browser, crew.server, crew.member_api, crew.member.name, True)
    try:
        reader.open(_on_post(t))
        expect(reader.page.locator(f"li#c{t['comment']} > p.head")).to_contain_text("Locked")
        check_schemes_and_widths(reader.page, f"locked-comment-{crew.server.backend}")
        reader.open("/messages?view=moderators&show=all")
        expect(reader.page.locator("li.notice").first).to_contain_text("Reason: Be kind")
        check_schemes_and_widths(reader.page, f"mod-notices-{crew.server.backend}")
    finally:
        reader.context.close()
