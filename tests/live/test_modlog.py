"""The modlog, bans that run out, and counters after moderation, with real clients."""

from __future__ import annotations

import time
from typing import Any

from pythorhead import Lemmy
from pythorhead.types import ModlogActionType

from moot.errors import ErrorCode as E
from tests.conftest import unique
from tests.live.mod_support import Cast, js_step, lemmy_error, new_member

_LISTS = (
    "removed_posts",
    "locked_posts",
    "featured_posts",
    "removed_comments",
    "removed_communities",
    "banned_from_community",
    "banned",
    "added_to_community",
    "transferred_to_community",
    "added",
    "admin_purged_persons",
    "admin_purged_communities",
    "admin_purged_posts",
    "admin_purged_comments",
    "hidden_communities",
)


def _modlog(who: Lemmy, **filters: Any) -> dict[str, Any]:
    answer = who.modlog.get(limit=50, **filters)
    assert answer is not None and sorted(answer) == sorted(_LISTS)
    return dict(answer)


def test_modlog(cast: Cast, js_moderation: dict[str, Any]) -> None:
    js_step(js_moderation, "modlog")
    made = cast.mod.community.create(name=unique("plog"), title="Logged")
    community = made["community_view"]["community"]["id"]
    member, member_id, _ = new_member(cast.server, "plogm")
    post = member.post.create(community, "Logged post")["post_view"]["post"]
    comment = member.comment.create(post["id"], "Logged comment")["comment_view"]["comment"]
    cast.mod.post.lock(post["id"], True)
    cast.mod.comment.remove(comment["id"], True, reason="tone")
    cast.mod.post.remove(post["id"], True, reason="spam")
    cast.mod.community.ban_user(person_id=member_id, community_id=community, reason="repeat")

    # Anyone may read the log; the site hides who did what by default.
    anonymous = _modlog(Lemmy(cast.server.url), community_id=community)
    removal = anonymous["removed_posts"][0]
    assert removal["mod_remove_post"]["post_id"] == post["id"]
    assert removal["mod_remove_post"]["reason"] == "spam"
    assert "moderator" not in removal and removal["mod_remove_post"]["mod_person_id"] == 0
    assert removal["post"]["id"] == post["id"] and removal["community"]["id"] == community
    # ... except to admins, and to the community's own moderators in its log.
    for reader in (cast.admin, cast.mod):
        shown = _modlog(reader, community_id=community)["removed_posts"][0]
        assert shown["moderator"]["id"] == cast.mod_id
    assert "moderator" not in _modlog(cast.outsider, community_id=community)["locked_posts"][0]

    comments = _modlog(cast.admin, comment_id=comment["id"])["removed_comments"]
    assert [c["mod_remove_comment"]["reason"] for c in comments] == ["tone"]
    assert comments[0]["commenter"]["id"] == member_id
    assert comments[0]["comment"]["content"] == "Logged comment"
    by_post = _modlog(cast.admin, post_id=post["id"])
    assert len(by_post["locked_posts"]) == 1 and len(by_post["removed_posts"]) == 1
    assert by_post["banned_from_community"] == []
    only_locks = _modlog(cast.admin, community_id=community, type_=ModlogActionType.ModLockPost)
    assert [len(only_locks[k]) for k in _LISTS] == [1 if k == "locked_posts" else 0 for k in _LISTS]
    about_member = _modlog(cast.admin, other_person_id=member_id)
    assert about_member["banned_from_community"][0]["banned_person"]["id"] == member_id
    assert about_member["banned_from_community"][0]["mod_ban_from_community"]["reason"] == "repeat"
    assert len(about_member["removed_posts"]) == 1
    by_mod = _modlog(cast.admin, mod_person_id=cast.mod_id, community_id=community)
    assert len(by_mod["removed_comments"]) == 1
    assert (
        _modlog(cast.admin, mod_person_id=cast.admin_id, community_id=community)["removed_comments"]
        == []
    )

    # With names shown, everyone sees them.
    cast.admin.site.edit(hide_modlog_mod_names=False)
    try:
        shown = _modlog(Lemmy(cast.server.url), community_id=community)["removed_posts"][0]
        assert shown["moderator"]["id"] == cast.mod_id
    finally:
        cast.admin.site.edit(hide_modlog_mod_names=True)


def test_expired_bans_stop_applying(cast: Cast, js_moderation: dict[str, Any]) -> None:
    js_step(js_moderation, "ban_from_community")
    js_step(js_moderation, "ban_person")
    member, member_id, name = new_member(cast.server, "pexp")
    soon = int(time.time()) + 3600
    cast.mod.community.ban_user(person_id=member_id, community_id=cast.community_id, expires=soon)
    assert lemmy_error(member.post.create, cast.community_id, "Not yet") == (
        E.BANNED_FROM_COMMUNITY
    )
    # The hour passes (the database is told so): the ban no longer holds.
    cast.server.sql(
        f"UPDATE community_person_ban SET expires = CURRENT_TIMESTAMP WHERE person_id = {member_id}"
    )
    assert member.post.create(cast.community_id, "Free again")["post_view"]["post"]["id"]
    assert member.community.get(cast.community_id)["community_view"]["banned_from_community"] is (
        False
    )

    cast.admin.user.ban(person_id=member_id, expires=soon)
    cast.server.sql(f"UPDATE person SET ban_expires = CURRENT_TIMESTAMP WHERE id = {member_id}")
    from tests.live.mod_support import login

    again = login(cast.server, name)
    assert again.post.create(cast.community_id, "Back on the site")["post_view"]["post"]["id"]
    banned = cast.api(cast.admin, "GET", "/user/banned")["banned"]
    assert member_id not in [p["person"]["id"] for p in banned]


def test_recount_agrees_after_moderation(cast: Cast, js_moderation: dict[str, Any]) -> None:
    """Every removal, ban, purge and restore above moved the counters the way a full
    recount computes them."""
    assert js_moderation["failed"] == {}, sorted(js_moderation["failed"])
    done = cast.server.moot("admin", "recount")
    assert "recounted: 0 rows corrected" in done.stdout, done.stdout
