"""An instance filled through its API with a bit of everything `moot db copy` must carry."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import httpx
from PIL import Image

from tests.conftest import Api, register, unique
from tests.servers import ADMIN_NAME, ADMIN_PASSWORD, Server


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 40, 90)).save(out, "PNG")
    return out.getvalue()


@dataclass
class Filled:
    admin: Api
    alice: Api
    bob: Api
    alice_id: int
    bob_id: int
    community_id: int
    post_id: int
    comment_id: int
    message_id: int
    picture: str


def admin_api(server: Server) -> Api:
    token = Api(server).ok(
        "POST", "/user/login", {"username_or_email": ADMIN_NAME, "password": ADMIN_PASSWORD}
    )["jwt"]
    return Api(server, token)


def open_up(server: Server) -> Api:
    admin = admin_api(server)
    limits = {
        f"rate_limit_{b}": 100000
        for b in ("message", "post", "register", "image", "comment", "search")
    }
    admin.ok(
        "PUT",
        "/site",
        {"registration_mode": "Open", "sidebar": "copied sidebar", **limits},
    )
    return admin


def _me(api: Api) -> int:
    data: dict[str, Any] = api.ok("GET", "/site")
    return int(data["my_user"]["local_user_view"]["person"]["id"])


def fill(server: Server, posts: int = 12) -> Filled:
    """Members, a community, posts, comments, votes, follows, blocks, saved/read/hidden,
    private messages, reports, moderation (modlog), an admin and a picture."""
    admin = open_up(server)
    alice, bob, carol = register(server), register(server), register(server)
    alice_id, bob_id, carol_id = _me(alice), _me(bob), _me(carol)
    name = unique("copied")
    community_id = alice.ok("POST", "/community", {"name": name, "title": "Copied"})[
        "community_view"
    ]["community"]["id"]
    for member in (bob, carol, admin):
        member.ok("POST", "/community/follow", {"community_id": community_id, "follow": True})
    post_ids = [
        alice.ok(
            "POST",
            "/post",
            {"name": f"post {i}", "community_id": community_id, "body": f"body {i} é ✓"},
        )["post_view"]["post"]["id"]
        for i in range(posts)
    ]
    post_id = post_ids[0]
    comment_id = bob.ok("POST", "/comment", {"content": "first!", "post_id": post_id})[
        "comment_view"
    ]["comment"]["id"]
    reply = carol.ok(
        "POST",
        "/comment",
        {"content": f"@{ADMIN_NAME} look", "post_id": post_id, "parent_id": comment_id},
    )["comment_view"]["comment"]["id"]
    # Removed before bob marks the post read: a read mark counting more comments than the
    # post now has makes a negative unread_comments on SQLite and 0 on PostgreSQL (a
    # difference between the backends' read paths, not the copy's).
    alice.ok("POST", "/comment/remove", {"comment_id": reply, "removed": True, "reason": "rude"})
    for i, pid in enumerate(post_ids):
        bob.ok("POST", "/post/like", {"post_id": pid, "score": 1 if i % 3 else -1})
        carol.ok("POST", "/post/like", {"post_id": pid, "score": 1})
    alice.ok("POST", "/comment/like", {"comment_id": comment_id, "score": 1})
    alice.ok("POST", "/comment/like", {"comment_id": reply, "score": -1})
    bob.ok("PUT", "/post/save", {"post_id": post_id, "save": True})
    bob.ok("PUT", "/comment/save", {"comment_id": reply, "save": True})
    bob.ok("POST", "/post/mark_as_read", {"post_ids": post_ids[:3], "read": True})
    bob.ok("POST", "/post/hide", {"post_ids": [post_ids[-1]], "hide": True})
    carol.ok("POST", "/user/block", {"person_id": alice_id, "block": True})
    carol.ok("POST", "/community/block", {"community_id": community_id, "block": True})
    message_id = alice.ok(
        "POST", "/private_message", {"content": "hello bob", "recipient_id": bob_id}
    )["private_message_view"]["private_message"]["id"]
    bob.ok("POST", "/private_message", {"content": "hi alice", "recipient_id": alice_id})
    bob.ok("POST", "/post/report", {"post_id": post_ids[1], "reason": "spam"})
    alice.ok("POST", "/comment/report", {"comment_id": reply, "reason": "rude"})
    bob.ok("POST", "/private_message/report", {"private_message_id": message_id, "reason": "odd"})
    alice.ok(
        "POST",
        "/community/ban_user",
        {"community_id": community_id, "person_id": carol_id, "ban": True, "reason": "rude"},
    )
    alice.ok(
        "POST",
        "/community/mod",
        {"community_id": community_id, "person_id": bob_id, "added": True},
    )
    admin.ok("POST", "/admin/add", {"person_id": bob_id, "added": True})
    picture = upload(server, alice)
    return Filled(
        admin,
        alice,
        bob,
        alice_id,
        bob_id,
        community_id,
        post_id,
        comment_id,
        message_id,
        picture,
    )


def upload(server: Server, api: Api) -> str:
    """A picture uploaded by `api`'s member: its file name under /pictrs/image/."""
    headers = {"Authorization": api.http.headers["Authorization"]}
    uploaded = httpx.post(
        f"{server.url}/pictrs/image",
        headers=headers,
        files={"images[]": ("a.png", png(), "image/png")},
        timeout=30,
    )
    assert uploaded.status_code in (200, 201), uploaded.text
    return str(uploaded.json()["files"][0]["file"])
