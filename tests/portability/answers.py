"""The API answers an instance gives each of its members, to compare two instances by."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api
from tests.portability.fill import Filled
from tests.servers import Server


def routes(f: Filled) -> list[tuple[str, Api, str, dict[str, Any]]]:
    """(label, who asks, path, query) for the routes whose answers must survive a copy."""
    return [
        ("site as admin", f.admin, "/site", {}),
        ("site as bob", f.bob, "/site", {}),
        ("posts", f.bob, "/post/list", {"sort": "New", "limit": 50}),
        ("posts hidden shown", f.bob, "/post/list", {"sort": "New", "show_hidden": True}),
        ("post", f.bob, "/post", {"id": f.post_id}),
        ("comments", f.alice, "/comment/list", {"post_id": f.post_id, "sort": "New"}),
        ("comment", f.admin, "/comment", {"id": f.comment_id}),
        ("person", f.alice, "/user", {"person_id": f.bob_id}),
        ("saved", f.bob, "/user", {"person_id": f.bob_id, "saved_only": True}),
        ("community", f.bob, "/community", {"id": f.community_id}),
        ("communities", f.bob, "/community/list", {"type_": "All", "sort": "New"}),
        ("messages alice", f.alice, "/private_message/list", {}),
        ("messages bob", f.bob, "/private_message/list", {}),
        ("post reports", f.alice, "/post/report/list", {}),
        ("comment reports", f.alice, "/comment/report/list", {}),
        ("message reports", f.admin, "/private_message/report/list", {}),
        ("modlog", f.admin, "/modlog", {}),
        ("replies", f.bob, "/user/replies", {"sort": "New"}),
        ("mentions", f.admin, "/user/mention", {"sort": "New"}),
        ("unread", f.bob, "/user/unread_count", {}),
        ("site as alice (her blocks)", f.alice, "/site", {}),
        ("images", f.alice, "/account/list_media", {}),
    ]


def on(api: Api, server: Server) -> Api:
    """The same member (same login token) asking `server`."""
    token = api.http.headers["Authorization"].removeprefix("Bearer ")
    return Api(server, token)


def answers(f: Filled, server: Server) -> dict[str, Any]:
    """Every route's answer from `server`, asked with the members' tokens."""
    return {
        label: on(api, server).ok("GET", path, **query) for label, api, path, query in routes(f)
    }


def differences(a: Any, b: Any, path: str = "") -> list[str]:
    """Where two JSON answers differ, as `path: a != b` lines."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [
            line
            for key in sorted(set(a) | set(b))
            for line in differences(a.get(key, "<absent>"), b.get(key, "<absent>"), f"{path}.{key}")
        ]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [
            line
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for line in differences(x, y, f"{path}[{i}]")
        ]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]
