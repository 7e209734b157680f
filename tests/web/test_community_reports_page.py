"""Reports about a community (Lemmy 1.0) on the web: a member reports a community from its
page; the admins find it under Communities on the reports page (its moderator does not)
and resolve it, through the action API v4 calls. With JavaScript on SQLite, without it on
PostgreSQL (the crew's way)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.web.staff import Crew, forge


def _community_reports(crew: Crew) -> list[dict[str, Any]]:
    answer = crew.admin_api.http.get(
        f"{crew.server.url}/api/v4/report/list", params={"type_": "communities"}
    )
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


def test_a_community_reported_and_resolved(crew: Crew) -> None:
    member, admin = crew.member, crew.admin
    member.open(f"/c/{crew.community}")
    member.submit(member.page.get_by_role("link", name="Report community").click)
    member.page.get_by_label("What is wrong with it?").fill("Its sidebar promises free money")
    member.submit(member.page.get_by_role("button", name="Send report").click)
    expect(member.page.locator("h1")).to_contain_text("Report sent")

    # The community's moderator has no Communities tab, nor may open it or resolve one.
    crew.mod.page.goto(f"{crew.server.url}/reports")
    expect(crew.mod.page.locator('a[href^="/reports?kind=communities"]')).to_have_count(0)
    listed = _community_reports(crew)
    report_id = next(
        i["community_report"]["id"] for i in listed if i["community"]["id"] == crew.community_id
    )
    status, _ = forge(crew.mod, f"/reports/communities/{report_id}/resolve", {"resolved": 1})
    assert status >= 400

    admin.open("/reports?kind=communities")
    item = admin.page.locator(f"li#rc{report_id}")
    expect(item).to_contain_text("Its sidebar promises free money")
    expect(item).to_contain_text(f"Modded {crew.community}")
    admin.act(item.get_by_role("button", name="Resolve").click)
    after = _community_reports(crew)
    assert next(i for i in after if i["community_report"]["id"] == report_id)["community_report"][
        "resolved"
    ]
