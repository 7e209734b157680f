"""Admins' actions with real clients: each done by an admin (pythorhead, and lemmy-js-client
in moderation.mjs) and refused with Lemmy's error to a moderator or member. One test per
action."""

from __future__ import annotations

import time
from typing import Any

from pythorhead.types import ListingType, SortType

from moot.errors import ErrorCode as E
from tests.conftest import unique
from tests.live.mod_support import PASSWORD, Cast, js_step, lemmy_error, login, new_member


def test_ban_from_site(cast: Cast, js_moderation: dict[str, Any]) -> None:
    js_step(js_moderation, "ban_person")
    spammer, spammer_id, name = new_member(cast.server, "pspam")
    post = cast.post("Buy now", who=spammer)
    comment = cast.comment(cast.post("Elsewhere")["id"], "Cheap pills", who=spammer)
    expires = int(time.time()) + 86400
    assert lemmy_error(cast.mod.user.ban, person_id=spammer_id, expires=expires) == E.NOT_AN_ADMIN
    banned = cast.admin.user.ban(
        person_id=spammer_id, expires=expires, reason="spam", remove_data=True
    )
    person = banned["person_view"]["person"]
    assert banned["banned"] is True and person["banned"] is True and "ban_expires" in person
    # The ban ends the spammer's sessions and keeps them out.
    assert lemmy_error(spammer.post.create, cast.community_id, "more") == E.INCORRECT_LOGIN
    assert lemmy_error(login, cast.server, name) == E.SITE_BAN
    assert cast.admin.post.get(post["id"])["post_view"]["post"]["removed"] is True
    assert cast.admin.comment.get(comment["id"])["comment_view"]["comment"]["removed"] is True
    # An admin appointed later cannot ban the first admin.
    later, later_id, _ = new_member(cast.server, "plate")
    cast.api(cast.admin, "POST", "/admin/add", json={"person_id": later_id, "added": True})
    assert lemmy_error(later.user.ban, person_id=cast.admin_id, reason="coup") == E.NOT_HIGHER_ADMIN
    cast.api(cast.admin, "POST", "/admin/add", json={"person_id": later_id, "added": False})

    lifted = cast.admin.user.ban(ban=False, person_id=spammer_id, remove_data=True)
    assert lifted["person_view"]["person"]["banned"] is False
    back = login(cast.server, name)
    assert back.post.get(post["id"])["post_view"]["post"]["removed"] is False


def test_banned_list(cast: Cast, js_moderation: dict[str, Any]) -> None:
    js_step(js_moderation, "banned_persons")
    _, banned_id, _ = new_member(cast.server, "pbl")
    cast.admin.user.ban(person_id=banned_id)
    assert lemmy_error(cast.api, cast.mod, "GET", "/user/banned") == E.NOT_AN_ADMIN
    listed = cast.api(cast.admin, "GET", "/user/banned")["banned"]
    assert banned_id in [p["person"]["id"] for p in listed]
    cast.admin.user.ban(ban=False, person_id=banned_id)
    listed = cast.api(cast.admin, "GET", "/user/banned")["banned"]
    assert banned_id not in [p["person"]["id"] for p in listed]


def test_add_admin(cast: Cast, js_moderation: dict[str, Any]) -> None:
    js_step(js_moderation, "add_admin")
    candidate, candidate_id, _ = new_member(cast.server, "pcand")
    body = {"person_id": candidate_id, "added": True}
    assert lemmy_error(cast.api, cast.mod, "POST", "/admin/add", json=body) == E.NOT_AN_ADMIN
    admins = cast.api(cast.admin, "POST", "/admin/add", json=body)["admins"]
    assert candidate_id in [a["person"]["id"] for a in admins]
    assert candidate.site.get()["my_user"]["local_user_view"]["local_user"]["admin"] is True
    # Now an admin, they act everywhere: removing a post in a community they do not moderate.
    post = cast.post("Seen by the new admin")
    assert candidate.post.remove(post["id"], True)["post_view"]["post"]["removed"] is True
    remove = {"person_id": cast.admin_id, "added": False}
    assert lemmy_error(cast.api, candidate, "POST", "/admin/add", json=remove) == E.NOT_HIGHER_ADMIN
    admins = cast.api(cast.admin, "POST", "/admin/add", json={**body, "added": False})["admins"]
    assert candidate_id not in [a["person"]["id"] for a in admins]
    assert lemmy_error(candidate.post.remove, post["id"], False) == E.NOT_A_MOD_OR_ADMIN


def test_leave_admin(cast: Cast, js_moderation: dict[str, Any]) -> None:
    js_step(js_moderation, "leave_admin")
    assert lemmy_error(cast.api, cast.user, "POST", "/user/leave_admin") == E.NOT_AN_ADMIN
    leaver, leaver_id, _ = new_member(cast.server, "pleav")
    cast.api(cast.admin, "POST", "/admin/add", json={"person_id": leaver_id, "added": True})
    site = cast.api(leaver, "POST", "/user/leave_admin")
    assert site["my_user"]["local_user_view"]["local_user"]["admin"] is False
    assert leaver_id not in [a["person"]["id"] for a in site["admins"]]
    assert lemmy_error(cast.api, leaver, "POST", "/user/leave_admin") == E.NOT_AN_ADMIN


def test_hide_community(cast: Cast, js_moderation: dict[str, Any]) -> None:
    js_step(js_moderation, "hide_community")
    made = cast.mod.community.create(name=unique("phid"), title="Quiet corner")
    community = made["community_view"]["community"]["id"]
    post = cast.mod.post.create(community, "Hidden away")["post_view"]["post"]
    assert lemmy_error(cast.mod.community.hide, community, hidden=True) == E.NOT_AN_ADMIN
    assert cast.admin.community.hide(community, reason="quiet", hidden=True) == {"success": True}
    front = cast.outsider.post.list(type_=ListingType.All, sort=SortType.New, limit=50)
    assert post["id"] not in [p["post"]["id"] for p in front]
    # Still reachable directly, and listed for its followers.
    assert cast.outsider.community.get(community)["community_view"]["community"]["hidden"]
    assert post["id"] in [
        p["post"]["id"] for p in cast.mod.post.list(type_=ListingType.All, sort=SortType.New)
    ]
    cast.admin.community.hide(community, hidden=False)
    front = cast.outsider.post.list(type_=ListingType.All, sort=SortType.New, limit=50)
    assert post["id"] in [p["post"]["id"] for p in front]


def test_remove_community(cast: Cast, js_moderation: dict[str, Any]) -> None:
    js_step(js_moderation, "remove_community")
    made = cast.mod.community.create(name=unique("prem"), title="Against the rules")
    community = made["community_view"]["community"]["id"]
    body = {"community_id": community, "removed": True, "reason": "rules"}
    assert lemmy_error(cast.api, cast.mod, "POST", "/community/remove", json=body) == E.NOT_AN_ADMIN
    removed = cast.api(cast.admin, "POST", "/community/remove", json=body)
    assert removed["community_view"]["community"]["removed"] is True
    assert lemmy_error(cast.mod.post.create, community, "Anyone?") == (
        E.CANNOT_CREATE_POST_OR_COMMENT_IN_DELETED_OR_REMOVED_COMMUNITY
    )
    listed = cast.outsider.community.list(limit=50, sort=SortType.New)
    assert community not in [c["community"]["id"] for c in listed]
    restored = cast.api(cast.admin, "POST", "/community/remove", json={**body, "removed": False})
    assert restored["community_view"]["community"]["removed"] is False
    cast.mod.post.create(community, "Back in business")


def test_purge_person(cast: Cast, js_moderation: dict[str, Any]) -> None:
    js_step(js_moderation, "purge_person")
    gone, gone_id, name = new_member(cast.server, "ppurg")
    post = cast.post("By someone to be purged", who=gone)
    reply = cast.comment(post["id"], "A reply from a member")
    voted = cast.post("Voted on by them")
    gone.post.like(voted["id"], -1)
    assert lemmy_error(cast.mod.user.purge, gone_id) == E.NOT_AN_ADMIN
    assert cast.admin.user.purge(gone_id, reason="bot") == {"success": True}
    assert lemmy_error(cast.outsider.user.get, person_id=gone_id) == E.COULDNT_FIND_PERSON
    assert lemmy_error(cast.outsider.post.get, post["id"]) == E.COULDNT_FIND_POST
    assert lemmy_error(cast.outsider.comment.get, reply["id"]) == E.COULDNT_FIND_COMMENT
    assert lemmy_error(login, cast.server, name, PASSWORD) == E.INCORRECT_LOGIN
    # Their downvote no longer counts.
    assert cast.outsider.post.get(voted["id"])["post_view"]["counts"]["score"] == 1


def test_purge_community(cast: Cast, js_moderation: dict[str, Any]) -> None:
    js_step(js_moderation, "purge_community")
    made = cast.mod.community.create(name=unique("ppc"), title="Going for good")
    community = made["community_view"]["community"]["id"]
    post = cast.user.post.create(community, "Goes with it")["post_view"]["post"]
    assert lemmy_error(cast.mod.community.purge, community) == E.NOT_AN_ADMIN
    assert cast.admin.community.purge(community, reason="spam ring") == {"success": True}
    assert lemmy_error(cast.outsider.community.get, community) == E.COULDNT_FIND_COMMUNITY
    assert lemmy_error(cast.outsider.post.get, post["id"]) == E.COULDNT_FIND_POST


def test_purge_post(cast: Cast, js_moderation: dict[str, Any]) -> None:
    js_step(js_moderation, "purge_post")
    post = cast.post("Illegal content")
    cast.comment(post["id"], "goes too", who=cast.outsider)
    before = cast.outsider.user.get(person_id=cast.outsider_id)["person_view"]["counts"]
    assert lemmy_error(cast.mod.post.purge, post["id"], None) == E.NOT_AN_ADMIN
    assert cast.admin.post.purge(post["id"], "illegal") == {"success": True}
    assert lemmy_error(cast.outsider.post.get, post["id"]) == E.COULDNT_FIND_POST
    after = cast.outsider.user.get(person_id=cast.outsider_id)["person_view"]["counts"]
    assert after["comment_count"] == before["comment_count"] - 1


def test_purge_comment(cast: Cast, js_moderation: dict[str, Any]) -> None:
    js_step(js_moderation, "purge_comment")
    post = cast.post("A thread with something to purge")
    comment = cast.comment(post["id"], "Doxxing")
    assert lemmy_error(cast.mod.comment.purge, comment["id"]) == E.NOT_AN_ADMIN
    assert cast.admin.comment.purge(comment["id"], reason="doxxing") == {"success": True}
    assert lemmy_error(cast.outsider.comment.get, comment["id"]) == E.COULDNT_FIND_COMMENT
    assert cast.outsider.post.get(post["id"])["post_view"]["counts"]["comments"] == 0


def test_edit_site_settings(cast: Cast, js_moderation: dict[str, Any]) -> None:
    js_step(js_moderation, "edit_site")
    assert lemmy_error(cast.mod.site.edit, enable_downvotes=False) == E.NOT_AN_ADMIN
    settings = {
        "enable_downvotes": False,
        "enable_nsfw": False,
        "default_sort_type": "New",
        "default_post_listing_type": "All",
        "slur_filter_regex": "badword",
        "taglines": ["Welcome"],
        "blocked_urls": ["blocked.example"],
        "application_question": "Who are you?",
        "rate_limit_post": 99999,
    }
    every_language = [lang["id"] for lang in cast.outsider.site.get()["all_languages"]]
    try:
        assert (
            lemmy_error(cast.api, cast.admin, "PUT", "/site", json={"discussion_languages": [999]})
            == E.LANGUAGE_NOT_ALLOWED
        )
        cast.api(cast.admin, "PUT", "/site", json={"discussion_languages": [0, 37]})
        assert cast.outsider.site.get()["discussion_languages"] == [0, 37]
        edited = cast.api(cast.admin, "PUT", "/site", json=settings)
        local = edited["site_view"]["local_site"]
        assert (local["enable_downvotes"], local["enable_nsfw"]) == (False, False)
        assert (local["default_sort_type"], local["default_post_listing_type"]) == ("New", "All")
        assert local["slur_filter_regex"] == "badword"
        assert edited["site_view"]["local_site_rate_limit"]["post"] == 99999
        site = cast.outsider.site.get()
        assert [t["content"] for t in site["taglines"]] == ["Welcome"]
        assert [b["url"] for b in site["blocked_urls"]] == ["blocked.example"]
        post = cast.post("Settings in force")
        assert lemmy_error(cast.outsider.post.like, post["id"], -1) == E.DOWNVOTES_ARE_DISABLED
        assert lemmy_error(cast.user.post.create, cast.community_id, "a badword") == E.SLURS
        assert (
            lemmy_error(
                cast.user.post.create, cast.community_id, "Link", url="https://blocked.example/x"
            )
            == E.BLOCKED_URL
        )
        # The link is checked first: whatever else is wrong, the answer is blocked_url.
        everything_wrong = {
            "name": "ab",
            "community_id": 999_999,
            "url": "https://www.blocked.example/x",
            "honeypot": "a bot",
        }
        assert lemmy_error(cast.api, cast.user, "POST", "/post", json=everything_wrong) == (
            E.BLOCKED_URL
        )
    finally:
        cast.api(
            cast.admin,
            "PUT",
            "/site",
            json={
                "enable_downvotes": True,
                "enable_nsfw": True,
                "default_sort_type": "Active",
                "default_post_listing_type": "Local",
                "slur_filter_regex": "",
                "taglines": [],
                "blocked_urls": [],
                "rate_limit_post": 100000,
                "discussion_languages": every_language,
            },
        )


def test_custom_emoji(cast: Cast, js_moderation: dict[str, Any]) -> None:
    js_step(js_moderation, "custom_emoji")
    shortcode = unique("PyEmoji")
    form = {
        "category": "fun",
        "shortcode": f"  {shortcode} ",
        "image_url": "https://example.com/e.png",
        "alt_text": "an emoji",
        "keywords": ["Happy", "happy", " smile "],
    }
    assert lemmy_error(cast.api, cast.user, "POST", "/custom_emoji", json=form) == E.NOT_AN_ADMIN
    created = cast.api(cast.admin, "POST", "/custom_emoji", json=form)["custom_emoji"]
    emoji_id = created["custom_emoji"]["id"]
    assert created["custom_emoji"]["shortcode"] == shortcode.lower()
    assert sorted(k["keyword"] for k in created["keywords"]) == ["happy", "smile"]
    assert emoji_id in [e["custom_emoji"]["id"] for e in cast.outsider.emoji.get()]
    edit = {
        "id": emoji_id,
        "category": "joy",
        "image_url": "https://example.com/f.png",
        "alt_text": "changed",
        "keywords": ["joy"],
    }
    assert lemmy_error(cast.api, cast.user, "PUT", "/custom_emoji", json=edit) == E.NOT_AN_ADMIN
    edited = cast.api(cast.admin, "PUT", "/custom_emoji", json=edit)["custom_emoji"]
    assert edited["custom_emoji"]["category"] == "joy"
    assert [k["keyword"] for k in edited["keywords"]] == ["joy"]
    delete = {"id": emoji_id}
    assert (
        lemmy_error(cast.api, cast.user, "POST", "/custom_emoji/delete", json=delete)
        == E.NOT_AN_ADMIN
    )
    assert cast.api(cast.admin, "POST", "/custom_emoji/delete", json=delete) == {"success": True}
    assert emoji_id not in [e["custom_emoji"]["id"] for e in cast.outsider.emoji.get()]
