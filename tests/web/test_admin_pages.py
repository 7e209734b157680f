"""Every admin action the pages offer (site bans, admins, purging people, registration
applications, site settings, custom emoji) and resolving reports, one case each, run as
`staff.run_case` runs the moderator ones: forged by someone it is not offered to and refused
with the action's error, not shown to members or anonymous readers (nor to moderators, for
admin actions), and used through the page with its effect visible."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from moot.errors import ApiError, ErrorCode
from tests.conftest import Api, unique
from tests.web.staff import Case, Crew, Person, T, refusal_words, run_case


def _person_id(crew: Crew, name: str) -> int:
    return int(crew.admin_api.ok("GET", "/user", username=name)["person_view"]["person"]["id"])


def _target(crew: Crew) -> T:
    name, api = crew.person("target")
    return {"name": name, "api": api, "person_id": _person_id(crew, name)}


def _banned_target(crew: Crew) -> T:
    t = _target(crew)
    crew.admin_api.ok("POST", "/user/ban", {"person_id": t["person_id"], "ban": True})
    return t


def _admin_target(crew: Crew) -> T:
    t = _target(crew)
    crew.admin_api.ok("POST", "/admin/add", {"person_id": t["person_id"], "added": True})
    return t


def _banned(crew: Crew, t: T) -> object:
    return crew.admin_api.ok("GET", "/user", username=t["name"])["person_view"]["person"]["banned"]


def _admins(crew: Crew, t: T) -> object:
    return [a["person"]["name"] for a in crew.admin_api.ok("GET", "/site")["admins"]]


def _open_admin_tools(person: Person, t: T) -> None:
    person.page.locator("#admin-tools > summary").click()


def _button(name: str) -> Any:
    def control(page: Page, t: T) -> Locator:
        return page.get_by_role("button", name=name.format(**t), exact=True)

    return control


def _profile(t: T) -> str:
    return f"/u/{t['name']}"


def _reopened_shows(name: str) -> Any:
    """Back on the profile: the admin controls show the new state."""

    def shown(crew: Crew, actor: Person, t: T) -> None:
        _open_admin_tools(actor, t)
        expect(_button(name)(actor.page, t)).to_be_visible()

    return shown


def _applicant(crew: Crew) -> T:
    """Someone whose sign-up waits for an admin (applications required only meanwhile)."""
    crew.admin_api.ok("PUT", "/site", {"registration_mode": "RequireApplication"})
    try:
        name = unique("applicant")
        Api(crew.server).ok(
            "POST",
            "/user/register",
            {
                "username": name,
                "password": "password-123",
                "password_verify": "password-123",
                "answer": "I want to talk about trains.",
            },
        )
    finally:
        crew.admin_api.ok("PUT", "/site", {"registration_mode": "Open"})
    person_id = _person_id(crew, name)
    view = crew.admin_api.ok("GET", "/admin/registration_application", person_id=person_id)
    return {"name": name, "person_id": person_id, "application": _id_of(view)}


def _id_of(view: dict[str, Any]) -> int:
    return int(view["registration_application"]["registration_application"]["id"])


def _decision(crew: Crew, t: T) -> object:
    view = crew.admin_api.ok("GET", "/admin/registration_application", person_id=t["person_id"])[
        "registration_application"
    ]
    return (
        view["registration_application"].get("admin_id"),
        view["creator_local_user"]["accepted_application"],
        view["registration_application"].get("deny_reason"),
    )


def _site(crew: Crew, t: T) -> object:
    site = crew.admin_api.ok("GET", "/site")
    return (
        site["site_view"]["site"].get("description"),
        [tagline["content"] for tagline in site["taglines"]],
        site["site_view"]["local_site"]["enable_downvotes"],
        site["site_view"]["local_site_rate_limit"]["search"],
        [
            i["domain"]
            for i in crew.admin_api.ok("GET", "/federated_instances")["federated_instances"][
                "blocked"
            ]
        ],
    )


def _fill_site(page: Page, t: T) -> None:
    page.get_by_label("Description", exact=True).fill(t["description"])
    page.get_by_label("Taglines").fill("First line\nSecond line")
    page.get_by_label("Allow downvotes").uncheck()
    page.get_by_label("Searches: at most").fill("99999")
    page.get_by_label("Blocked instances").fill("spam.example\nworse.example")


def _site_shown(crew: Crew, actor: Person, t: T) -> None:
    expect(actor.page.locator("p.done")).to_have_text("The site settings are saved.")
    expect(actor.page.get_by_label("Description", exact=True)).to_have_value(t["description"])
    expect(actor.page.get_by_label("Allow downvotes")).not_to_be_checked()
    expect(actor.page.get_by_label("Blocked instances")).to_have_value(
        "spam.example\nworse.example"
    )
    crew.member.page.goto(crew.server.url + "/")
    expect(crew.member.page.locator(".sidebar")).to_contain_text(t["description"])
    # Put back what other tests rely on.
    crew.admin_api.ok(
        "PUT",
        "/site",
        {
            "enable_downvotes": True,
            "taglines": [],
            "rate_limit_search": 100000,
            "blocked_instances": [],
        },
    )


def _an_emoji(crew: Crew) -> T:
    code = unique("wave")
    made = crew.admin_api.ok(
        "POST",
        "/custom_emoji",
        {
            "shortcode": code,
            "image_url": f"{crew.server.url}/static/icon.svg",
            "alt_text": "a wave",
            "category": "hands",
            "keywords": ["hello"],
        },
    )
    return {"code": code, "emoji": made["custom_emoji"]["custom_emoji"]["id"]}


def _a_new_code(crew: Crew) -> T:
    return {"code": unique("new")}


def _emoji(crew: Crew, t: T) -> object:
    return {
        e["custom_emoji"]["shortcode"]: e["custom_emoji"]["alt_text"]
        for e in crew.admin_api.ok("GET", "/site")["custom_emojis"]
    }


def _fill_new_emoji(page: Page, t: T) -> None:
    page.get_by_label("Shortcode").fill(t["code"])
    page.get_by_label("Image address", exact=True).fill(
        page.url.split("/admin")[0] + "/static/icon.svg"
    )
    page.get_by_label("Alt text", exact=True).fill("new one")


ADMIN_CASES = [
    Case(
        id="site-ban-from-profile",
        by="admin",
        setup=_target,
        where=_profile,
        reveal=_open_admin_tools,
        fill=lambda page, t: (
            page.locator("#site-ban-why").fill("Spam wave"),
            page.locator("#site-ban-data").check(),
        ),
        control=_button("Ban from site"),
        observe=_banned,
        forge=lambda t: ("/admin/bans", {"person_id": t["person_id"], "ban": 1}),
        refused=ErrorCode.NOT_AN_ADMIN,
        shown=lambda crew, actor, t: expect(actor.page.locator(".profile .tag")).to_have_text(
            "Banned"
        ),
    ),
    Case(
        id="site-unban",
        by="admin",
        setup=_banned_target,
        where=lambda t: "/admin/people",
        control=_button("Unban {name}"),
        observe=_banned,
        forge=lambda t: ("/admin/bans", {"person_id": t["person_id"], "ban": 0}),
        refused=ErrorCode.NOT_AN_ADMIN,
        shown=lambda crew, actor, t: expect(actor.page.locator("main")).not_to_contain_text(
            f"Unban {t['name']}"
        ),
    ),
    Case(
        id="make-admin",
        by="admin",
        setup=_target,
        where=_profile,
        reveal=_open_admin_tools,
        control=_button("Make admin"),
        observe=_admins,
        forge=lambda t: ("/admin/admins", {"person_id": t["person_id"], "added": 1}),
        refused=ErrorCode.NOT_AN_ADMIN,
        shown=_reopened_shows("Remove admin"),
    ),
    Case(
        id="remove-admin",
        by="admin",
        setup=_admin_target,
        where=lambda t: "/admin/people",
        control=_button("Remove admin {name}"),
        observe=_admins,
        forge=lambda t: ("/admin/admins", {"person_id": t["person_id"], "added": 0}),
        refused=ErrorCode.NOT_AN_ADMIN,
        shown=lambda crew, actor, t: expect(actor.page.locator(".team")).not_to_contain_text(
            t["name"]
        ),
    ),
    Case(
        id="purge-person",
        by="admin",
        confirm=True,
        setup=_target,
        where=_profile,
        reveal=_open_admin_tools,
        fill=lambda page, t: page.locator("#purge-person-why").fill("Spam bot"),
        control=_button("Purge person"),
        observe=lambda crew, t: crew.admin_api.get("/user", username=t["name"]).status_code,
        forge=lambda t: ("/admin/purge_person", {"person_id": t["person_id"]}),
        refused=ErrorCode.NOT_AN_ADMIN,
        shown=lambda crew, actor, t: expect(
            actor.page.get_by_role("heading", level=1)
        ).to_have_text("Admins and bans"),
    ),
    Case(
        id="approve-application",
        by="admin",
        setup=_applicant,
        where=lambda t: "/admin/applications?show=all",
        control=_button("Approve {name}"),
        in_place=True,
        observe=_decision,
        forge=lambda t: (f"/admin/applications/{t['application']}", {"approve": 1}),
        refused=ErrorCode.NOT_AN_ADMIN,
        shown=lambda crew, actor, t: expect(
            actor.page.locator(f"#a{t['application']} .tag")
        ).to_have_text("Approved"),
    ),
    Case(
        id="deny-application",
        by="admin",
        setup=_applicant,
        where=lambda t: "/admin/applications?show=all",
        fill=lambda page, t: page.locator(f"#deny-{t['application']}").fill("No trains here"),
        control=_button("Deny {name}"),
        in_place=True,
        observe=_decision,
        forge=lambda t: (f"/admin/applications/{t['application']}", {"approve": 0}),
        refused=ErrorCode.NOT_AN_ADMIN,
        shown=lambda crew, actor, t: (
            expect(actor.page.locator(f"#a{t['application']} .tag")).to_have_text("Denied"),
            expect(actor.page.locator(f"#a{t['application']}")).to_contain_text("No trains here"),
        ),
    ),
    Case(
        id="edit-site-settings",
        by="admin",
        setup=lambda crew: {"description": f"A place for {crew.community}"},
        where=lambda t: "/admin/site",
        fill=_fill_site,
        control=_button("Save site settings"),
        observe=_site,
        forge=lambda t: ("/admin/site", {"name": "Taken over", "description": "x"}),
        refused=ErrorCode.NOT_AN_ADMIN,
        shown=_site_shown,
    ),
    Case(
        id="add-emoji",
        by="admin",
        setup=_a_new_code,
        where=lambda t: "/admin/emoji",
        fill=_fill_new_emoji,
        control=_button("Add emoji"),
        observe=_emoji,
        forge=lambda t: (
            "/admin/emoji",
            {"shortcode": t["code"], "image_url": "https://example.com/a.png"},
        ),
        refused=ErrorCode.NOT_AN_ADMIN,
        shown=lambda crew, actor, t: expect(actor.page.locator(".emoji-list")).to_contain_text(
            f":{t['code']}:"
        ),
    ),
    Case(
        id="edit-emoji",
        by="admin",
        setup=_an_emoji,
        where=lambda t: "/admin/emoji",
        fill=lambda page, t: page.locator(f"#e{t['emoji']}-alt").fill("a friendly wave"),
        control=_button("Save :{code}:"),
        observe=_emoji,
        forge=lambda t: (
            f"/admin/emoji/{t['emoji']}",
            {"image_url": "https://example.com/a.png", "alt_text": "x"},
        ),
        refused=ErrorCode.NOT_AN_ADMIN,
        shown=lambda crew, actor, t: expect(
            actor.page.locator(f"#e{t['emoji']}-alt")
        ).to_have_value("a friendly wave"),
    ),
    Case(
        id="delete-emoji",
        by="admin",
        setup=_an_emoji,
        where=lambda t: "/admin/emoji",
        control=_button("Delete :{code}:"),
        observe=_emoji,
        forge=lambda t: (f"/admin/emoji/{t['emoji']}/delete", {}),
        refused=ErrorCode.NOT_AN_ADMIN,
        shown=lambda crew, actor, t: expect(actor.page.locator(f"#e{t['emoji']}")).to_have_count(0),
    ),
]


def _reported_post(crew: Crew) -> T:
    post_id = crew.post()
    reporter = crew.helper_api
    made = reporter.ok("POST", "/post/report", {"post_id": post_id, "reason": "Spam link"})
    return {"post": post_id, "report": made["post_report_view"]["post_report"]["id"]}


def _reported_comment(crew: Crew) -> T:
    post_id = crew.post()
    comment_id = crew.comment(post_id)
    reporter = crew.helper_api
    made = reporter.ok("POST", "/comment/report", {"comment_id": comment_id, "reason": "Rude"})
    return {"comment": comment_id, "report": made["comment_report_view"]["comment_report"]["id"]}


def _reported_message(crew: Crew) -> T:
    message = crew.member_api.ok(
        "POST",
        "/private_message",
        {"recipient_id": crew.helper_id, "content": "Buy my stuff"},
    )["private_message_view"]["private_message"]["id"]
    made = crew.helper_api.ok(
        "POST", "/private_message/report", {"private_message_id": message, "reason": "Spam"}
    )
    return {"report": made["private_message_report_view"]["private_message_report"]["id"]}


def _resolved(kind: str, key: str) -> Any:
    def observe(crew: Crew, t: T) -> object:
        found = crew.admin_api.ok("GET", f"/{kind}/report/list", limit=50)[f"{key}_reports"]
        return next(
            r[f"{key}_report"]["resolved"] for r in found if r[f"{key}_report"]["id"] == t["report"]
        )

    return observe


def _resolved_already(setup: Any, kind: str) -> Any:
    def made(crew: Crew) -> T:
        t: T = setup(crew)
        crew.mod_api.ok(
            "PUT", f"/{kind}/report/resolve", {"report_id": t["report"], "resolved": True}
        )
        return t

    return made


def _report_button(key: str, name: str) -> Any:
    def control(page: Page, t: T) -> Locator:
        return page.locator(f"#{key}{t['report']}").get_by_role("button", name=name, exact=True)

    return control


def _report_shows(key: str, name: str) -> Any:
    def shown(crew: Crew, actor: Person, t: T) -> None:
        expect(_report_button(key, name)(actor.page, t)).to_be_visible()

    return shown


REPORT_CASES = [
    Case(
        id="resolve-post-report",
        by="mod",
        setup=_reported_post,
        where=lambda t: "/reports?kind=posts&show=all",
        control=_report_button("rp", "Resolve"),
        in_place=True,
        observe=_resolved("post", "post"),
        forge=lambda t: (f"/reports/posts/{t['report']}/resolve", {"resolved": 1}),
        refused=ErrorCode.NOT_A_MOD_OR_ADMIN,
        shown=_report_shows("rp", "Reopen"),
    ),
    Case(
        id="reopen-post-report",
        by="mod",
        setup=_resolved_already(_reported_post, "post"),
        where=lambda t: "/reports?kind=posts&show=all",
        control=_report_button("rp", "Reopen"),
        in_place=True,
        observe=_resolved("post", "post"),
        forge=lambda t: (f"/reports/posts/{t['report']}/resolve", {"resolved": 0}),
        refused=ErrorCode.NOT_A_MOD_OR_ADMIN,
        shown=_report_shows("rp", "Resolve"),
    ),
    Case(
        id="resolve-comment-report",
        by="mod",
        setup=_reported_comment,
        where=lambda t: "/reports?kind=comments&show=all",
        control=_report_button("rc", "Resolve"),
        in_place=True,
        observe=_resolved("comment", "comment"),
        forge=lambda t: (f"/reports/comments/{t['report']}/resolve", {"resolved": 1}),
        refused=ErrorCode.NOT_A_MOD_OR_ADMIN,
        shown=_report_shows("rc", "Reopen"),
    ),
    Case(
        id="resolve-message-report",
        by="admin",
        setup=_reported_message,
        where=lambda t: "/reports?kind=messages&show=all",
        control=_report_button("rm", "Resolve"),
        in_place=True,
        observe=_resolved("private_message", "private_message"),
        forge=lambda t: (f"/reports/messages/{t['report']}/resolve", {"resolved": 1}),
        refused=ErrorCode.NOT_AN_ADMIN,
        shown=_report_shows("rm", "Reopen"),
    ),
]


@pytest.fixture(autouse=True)
def _open_registration(crew: Crew) -> Iterator[None]:
    yield
    crew.admin_api.ok("PUT", "/site", {"registration_mode": "Open"})


@pytest.mark.parametrize("case", ADMIN_CASES + REPORT_CASES, ids=lambda c: c.id)
def test_admin_action(crew: Crew, case: Case) -> None:
    run_case(crew, case)


def test_federation_page_is_for_admins_only(crew: Crew) -> None:
    """The delivery table, reached from the admin index: an instance on the blocklist is a
    row with its state and nothing waiting; members are refused as on every admin page,
    anonymous readers are sent to log in."""
    domain = f"{unique('blocked')}.example"
    crew.admin_api.ok("PUT", "/site", {"blocked_instances": [domain]})
    try:
        admin = crew.admin
        admin.open("/admin")
        admin.submit(admin.page.get_by_role("link", name="Federation", exact=True).click)
        assert admin.page.url.endswith("/admin/federation")
        table = admin.page.get_by_role("table", name="Delivery to")
        heads = table.get_by_role("columnheader")
        expect(heads).to_have_text(
            [
                "Instance",
                "Software",
                "State",
                "Waiting",
                "Lag",
                "Last delivered",
                "Failures",
                "Next retry",
            ]
        )
        row = table.locator("tr", has=admin.page.get_by_role("rowheader", name=domain))
        expect(row.locator("td")).to_have_text(
            ["unknown", "blocked on the blocklist", "0", "none", "none yet", "0", "—"]
        )
    finally:
        crew.admin_api.ok("PUT", "/site", {"blocked_instances": []})

    member = crew.member.context.request.get(
        crew.server.url + "/admin/federation", headers={"Accept": "text/html"}
    )
    refused = ApiError(ErrorCode.NOT_AN_ADMIN)
    assert member.status == refused.status
    assert refusal_words(ErrorCode.NOT_AN_ADMIN) in member.text()
    assert domain not in member.text()
    anon = crew.anon.context.request.get(
        crew.server.url + "/admin/federation", headers={"Accept": "text/html"}, max_redirects=0
    )
    assert anon.status == 303
    assert anon.headers["location"] == "/login?next=%2Fadmin%2Ffederation"
