"""Community post tags between live moot instances, as Lemmy 1.0 federates them (issue 15,
must show 3): a community on beta followed from alpha; its moderator's tags reach alpha's
copy with the Group (created, edited, deleted), a post tagged on beta arrives tagged on
alpha (and filters alpha's listing by tag), and a moderator's edit of its tags and NSFW
flag (an Update of the Page by the moderator) arrives too. Read through API v4 on both."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api, unique
from tests.federation.conftest import Cluster, follow, wait_for


def v4(api: Api, method: str, path: str, body: dict[str, Any] | None = None, **params: Any) -> Any:
    url = f"{api.server.url}/api/v4{path}"
    response = api.http.request(method, url, json=body, params=params or None)
    assert response.status_code == 200, f"{method} {path}: {response.status_code} {response.text}"
    return response.json()


def _tags(view: dict[str, Any]) -> list[tuple[str, str | None, str]]:
    return [(t["name"], t.get("display_name"), t["color"]) for t in view["tags"]]


@pytest.fixture(scope="module")
def stage(cluster: Cluster) -> dict[str, Any]:
    beta = cluster.beta
    name = unique("tagf")
    made = beta.admin.ok("POST", "/community", {"name": name, "title": "Tagged"})
    reader = cluster.alpha.member()
    return {
        "beta_id": int(made["community_view"]["community"]["id"]),
        "alpha_id": follow(reader, beta.host, name),
        "reader": reader,
        "author": beta.member(),
    }


def _alpha_community_tags(stage: dict[str, Any]) -> list[tuple[str, str | None, str]]:
    view = v4(stage["reader"], "GET", "/community", id=stage["alpha_id"])["community_view"]
    return _tags(view)


def _alpha_post(stage: dict[str, Any], ap_id: str) -> dict[str, Any] | None:
    page = v4(
        stage["reader"],
        "GET",
        "/post/list",
        community_id=stage["alpha_id"],
        sort="new",
        show_nsfw="true",
    )
    return next((p for p in page["items"] if p["post"]["ap_id"] == ap_id), None)


def test_tags_reach_the_followers_copy(cluster: Cluster, stage: dict[str, Any]) -> None:
    mod = cluster.beta.admin
    news = v4(
        mod,
        "POST",
        "/community/tag",
        {
            "community_id": stage["beta_id"],
            "name": "news",
            "display_name": "News",
            "color": "color04",
        },
    )
    v4(mod, "POST", "/community/tag", {"community_id": stage["beta_id"], "name": "meta"})
    want = [("news", "News", "color04"), ("meta", None, "color01")]
    wait_for(lambda: _alpha_community_tags(stage) == want, "beta's tags on alpha")
    v4(mod, "PUT", "/community/tag", {"tag_id": news["id"], "display_name": "Headlines"})
    want = [("news", "Headlines", "color04"), ("meta", None, "color01")]
    wait_for(lambda: _alpha_community_tags(stage) == want, "the edited tag on alpha")


def test_a_tagged_post_arrives_tagged(cluster: Cluster, stage: dict[str, Any]) -> None:
    beta_tags = v4(stage["author"], "GET", "/community", id=stage["beta_id"])["community_view"]
    ids = {t["name"]: t["id"] for t in beta_tags["tags"]}
    made = v4(
        stage["author"],
        "POST",
        "/post",
        {"name": "Tagged on beta", "community_id": stage["beta_id"], "tags": [ids["news"]]},
    )
    ap_id = made["post_view"]["post"]["ap_id"]
    found = wait_for(
        lambda: (
            (p := _alpha_post(stage, ap_id)) and [t["name"] for t in p["tags"]] == ["news"] and p
        ),
        "the tagged post on alpha",
    )
    alpha_news = found["tags"][0]["id"]
    assert found["tags"][0]["ap_id"] == next(
        t["ap_id"] for t in beta_tags["tags"] if t["name"] == "news"
    )
    listed = v4(
        stage["reader"], "GET", "/post/list", community_id=stage["alpha_id"], tag_id=alpha_news
    )
    assert [p["post"]["ap_id"] for p in listed["items"]] == [ap_id]

    # The author retags; then beta's moderator changes tags and NSFW (ModEditPost).
    v4(
        stage["author"],
        "PUT",
        "/post",
        {"post_id": made["post_view"]["post"]["id"], "tags": [ids["news"], ids["meta"]]},
    )
    wait_for(
        lambda: (
            (p := _alpha_post(stage, ap_id))
            and sorted(t["name"] for t in p["tags"]) == ["meta", "news"]
        ),
        "the author's new tags on alpha",
    )
    v4(
        cluster.beta.admin,
        "PUT",
        "/post/mod_edit",
        {"post_id": made["post_view"]["post"]["id"], "tags": [ids["meta"]], "nsfw": True},
    )
    wait_for(
        lambda: (
            (p := _alpha_post(stage, ap_id))
            and [t["name"] for t in p["tags"]] == ["meta"]
            and p["post"]["nsfw"]
        ),
        "the moderator's edit on alpha",
    )

    # A tag deleted on beta leaves alpha's community and post.
    v4(cluster.beta.admin, "DELETE", "/community/tag", {"tag_id": ids["meta"], "delete": True})
    wait_for(
        lambda: [name for name, _, _ in _alpha_community_tags(stage)] == ["news"],
        "the deleted tag gone from alpha's community",
    )
    post = _alpha_post(stage, ap_id)
    assert post is not None and post["tags"] == []
