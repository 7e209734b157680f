"""Replies and mentions against a live server (both backends): who is notified of what, the
views' shapes, marking read, blocks, and pythorhead reading the replies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from pythorhead import Lemmy

from moot.errors import ErrorCode as E
from tests.conftest import Api, register, unique
from tests.servers import Server

PASSWORD = "password-123"
VIEW_KEYS = {
    "comment",
    "creator",
    "post",
    "community",
    "recipient",
    "counts",
    "creator_banned_from_community",
    "banned_from_community",
    "creator_is_moderator",
    "creator_is_admin",
    "subscribed",
    "saved",
    "creator_blocked",
}


@dataclass
class Member:
    name: str
    api: Api
    id: int


def _member(server: Server) -> Member:
    name = unique("note")
    api = register(server, name, PASSWORD)
    me = api.ok("GET", "/site")["my_user"]["local_user_view"]["person"]["id"]
    return Member(name, api, int(me))


@pytest.fixture
def thread(server: Server) -> tuple[Member, Member, Member, int]:
    """Three members and a post by the first, in a fresh community."""
    ann, bob, cid = _member(server), _member(server), _member(server)
    community = ann.api.ok("POST", "/community", {"name": unique("notes"), "title": "Notes"})
    community_id = community["community_view"]["community"]["id"]
    post = ann.api.ok("POST", "/post", {"name": "A post", "community_id": community_id})
    return ann, bob, cid, int(post["post_view"]["post"]["id"])


def _comment(who: Member, post_id: int, text: str, parent: int | None = None) -> int:
    body: dict[str, Any] = {"post_id": post_id, "content": text}
    if parent is not None:
        body["parent_id"] = parent
    return int(who.api.ok("POST", "/comment", body)["comment_view"]["comment"]["id"])


def _replies(who: Member, **params: Any) -> list[dict[str, Any]]:
    return list(who.api.ok("GET", "/user/replies", **params)["replies"])


def _mentions(who: Member, **params: Any) -> list[dict[str, Any]]:
    return list(who.api.ok("GET", "/user/mention", **params)["mentions"])


def _unread(who: Member) -> dict[str, int]:
    return who.api.ok("GET", "/user/unread_count")


def test_replies_reach_the_author_answered(server: Server, thread: Any) -> None:
    ann, bob, cid, post_id = thread
    top = _comment(bob, post_id, "First!")
    answer = _comment(cid, post_id, "Second, under Bob", parent=top)
    _comment(ann, post_id, "Ann on her own post")  # no notice to oneself

    to_ann = _replies(ann)
    assert [r["comment"]["id"] for r in to_ann] == [top]
    view = to_ann[0]
    assert set(view) >= VIEW_KEYS and set(view["comment_reply"]) == {
        "id",
        "recipient_id",
        "comment_id",
        "read",
        "published",
    }
    assert view["recipient"]["id"] == ann.id and view["creator"]["id"] == bob.id
    assert view["comment_reply"]["read"] is False and view["post"]["id"] == post_id
    assert [r["comment"]["id"] for r in _replies(bob)] == [answer]
    assert _replies(cid) == []
    assert _unread(ann)["replies"] == 1 and _unread(bob)["replies"] == 1

    # pythorhead reads the same list.
    lemmy = Lemmy(server.url, raise_exceptions=True, request_timeout=30)
    assert lemmy.log_in(bob.name, PASSWORD)
    read_by_bot = lemmy.comment.get_replies(unread_only=True, page=1)
    assert read_by_bot is not None
    assert [r["comment"]["id"] for r in read_by_bot["replies"]] == [answer]

    # Marking read: only the recipient may; an unknown id is Lemmy's not-found error.
    reply_id = view["comment_reply"]["id"]
    body = {"comment_reply_id": reply_id, "read": True}
    assert bob.api.error("POST", "/comment/mark_as_read", body)[1] == E.COULDNT_UPDATE_COMMENT
    missing = {"comment_reply_id": 2**31 - 1, "read": True}
    assert ann.api.error("POST", "/comment/mark_as_read", missing)[1] == (
        E.COULDNT_FIND_COMMENT_REPLY
    )
    marked = ann.api.ok("POST", "/comment/mark_as_read", body)["comment_reply_view"]
    assert marked["comment_reply"]["read"] is True and marked["comment"]["id"] == top
    assert _unread(ann)["replies"] == 0
    assert _replies(ann, unread_only=True) == [] and len(_replies(ann)) == 1
    ann.api.ok("POST", "/comment/mark_as_read", {"comment_reply_id": reply_id, "read": False})
    assert _unread(ann)["replies"] == 1


def test_mentions_by_name_and_host(server: Server, thread: Any) -> None:
    ann, bob, cid, post_id = thread
    host = server.hostname
    text = f"Asking @{cid.name}@{host} and @{ann.name}@{host}, not {cid.name}@{host}"
    asked = _comment(bob, post_id, text)
    # Cid is mentioned; Ann is mentioned on her own post, so one notice: the mention.
    assert [m["comment"]["id"] for m in _mentions(cid)] == [asked]
    assert [m["comment"]["id"] for m in _mentions(ann)] == [asked]
    assert _replies(ann) == []
    view = _mentions(cid)[0]
    assert set(view) >= VIEW_KEYS and view["person_mention"]["recipient_id"] == cid.id
    assert _unread(cid)["mentions"] == 1

    # No notice for mentioning oneself, another port of this host, or an unknown name.
    _comment(bob, post_id, f"@{bob.name}@{host} @{cid.name}@{host.split(':')[0]}:1 @nobody@{host}")
    assert len(_mentions(cid)) == 1 and _mentions(bob) == []

    # An edit that adds a mention notifies the newly mentioned once.
    quiet = _comment(bob, post_id, "Nobody named yet")
    edited = {"comment_id": quiet, "content": f"Now with @{cid.name}@{host}"}
    bob.api.ok("PUT", "/comment", edited)
    bob.api.ok("PUT", "/comment", {**edited, "content": edited["content"] + " (again)"})
    assert [m["comment"]["id"] for m in _mentions(cid, sort="Old")] == [asked, quiet]
    assert [m["comment"]["id"] for m in _mentions(cid, sort="New")] == [quiet, asked]

    mention_id = view["person_mention"]["id"]
    body = {"person_mention_id": mention_id, "read": True}
    assert ann.api.error("POST", "/user/mention/mark_as_read", body)[1] == (
        E.COULDNT_UPDATE_COMMENT
    )
    marked = cid.api.ok("POST", "/user/mention/mark_as_read", body)["person_mention_view"]
    assert marked["person_mention"]["read"] is True
    assert [m["comment"]["id"] for m in _mentions(cid, unread_only=True)] == [quiet]


def test_blocked_authors_are_not_heard(server: Server, thread: Any) -> None:
    ann, bob, _cid, post_id = thread
    before = _comment(bob, post_id, "Before the block")
    assert _unread(ann)["replies"] == 1
    ann.api.ok("POST", "/user/block", {"person_id": bob.id, "block": True})
    # What Bob wrote before drops out of the list and the count; nothing new arrives.
    assert _replies(ann) == [] and _unread(ann)["replies"] == 0
    _comment(bob, post_id, f"@{ann.name}@{server.hostname} are you there?")
    assert _mentions(ann) == []
    ann.api.ok("POST", "/user/block", {"person_id": bob.id, "block": False})
    assert [r["comment"]["id"] for r in _replies(ann)] == [before]
    assert _mentions(ann) == []  # written while blocked: never noticed


def test_mark_all_as_read_and_paging(server: Server, thread: Any) -> None:
    ann, bob, cid, post_id = thread
    for i in range(3):
        _comment(bob, post_id, f"Reply {i}")
    bob.api.ok("POST", "/private_message", {"recipient_id": ann.id, "content": "psst"})
    _comment(cid, post_id, f"cc @{ann.name}@{server.hostname}")
    assert _unread(ann) == {"replies": 3, "mentions": 1, "private_messages": 1}
    assert len(_replies(ann, limit=2, page=1)) == 2 and len(_replies(ann, limit=2, page=2)) == 1
    assert ann.api.error("GET", "/user/replies", limit=51)[1] == E.COULDNT_GET_COMMENTS
    assert ann.api.error("GET", "/user/mention", page=0)[1] == E.COULDNT_GET_COMMENTS
    assert ann.api.get("/user/replies", sort="Sideways").status_code == 400
    assert Api(server).error("GET", "/user/replies")[1] == E.INCORRECT_LOGIN

    assert ann.api.ok("POST", "/user/mark_all_as_read") == {"replies": []}
    assert _unread(ann) == {"replies": 0, "mentions": 0, "private_messages": 0}
    assert _unread(bob)["replies"] == 0  # nobody else's notices changed


def _settings(who: Member, **changes: Any) -> None:
    who.api.ok("PUT", "/user/save_user_settings", changes)


def test_bots_are_heard_only_by_who_shows_them(server: Server, thread: Any) -> None:
    ann, bob, cid, post_id = thread
    _settings(bob, bot_account=True)
    answer = _comment(bob, post_id, f"Beep, @{cid.name}@{server.hostname}")
    assert [r["comment"]["id"] for r in _replies(ann)] == [answer]
    assert [m["comment"]["id"] for m in _mentions(cid)] == [answer]

    # Hiding bots hides their replies and mentions, from the lists and the counts alike.
    _settings(ann, show_bot_accounts=False)
    _settings(cid, show_bot_accounts=False)
    assert _replies(ann) == [] and _unread(ann)["replies"] == 0
    assert _mentions(cid) == [] and _unread(cid)["mentions"] == 0
    human = _comment(cid, post_id, "Not a bot")
    assert [r["comment"]["id"] for r in _replies(ann)] == [human]

    _settings(ann, show_bot_accounts=True)
    assert {r["comment"]["id"] for r in _replies(ann)} == {answer, human}
    assert _unread(ann)["replies"] == 2


def test_no_reply_notice_from_a_blocked_community_or_instance(server: Server, thread: Any) -> None:
    ann, bob, cid, post_id = thread
    community_id = ann.api.ok("GET", "/post", id=post_id)["post_view"]["community"]["id"]
    block = {"community_id": community_id}
    ann.api.ok("POST", "/community/block", {**block, "block": True})
    _comment(bob, post_id, "Unheard: Ann blocks the community")
    ann.api.ok("POST", "/community/block", {**block, "block": False})
    assert _replies(ann) == []  # never made, not merely hidden
    heard = _comment(bob, post_id, "Heard again")
    assert [r["comment"]["id"] for r in _replies(ann)] == [heard]

    # The community becomes another server's (as federation would leave it); blocking that
    # server silences replies in it, whoever writes them.
    domain = f"{unique('far')}.example"
    server.make_remote(
        f"INSERT INTO instance (domain, published) "
        f"SELECT '{domain}', published FROM instance ORDER BY id LIMIT 1",
        f"UPDATE community SET local = false, inbox_url = 'https://{domain}/inbox', "
        f"instance_id = (SELECT id FROM instance WHERE domain = '{domain}') "
        f"WHERE id = {community_id}",
    )
    far = ann.api.ok("GET", "/community", id=community_id)["community_view"]["community"]
    ann.api.ok("POST", "/site/block", {"instance_id": far["instance_id"], "block": True})
    _comment(cid, post_id, "Unheard: Ann blocks the instance")
    ann.api.ok("POST", "/site/block", {"instance_id": far["instance_id"], "block": False})
    assert [r["comment"]["id"] for r in _replies(ann)] == [heard]
    again = _comment(cid, post_id, "Heard once more")
    assert [r["comment"]["id"] for r in _replies(ann, sort="Old")] == [heard, again]
