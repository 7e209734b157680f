"""Notification settings meet federation: a member of moot-beta follows the posts and
comments of a community on beta; a post and a comment written on moot-alpha arrive by
ActivityPub and tell that member, as local ones do (both go through the same actions)."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api, unique
from tests.federation.conftest import Cluster, follow, wait_for


def _v4(api: Api, method: str, path: str, **kwargs: Any) -> Any:
    answer = api.http.request(method, f"{api.server.url}/api/v4{path}", **kwargs)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _told(api: Api) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = _v4(
        api, "GET", "/account/notification/list", params={"type_": "subscribed"}
    )["items"]
    return items


def test_remote_posts_and_comments_reach_subscribers(cluster: Cluster) -> None:
    alpha, beta = cluster.alpha, cluster.beta
    name = unique("bell")
    on_beta = int(
        beta.admin.ok("POST", "/community", {"name": name, "title": "Bells"})["community_view"][
            "community"
        ]["id"]
    )
    listener = beta.member()
    _v4(
        listener,
        "PUT",
        "/community/notifications",
        json={"community_id": on_beta, "mode": "all_posts_and_comments"},
    )
    writer = alpha.member()
    on_alpha = follow(writer, beta.host, name)
    post = writer.ok("POST", "/post", {"name": "Rung from alpha", "community_id": on_alpha})[
        "post_view"
    ]["post"]
    told = wait_for(
        lambda: [i for i in _told(listener) if i["data"]["type_"] == "post"] or None,
        "the remote post's notice on beta",
    )
    assert told[0]["data"]["post"]["ap_id"] == post["ap_id"]
    assert told[0]["data"]["post"]["local"] is False

    comment = writer.ok("POST", "/comment", {"post_id": post["id"], "content": "and again"})[
        "comment_view"
    ]["comment"]
    told = wait_for(
        lambda: [i for i in _told(listener) if i["data"]["type_"] == "comment"] or None,
        "the remote comment's notice on beta",
    )
    assert [i["data"]["comment"]["ap_id"] for i in told] == [comment["ap_id"]]
