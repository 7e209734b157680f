"""Remote people and communities are named with their host in the web interface (issue 10,
item 11), as lemmy-ui names them: `carol@host:port`, `!walks@host:port`; local ones by
their bare name. Read from alpha's pages (SQLite) and beta's (PostgreSQL) as served."""

from __future__ import annotations

import httpx
from bs4 import BeautifulSoup

from tests.conftest import register, unique
from tests.federation.conftest import Cluster, Peer, follow, wait_for
from tests.federation.test_live import _comment_on, _posts


def _page(peer: Peer, path: str) -> BeautifulSoup:
    response = httpx.get(f"{peer.server.url}{path}", timeout=30)
    assert response.status_code == 200, f"{path}: {response.status_code}"
    return BeautifulSoup(response.text, "html.parser")


def _texts(soup: BeautifulSoup, selector: str) -> list[str]:
    return [" ".join(tag.get_text(" ").split()) for tag in soup.select(selector)]


def test_remote_people_and_communities_carry_their_host(cluster: Cluster) -> None:
    alpha, beta = cluster.alpha, cluster.beta
    name = unique("walks")
    made = beta.admin.ok("POST", "/community", {"name": name, "title": "Walks"})
    carol_name, local_name = unique("carol"), unique("lee")
    author = register(beta.server, carol_name)
    post = author.ok(
        "POST",
        "/post",
        {"name": "Along the river", "community_id": made["community_view"]["community"]["id"]},
    )["post_view"]["post"]

    reader = alpha.member()
    community_id = follow(reader, beta.host, name)
    alpha_post = wait_for(lambda: _posts(reader, community_id).get(post["ap_id"]), "the post")
    local = register(alpha.server, local_name)
    reply = local.ok("POST", "/comment", {"post_id": alpha_post["post"]["id"], "content": "Nice"})
    _comment_on(author, post["id"], reply["comment_view"]["comment"]["ap_id"])

    carol = f"{carol_name}@{beta.host}"
    walks = f"!{name}@{beta.host}"
    here = _page(alpha, f"/c/{name}@{beta.host}")
    assert _texts(here, ".sidebar .handle") == [walks]
    assert carol in _texts(here, "article.card .who")
    page = _page(alpha, f"/post/{alpha_post['post']['id']}")
    assert carol in _texts(page, ".who")
    assert f"Walks ({walks})" in _texts(page, "a[href^='/c/']")
    # A local person is named without a host.
    assert local_name in _texts(page, ".who")
    profile = _page(alpha, f"/u/{carol}")
    assert _texts(profile, ".profile .handle") == [f"@{carol}"]
    assert f"Walks ({walks})" in _texts(profile, "a[href^='/c/']")

    # On beta, its own people are bare names and alpha's carry alpha's host.
    there = _page(beta, f"/post/{post['id']}")
    assert carol_name in _texts(there, ".who")
    assert f"{local_name}@{alpha.host}" in _texts(there, ".who")
    assert "Walks" in _texts(there, "a[href^='/c/']")
