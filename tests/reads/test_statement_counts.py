"""How many statements each hot read runs, on each backend: a count, not a timing, so a
change that adds a statement to one of these reads fails here and has to change the table
(and say why in its commit). BEGIN and COMMIT are not counted (moot/db/statement_count.py).

Issue 12's goals: `GET /site` ≤ 2, `GET /user` ≤ 5, anonymous post list ≤ 2 round trips,
logged in ≤ 4, the comment tree ≤ 3.
"""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from moot.db import models as m
from moot.db.types import utcnow
from tests.reads.conftest import PASSWORD, Forum

# name → (path, logged in, statements)
READS: dict[str, tuple[str, bool, int]] = {
    # The page and what is around each post (creator, community, flags) in one statement.
    "post list, anonymous": ("/api/v3/post/list?sort=Hot&limit=20", False, 1),
    "post list, logged in": ("/api/v3/post/list?sort=Hot&limit=20", True, 2),
    "post list TopDay (tiers merged), anonymous": (
        "/api/v3/post/list?sort=TopDay&limit=20",
        False,
        1,
    ),
    "post list Subscribed (communities merged), logged in": (
        "/api/v3/post/list?type_=Subscribed&sort=New&limit=20",
        True,
        2,
    ),
    "post list saved only, logged in": (
        "/api/v3/post/list?saved_only=true&limit=20",
        True,
        2,
    ),
    # A deep page: the cursor's post is compared in the listing's own statement.
    "post list by cursor, anonymous": (
        "/api/v3/post/list?sort=New&limit=5&page_cursor={cursor}",
        False,
        1,
    ),
    "post list by cursor, logged in": (
        "/api/v3/post/list?sort=Hot&limit=5&page_cursor={cursor}",
        True,
        2,
    ),
    "comment tree, anonymous": ("/api/v3/comment/list?post_id={post}&max_depth=8", False, 2),
    "comment tree, logged in": ("/api/v3/comment/list?post_id={post}&max_depth=8", True, 3),
    "site, anonymous": ("/api/v3/site", False, 2),
    "site, logged in": ("/api/v3/site", True, 10),
    "user, anonymous": ("/api/v3/user?username={member}", False, 5),
    "user, logged in": ("/api/v3/user?username={member}", True, 6),
    "web front page, anonymous": ("/", False, 1),
    "web front page, logged in": ("/", True, 8),
    "web post page, anonymous": ("/post/{post}", False, 8),
    "web post page, logged in": ("/post/{post}", True, 19),
    # The list and, for a member, their subscriptions in one statement; the other seven are
    # the page frame's (the viewer, and the menu's counts for a moderator).
    "web communities page, anonymous": ("/communities", False, 1),
    "web communities page, logged in": ("/communities", True, 8),
    "web communities search, logged in": ("/communities?q=a&sort=Active&type=Local", True, 8),
}


@pytest.mark.parametrize("name", list(READS))
async def test_statements_per_read(forum: Forum, name: str) -> None:
    template, logged_in, expected = READS[name]
    token = forum.member_token if logged_in else None
    cursor = ""
    if "{cursor}" in template:
        # The first page's own cursor: a page follows it whatever order the ranks put the
        # posts in (a post picked by id may be the viewer's last).
        first = template.split("&page_cursor=")[0]
        cursor = (await forum.statements(first, token=token))[1].json()["next_page"]
    path = template.format(post=forum.post_id, member=forum.member_name, cursor=cursor)
    web = not path.startswith("/api/")
    # Once before counting: what a process keeps between requests is loaded by now.
    await forum.statements(path, token=token, cookie=web)
    seen, _ = await forum.statements(path, token=token, cookie=web)
    listing = "\n".join(f"  {' '.join(sql.split())[:200]}" for sql in seen)
    assert len(seen) == expected, f"{name}: {len(seen)} statements, not {expected}:\n{listing}"


async def test_the_count_is_a_field_of_the_request_log(
    forum: Forum, caplog: pytest.LogCaptureFixture
) -> None:
    await forum.statements("/api/v3/site")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="moot.requests"):
        seen, _ = await forum.statements("/api/v3/site")
    lines = [r.getMessage() for r in caplog.records if r.name == "moot.requests"]
    assert len(lines) == 1
    assert lines[0].startswith("method=GET path=/api/v3/site status=200 ")
    assert lines[0].endswith(f" statements={len(seen)}")


async def test_a_members_own_filters_cost_no_statement(forum: Forum) -> None:
    """Keyword filters and a block of an instance's persons (Lemmy 1.0) are conditions of
    the listing's own statement, known from the viewer's row: the reads above cost a member
    who has them what they cost a new member who has none."""
    tokens = []
    for who in ("plain", "filterer"):
        body = {"username": f"{who}{forum.backend[:2]}", "password": PASSWORD}
        body["password_verify"] = PASSWORD
        tokens.append(str((await forum.api("POST", "/user/register", body))["jwt"]))
    plain, token = tokens
    await forum.api(
        "PUT", "/user/save_user_settings", {"blocking_keywords": ["zqxjv"]}, token=token
    )
    domain = f"far-{forum.backend}.example"
    db = forum.app.state.moot.db
    async with db.transaction() as tx:
        await tx.execute(sa.insert(m.instance).values(domain=domain, published=utcnow()))
    forum.client.cookies.clear()
    await forum.client.get("/login", headers={"Cookie": f"jwt={token}", "Accept": "text/html"})
    csrf = forum.client.cookies.get("csrftoken")
    blocked = await forum.client.post(
        "/settings/block_instance_persons",
        data={"domain": domain, "block": "1", "_csrf_token": csrf},
        headers={"Cookie": f"jwt={token}; csrftoken={csrf}"},
    )
    forum.client.cookies.clear()
    assert blocked.status_code == 303, blocked.text
    for read in ("post list, logged in", "comment tree, logged in", "web front page, logged in"):
        path = READS[read][0].format(post=forum.post_id)
        web = not path.startswith("/api/")
        counts = []
        for who in (plain, token):
            await forum.statements(path, token=who, cookie=web)
            seen, _ = await forum.statements(path, token=who, cookie=web)
            counts.append(len(seen))
        assert counts[0] == counts[1], (read, counts, seen)
        assert any("instance_person_block" in sql for sql in seen), read
        if "comment" not in read:  # keywords filter posts only
            assert any("local_user_keyword_block" in sql for sql in seen), read


async def test_private_messages_in_v4_lists_cost_no_statement_each(forum: Forum) -> None:
    """API v4's notification and report lists show private messages: their senders and
    recipients come in one statement for the page, so more messages cost no more."""
    member = await forum.api("GET", "/user", params={"username": forum.member_name})
    member_id = int(member["person_view"]["person"]["id"])
    path = "/api/v4/account/notification/list?type_=private_message&limit=50"

    async def send(count: int) -> list[int]:
        made = []
        for n in range(count):
            body = {"content": f"note {n}", "recipient_id": member_id}
            sent = await forum.api("POST", "/private_message", body, token=forum.admin_token)
            made.append(int(sent["private_message_view"]["private_message"]["id"]))
        return made

    async def counted(path: str, token: str) -> int:
        await forum.statements(path, token=token)
        seen, response = await forum.statements(path, token=token)
        assert response.status_code == 200, response.text
        return len(seen)

    first = await send(1)
    few = await counted(path, forum.member_token)
    many_sent = await send(4)
    assert await counted(path, forum.member_token) == few
    for message_id in [*first, *many_sent][:2]:
        report = {"private_message_id": message_id, "reason": "spam"}
        await forum.api("POST", "/private_message/report", report, token=forum.member_token)
    reports = "/api/v4/report/list?type_=private_messages&limit=50"
    two = await counted(reports, forum.admin_token)
    for message_id in many_sent[1:]:
        report = {"private_message_id": message_id, "reason": "spam"}
        await forum.api("POST", "/private_message/report", report, token=forum.member_token)
    assert await counted(reports, forum.admin_token) == two
