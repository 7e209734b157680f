"""Reports, private messages and registration applications with real clients (pythorhead,
and lemmy-js-client in moderation.mjs), each refused with Lemmy's error to whom may not."""

from __future__ import annotations

from typing import Any

from moot.errors import ErrorCode as E
from tests.conftest import Api, unique
from tests.live.mod_support import PASSWORD, Cast, js_step, lemmy_error, login


def test_report_post(cast: Cast, js_moderation: dict[str, Any]) -> None:
    js_step(js_moderation, "report_post")
    post = cast.post("Misleading title", who=cast.outsider)
    assert lemmy_error(cast.user.post.report, post["id"], "  ") == E.REPORT_REASON_REQUIRED
    assert lemmy_error(cast.user.post.report, post["id"], "x" * 1001) == E.REPORT_TOO_LONG
    filed = cast.user.post.report(post["id"], "misleading")["post_report_view"]
    report = filed["post_report"]
    assert (report["reason"], report["original_post_name"]) == ("misleading", "Misleading title")
    assert (filed["creator"]["id"], filed["post_creator"]["id"]) == (cast.user_id, cast.outsider_id)
    assert lemmy_error(cast.user.post.report, post["id"], "again") == E.COULDNT_CREATE_REPORT
    # An edit after the report leaves the report's snapshot as it was.
    cast.outsider.post.edit(post["id"], name="Innocent title")
    assert lemmy_error(cast.outsider.post.report_list) == E.NOT_A_MOD_OR_ADMIN
    listed = cast.mod.post.report_list(community_id=cast.community_id, unresolved_only=True)
    mine = [r for r in listed if r["post_report"]["id"] == report["id"]]
    assert mine and mine[0]["post_report"]["original_post_name"] == "Misleading title"
    counts = cast.api(
        cast.mod, "GET", "/user/report_count", params={"community_id": cast.community_id}
    )
    assert counts["community_id"] == cast.community_id and counts["post_reports"] >= 1
    assert "private_message_reports" not in counts
    assert lemmy_error(cast.outsider.post.resolve_report, report["id"]) == E.NOT_A_MOD_OR_ADMIN
    resolved = cast.mod.post.resolve_report(report["id"])["post_report_view"]
    assert resolved["post_report"]["resolved"] is True
    assert resolved["resolver"]["id"] == cast.mod_id
    after = cast.api(
        cast.mod, "GET", "/user/report_count", params={"community_id": cast.community_id}
    )
    assert after["post_reports"] == counts["post_reports"] - 1


def test_report_comment(cast: Cast, js_moderation: dict[str, Any]) -> None:
    js_step(js_moderation, "report_comment")
    comment = cast.comment(cast.post("A heated thread")["id"], "Insults", who=cast.outsider)
    filed = cast.user.comment.report(comment["id"], "abusive")["comment_report_view"]
    report = filed["comment_report"]
    assert report["original_comment_text"] == "Insults"
    assert filed["comment_creator"]["id"] == cast.outsider_id
    assert lemmy_error(cast.outsider.comment.report_list) == E.NOT_A_MOD_OR_ADMIN
    listed = cast.mod.comment.report_list(community_id=cast.community_id, unresolved_only=True)
    assert report["id"] in [r["comment_report"]["id"] for r in listed]
    # Removing the comment settles its reports.
    cast.mod.comment.remove(comment["id"], True, reason="abuse")
    listed = cast.mod.comment.report_list(community_id=cast.community_id, unresolved_only=True)
    assert report["id"] not in [r["comment_report"]["id"] for r in listed]
    everything = cast.admin.comment.report_list(community_id=cast.community_id)
    settled = next(r for r in everything if r["comment_report"]["id"] == report["id"])
    assert settled["comment_report"]["resolved"] is True
    assert settled["resolver"]["id"] == cast.mod_id
    assert lemmy_error(cast.outsider.comment.resolve_report, report["id"]) == E.NOT_A_MOD_OR_ADMIN


def test_report_private_message(cast: Cast, js_moderation: dict[str, Any]) -> None:
    js_step(js_moderation, "report_private_message")
    sent = cast.outsider.private_message.create("Send me money", cast.user_id)
    message_id = sent["private_message_view"]["private_message"]["id"]
    body = {"private_message_id": message_id, "reason": "scam"}
    # Only the recipient may report a message.
    assert (
        lemmy_error(cast.api, cast.mod, "POST", "/private_message/report", json=body)
        == E.COULDNT_CREATE_REPORT
    )
    filed = cast.api(cast.user, "POST", "/private_message/report", json=body)
    report = filed["private_message_report_view"]["private_message_report"]
    assert report["original_pm_text"] == "Send me money"
    path = "/private_message/report/list"
    assert lemmy_error(cast.api, cast.mod, "GET", path) == E.NOT_AN_ADMIN
    listed = cast.api(cast.admin, "GET", path, params={"unresolved_only": "true"})
    ids = [r["private_message_report"]["id"] for r in listed["private_message_reports"]]
    assert report["id"] in ids
    assert cast.api(cast.admin, "GET", "/user/report_count")["private_message_reports"] >= 1
    resolve = {"report_id": report["id"], "resolved": True}
    path = "/private_message/report/resolve"
    assert lemmy_error(cast.api, cast.mod, "PUT", path, json=resolve) == E.NOT_AN_ADMIN
    done = cast.api(cast.admin, "PUT", path, json=resolve)["private_message_report_view"]
    assert done["private_message_report"]["resolved"] is True
    assert done["resolver"]["id"] == cast.admin_id


def test_private_messages(cast: Cast, js_moderation: dict[str, Any]) -> None:
    js_step(js_moderation, "private_messages")
    unread_before = cast.api(cast.outsider, "GET", "/user/unread_count")["private_messages"]
    sent = cast.user.private_message.create("Hi *there*", cast.outsider_id)["private_message_view"]
    message = sent["private_message"]
    assert (sent["creator"]["id"], sent["recipient"]["id"]) == (cast.user_id, cast.outsider_id)
    assert message["ap_id"].endswith(f"/private_message/{message['id']}")
    unread = cast.api(cast.outsider, "GET", "/user/unread_count")
    assert unread["private_messages"] == unread_before + 1
    inbox = cast.outsider.private_message.list(True, 1)["private_messages"]
    assert message["id"] in [m["private_message"]["id"] for m in inbox]
    edit = {"private_message_id": message["id"], "content": "Forged"}
    assert (
        lemmy_error(cast.api, cast.outsider, "PUT", "/private_message", json=edit)
        == E.EDIT_PRIVATE_MESSAGE_NOT_ALLOWED
    )
    edited = cast.api(cast.user, "PUT", "/private_message", json={**edit, "content": "Hello"})
    assert edited["private_message_view"]["private_message"]["content"] == "Hello"
    assert (
        lemmy_error(cast.user.private_message.mark_as_read, message["id"], True)
        == E.COULDNT_UPDATE_PRIVATE_MESSAGE
    )
    read = cast.outsider.private_message.mark_as_read(message["id"], True)
    assert read["private_message_view"]["private_message"]["read"] is True
    assert cast.api(cast.outsider, "GET", "/user/unread_count")["private_messages"] == unread_before
    delete = {"private_message_id": message["id"], "deleted": True}
    assert (
        lemmy_error(cast.api, cast.outsider, "POST", "/private_message/delete", json=delete)
        == E.EDIT_PRIVATE_MESSAGE_NOT_ALLOWED
    )
    cast.api(cast.user, "POST", "/private_message/delete", json=delete)
    listed = cast.outsider.private_message.list(False, 1)["private_messages"]
    assert message["id"] not in [m["private_message"]["id"] for m in listed]
    # Someone who blocked you cannot be written to.
    block = {"person_id": cast.user_id, "block": True}
    cast.api(cast.outsider, "POST", "/user/block", json=block)
    try:
        assert (
            lemmy_error(cast.user.private_message.create, "Let me in", cast.outsider_id)
            == E.PERSON_IS_BLOCKED
        )
    finally:
        cast.api(cast.outsider, "POST", "/user/block", json={**block, "block": False})
    assert lemmy_error(cast.user.private_message.create, "", cast.outsider_id) == (
        E.INVALID_BODY_FIELD
    )


def test_registration_applications(cast: Cast, js_moderation: dict[str, Any]) -> None:
    js_step(js_moderation, "registration_applications")
    server = cast.server
    form = {"password": PASSWORD, "password_verify": PASSWORD}
    cast.admin.site.edit(registration_mode="RequireApplication", application_question="Why?")
    try:
        name = unique("papp")
        created = Api(server).ok(
            "POST", "/user/register", {"username": name, "answer": "Curious", **form}
        )
        assert created["registration_created"] is True and "jwt" not in created
        assert lemmy_error(login, server, name) == E.REGISTRATION_APPLICATION_IS_PENDING
        assert lemmy_error(cast.mod.admin.list_applications) == E.NOT_AN_ADMIN
        count = "/admin/registration_application/count"
        assert lemmy_error(cast.api, cast.mod, "GET", count) == E.NOT_AN_ADMIN
        assert cast.api(cast.admin, "GET", count)["registration_applications"] >= 1
        pending = cast.admin.admin.list_applications(unread_only="true", limit=50)
        mine = next(a for a in pending["registration_applications"] if a["creator"]["name"] == name)
        application_id = mine["registration_application"]["id"]
        assert mine["registration_application"]["answer"] == "Curious"
        assert mine["creator_local_user"]["accepted_application"] is False
        assert lemmy_error(cast.mod.admin.process_application, application_id) == E.NOT_AN_ADMIN
        denied = cast.admin.admin.process_application(
            application_id, approve=False, deny_reason="Not now"
        )["registration_application"]
        assert denied["registration_application"]["deny_reason"] == "Not now"
        assert denied["admin"]["id"] == cast.admin_id
        refused = Api(server).post("/user/login", {"username_or_email": name, "password": PASSWORD})
        assert refused.json() == {"error": "registration_denied", "message": "Not now"}
        decided = cast.admin.admin.list_applications(unread_only="true", limit=50)
        assert application_id not in [
            a["registration_application"]["id"] for a in decided["registration_applications"]
        ]
        cast.admin.admin.process_application(application_id, approve=True)
        assert (
            login(server, name).site.get()["my_user"]["local_user_view"]["person"]["name"] == name
        )

        cast.admin.site.edit(registration_mode="Closed")
        assert Api(server).error(
            "POST", "/user/register", {"username": unique("pclo"), **form}
        ) == (400, E.REGISTRATION_CLOSED)
    finally:
        cast.admin.site.edit(registration_mode="Open")
