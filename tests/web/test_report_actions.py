"""Acting on a report from the reports page (issue 14, item 7): the moderator removes what
was reported and bans its author, with a reason, in one form that also resolves the report;
the same form sent twice at once changes things once. The page in light and dark, wide and
narrow, has no serious accessibility finding."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from playwright.sync_api import Browser, expect

from tests.web.axe import check_schemes_and_widths
from tests.web.staff import Crew, browser_for, forge


def _report(crew: Crew, kind: str, target: int, reason: str) -> int:
    made = crew.member_api.ok("POST", f"/{kind}/report", {f"{kind}_id": target, "reason": reason})
    return int(made[f"{kind}_report_view"][f"{kind}_report"]["id"])


def _banned(crew: Crew, person_id: int) -> bool:
    found = crew.admin_api.ok(
        "GET", "/modlog", type_="ModBanFromCommunity", other_person_id=person_id, limit=50
    )["banned_from_community"]
    return any(
        e["mod_ban_from_community"]["banned"]
        and e["mod_ban_from_community"]["community_id"] == crew.community_id
        for e in found
    )


def _report_view(crew: Crew, kind: str, report_id: int) -> dict[str, Any]:
    listed = crew.mod_api.ok("GET", f"/{kind}/report/list", limit=50)[f"{kind}_reports"]
    [view] = [r for r in listed if r[f"{kind}_report"]["id"] == report_id]
    return dict(view)


def _check_pages(crew: Crew, browser: Browser, report_id: int) -> None:
    """The reports page with a report's form open, in each scheme and width: axe runs as a
    script in the page, so this browser of the moderator's has JavaScript on both backends."""
    mod = browser_for(browser, crew.server, crew.mod_api, crew.mod.name, True)
    try:
        mod.open("/reports")
        mod.page.locator(f"li#rp{report_id}").get_by_text("Act on this report").click()
        check_schemes_and_widths(mod.page, f"reports-act-{crew.server.backend}")
    finally:
        mod.context.close()


def test_a_moderator_removes_and_bans_from_a_report(crew: Crew, browser: Browser) -> None:
    author, author_api = crew.person("reported")
    author_id = author_api.ok("GET", "/site")["my_user"]["local_user_view"]["person"]["id"]
    post_id = crew.post(author_api)
    comment_id = crew.comment(crew.post(), author_api)
    post_report = _report(crew, "post", post_id, "Spam for a shop")
    comment_report = _report(crew, "comment", comment_id, "Insults")

    # The moderator's reports page lists each report with a form to act on it.
    _check_pages(crew, browser, post_report)
    mod = crew.mod
    mod.open("/reports")
    item = mod.page.locator(f"li#rp{post_report}")
    item.get_by_text("Act on this report").click()
    expect(item.get_by_label("Remove the post")).to_be_checked()
    expect(item.get_by_label("Reason (shown in the modlog)")).to_have_value("Spam for a shop")
    item.get_by_label(f"Ban {author} from").check()
    mod.act(item.get_by_role("button", name="Act and resolve").click)

    post = crew.admin_api.ok("GET", "/post", id=post_id)["post_view"]["post"]
    assert post["removed"]
    assert _banned(crew, author_id)
    assert _report_view(crew, "post", post_report)["post_report"]["resolved"]
    removal = crew.admin_api.ok("GET", "/modlog", type_="ModRemovePost", post_id=post_id)
    assert removal["removed_posts"][0]["mod_remove_post"]["reason"] == "Spam for a shop"

    # The comment's report: removal only, with a reason of the moderator's own.
    mod.open("/reports?kind=comments")
    item = mod.page.locator(f"li#rc{comment_report}")
    item.get_by_text("Act on this report").click()
    item.get_by_label("Reason (shown in the modlog)").fill("Personal attacks")
    mod.act(item.get_by_role("button", name="Act and resolve").click)
    comment = crew.admin_api.ok("GET", "/comment", id=comment_id)["comment_view"]["comment"]
    assert comment["removed"]
    assert _report_view(crew, "comment", comment_report)["comment_report"]["resolved"]

    # A plain member who forges the form is refused and changes nothing.
    _, other_api = crew.person("reported")
    other_post = crew.post(other_api)
    other_report = _report(crew, "post", other_post, "Again")
    status, _ = forge(crew.member, f"/reports/posts/{other_report}/act", {"remove": 1})
    assert status >= 400
    assert not crew.admin_api.ok("GET", "/post", id=other_post)["post_view"]["post"]["removed"]


def test_the_same_action_sent_twice_at_once(crew: Crew) -> None:
    _, author_api = crew.person("twice")
    author_id = author_api.ok("GET", "/site")["my_user"]["local_user_view"]["person"]["id"]
    post_id = crew.post(author_api)
    report_id = _report(crew, "post", post_id, "Twice")
    # The moderator's session (login and CSRF cookies) in plain HTTP clients, one a thread:
    # the browser's own API cannot be driven from several threads.
    crew.mod.open("/reports")
    cookies = {c["name"]: c["value"] for c in crew.mod.context.cookies()}
    fields = {"remove": "1", "ban": "1", "reason": "Twice", "_csrf_token": cookies["csrftoken"]}

    def send(_: int) -> int:
        with httpx.Client(base_url=crew.server.url, cookies=cookies, timeout=30) as http:
            answer = http.post(f"/reports/posts/{report_id}/act", data=fields)
        return answer.status_code

    with ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(send, range(4)))
    assert all(status < 500 for status in statuses), statuses
    assert any(status in (200, 303) for status in statuses), statuses
    assert crew.admin_api.ok("GET", "/post", id=post_id)["post_view"]["post"]["removed"]
    assert _banned(crew, author_id)
    assert _report_view(crew, "post", report_id)["post_report"]["resolved"]
    bans = crew.admin_api.ok(
        "GET", "/modlog", type_="ModBanFromCommunity", other_person_id=author_id, limit=50
    )["banned_from_community"]
    assert len(bans) >= 1
