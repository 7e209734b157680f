"""The admins' federation page on a live sender while its receiver is down: what waits for
the receiver piles up on moot-alpha's /admin/federation, with a lag and failures, and drains
to nothing once moot-gamma is back."""

from __future__ import annotations

import html
import re

import httpx

from tests.conftest import unique
from tests.federation.conftest import Cluster, Peer, follow, wait_for

COLUMNS = ["software", "state", "waiting", "lag", "last delivered", "failures", "next retry"]


def _delivery_row(sender: Peer, domain: str) -> dict[str, str]:
    """The cells of `domain`'s row on the sender's page, as an admin's browser gets it."""
    token = sender.admin.http.headers["Authorization"].split()[1]
    page = httpx.get(
        f"{sender.server.url}/admin/federation",
        cookies={"jwt": token},
        headers={"Accept": "text/html"},
        timeout=10,
    )
    assert page.status_code == 200, page.text[:500]
    row = re.search(rf'<th scope="row">{re.escape(domain)}</th>(.*?)</tr>', page.text, re.S)
    assert row is not None, f"no row for {domain}"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    words = [" ".join(html.unescape(re.sub(r"<[^>]+>", "", c)).split()) for c in cells]
    return dict(zip(COLUMNS, words, strict=True))


def test_waiting_activities_pile_up_while_the_receiver_is_down(cluster: Cluster) -> None:
    alpha, gamma = cluster.alpha, cluster.gamma
    name = unique("lag")
    made = alpha.admin.ok("POST", "/community", {"name": name, "title": name.title()})
    on_alpha = int(made["community_view"]["community"]["id"])
    g_user = gamma.member()
    on_gamma = follow(g_user, alpha.host, name)
    wait_for(lambda: _delivery_row(alpha, "moot-gamma")["waiting"] == "0", "alpha caught up")

    assert gamma.server.process is not None
    gamma.server.stop()
    try:
        titles = [f"While gamma sleeps {i}" for i in range(3)]
        for title in titles:
            alpha.admin.ok("POST", "/post", {"name": title, "community_id": on_alpha})

        def piled_up() -> dict[str, str] | None:
            row = _delivery_row(alpha, "moot-gamma")
            return row if row["state"] == "failing" and int(row["waiting"]) >= 3 else None

        down = wait_for(piled_up, "the posts waiting for gamma")
        assert down["lag"] not in ("none", "not measured")
        assert int(down["failures"]) > 0
        # The JSON API reads the same state.
        listed = alpha.admin.ok("GET", "/federated_instances")["federated_instances"]["linked"]
        state = next(i for i in listed if i["domain"] == "moot-gamma")["federation_state"]
        assert state["fail_count"] > 0
    finally:
        gamma.server.start()

    wait_for(lambda: _delivery_row(alpha, "moot-gamma")["waiting"] == "0", "the queue drained")
    after = _delivery_row(alpha, "moot-gamma")
    assert after["lag"] == "none" and after["last delivered"].startswith("activity ")
    wait_for(
        lambda: (
            {
                p["post"]["name"]
                for p in g_user.ok(
                    "GET", "/post/list", community_id=on_gamma, sort="New", type_="All"
                )["posts"]
            }
            >= set(titles)
        ),
        "the posts on gamma",
    )
