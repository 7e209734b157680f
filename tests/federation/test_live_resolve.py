"""resolve_object as Lemmy 0.19 (issue 10, item 7): an instance's own URL of a copy it holds
(`/post/ID`, `/comment/ID`) resolves to the object, there and elsewhere (where it answers
with a redirect to the real id); what was deleted or removed is `couldnt_find_object`."""

from __future__ import annotations

from tests.conftest import Api, unique
from tests.federation.conftest import Cluster, resolve


def _missing(api: Api, query: str) -> None:
    response = api.get("/resolve_object", q=query)
    assert response.status_code != 200, response.text
    assert response.json()["error"] == "couldnt_find_object", response.text


def test_local_urls_of_remote_objects_resolve_to_them(cluster: Cluster) -> None:
    beta = cluster.beta
    name = unique("resolv")
    made = beta.admin.ok("POST", "/community", {"name": name, "title": "Resolved"})
    community_id = made["community_view"]["community"]["id"]
    post = beta.admin.ok("POST", "/post", {"name": "Home on beta", "community_id": community_id})
    post_ap = post["post_view"]["post"]["ap_id"]
    comment = beta.admin.ok(
        "POST", "/comment", {"post_id": post["post_view"]["post"]["id"], "content": "Reply"}
    )
    comment_ap = comment["comment_view"]["comment"]["ap_id"]

    on_alpha = cluster.alpha.member()
    alpha_post = resolve(on_alpha, post_ap)["post"]["post"]
    alpha_comment = resolve(on_alpha, comment_ap)["comment"]["comment"]
    post_here = f"http://{cluster.alpha.host}/post/{alpha_post['id']}"
    comment_here = f"http://{cluster.alpha.host}/comment/{alpha_comment['id']}/"
    assert post_here != post_ap

    # On alpha: its own page of beta's post is that post.
    assert resolve(on_alpha, post_here)["post"]["post"]["ap_id"] == post_ap
    assert resolve(on_alpha, comment_here)["comment"]["comment"]["ap_id"] == comment_ap
    # On gamma, which has never seen them: alpha's URL redirects to the real id.
    on_gamma = cluster.gamma.member()
    found = resolve(on_gamma, post_here)["post"]["post"]
    assert found["ap_id"] == post_ap
    assert found["name"] == "Home on beta"
    assert resolve(on_gamma, comment_here.rstrip("/"))["comment"]["comment"]["ap_id"] == comment_ap


def test_deleted_and_removed_objects_are_not_found(cluster: Cluster) -> None:
    # SQLite (alpha): a post its author deleted, at its URL and at its page.
    alpha = cluster.alpha
    author = alpha.member()
    community = alpha.admin.ok("POST", "/community", {"name": unique("gone"), "title": "Gone"})
    community_id = community["community_view"]["community"]["id"]
    made = author.ok("POST", "/post", {"name": "Soon deleted", "community_id": community_id})
    post_id = made["post_view"]["post"]["id"]
    ap_id = made["post_view"]["post"]["ap_id"]
    assert resolve(author, ap_id)["post"]["post"]["id"] == post_id
    author.ok("POST", "/post/delete", {"post_id": post_id, "deleted": True})
    _missing(author, ap_id)
    _missing(author, f"http://{alpha.host}/post/{post_id}")

    # PostgreSQL (beta): a comment a moderator removed.
    beta = cluster.beta
    community = beta.admin.ok("POST", "/community", {"name": unique("gone"), "title": "Gone"})
    community_id = community["community_view"]["community"]["id"]
    post = beta.admin.ok("POST", "/post", {"name": "Stays", "community_id": community_id})
    writer = beta.member()
    comment = writer.ok(
        "POST", "/comment", {"post_id": post["post_view"]["post"]["id"], "content": "Removed"}
    )["comment_view"]["comment"]
    assert resolve(writer, comment["ap_id"])["comment"]["comment"]["id"] == comment["id"]
    beta.admin.ok("POST", "/comment/remove", {"comment_id": comment["id"], "removed": True})
    _missing(writer, comment["ap_id"])
