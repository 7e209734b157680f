"""What the server holds after the wave, read twice over: from its database, and through the
API (the admin's count of applications, the public post listing, log-in attempts)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx
import sqlalchemy as sa

from bench.spam.tally import send
from moot.db import models as m
from moot.db.engine import Database

CHECK_ADDRESS_BASE = 200  # 192.0.2.200 and up: the auditor's own addresses
_LOG_INS_PER_ADDRESS = 8  # below the sign-up bucket's 10 per hour


async def database_counts(database_url: str, spam_names: set[str]) -> dict[str, int]:
    """Accounts, applications and posts of the spammers' names, straight from the tables."""
    db = Database(database_url)
    await db.connect(size=2)
    p, lu, ra, post = m.person.c, m.local_user.c, m.registration_application.c, m.post.c
    spam = sa.and_(p.local, p.name.in_(sorted(spam_names)))
    accounts = sa.select(m.person).join(m.local_user, lu.person_id == p.id).where(spam)
    usable = sa.and_(lu.accepted_application, sa.not_(p.banned), sa.not_(p.deleted))
    spam_posts = sa.select(m.post).join(m.person, p.id == post.creator_id).where(spam)

    def count(query: sa.Select[Any]) -> sa.Select[Any]:
        return sa.select(sa.func.count()).select_from(query.subquery())

    try:
        async with db.connection() as conn:
            out = {
                "spam accounts": await conn.scalar(count(accounts)),
                "spam accounts that can log in": await conn.scalar(count(accounts.where(usable))),
                "spam accounts banned": await conn.scalar(count(accounts.where(p.banned))),
                "pending applications (all)": await conn.scalar(
                    count(sa.select(m.registration_application).where(ra.admin_id.is_(None)))
                ),
                "pending applications of spam accounts": await conn.scalar(
                    count(
                        sa.select(m.registration_application)
                        .join(m.local_user, lu.id == ra.local_user_id)
                        .join(m.person, p.id == lu.person_id)
                        .where(spam, ra.admin_id.is_(None))
                    )
                ),
                "spam posts": await conn.scalar(count(spam_posts)),
                "spam posts not removed": await conn.scalar(
                    count(spam_posts.where(sa.not_(post.removed), sa.not_(post.deleted)))
                ),
            }
    finally:
        await db.close()
    return {name: int(value) for name, value in out.items()}


async def spam_in_listing(client: httpx.AsyncClient, spam_names: set[str]) -> dict[str, int]:
    """Walks the public New listing to its end; counts the posts by spammers' names."""
    seen, spam, cursor = 0, 0, None
    while True:
        params: dict[str, Any] = {"type_": "All", "sort": "New", "limit": 50}
        if cursor is not None:
            params["page_cursor"] = cursor
        outcome = await send(client, "GET", "/post/list", _address(0), params=params)
        if not outcome.ok:
            raise RuntimeError(f"post/list while auditing: {outcome.label}")
        posts = outcome.body["posts"]
        seen += len(posts)
        spam += sum(1 for view in posts if view["creator"]["name"] in spam_names)
        cursor = outcome.body.get("next_page")
        if cursor is None or not posts:
            return {"posts listed": seen, "spam posts listed": spam}


async def try_log_ins(
    client: httpx.AsyncClient, accounts: list[tuple[str, str]], start: int
) -> Counter[str]:
    """Log-in attempts with the accounts' real passwords; the answers, by outcome.

    Log-ins share the sign-up rate limit, so the auditor moves to a new address every few."""
    answers: Counter[str] = Counter()
    for i, (name, password) in enumerate(accounts):
        form = {"username_or_email": name, "password": password}
        address = _address(1 + (start + i) // _LOG_INS_PER_ADDRESS)
        answers[(await send(client, "POST", "/user/login", address, json=form)).label] += 1
    return answers


def _address(index: int) -> str:
    return f"192.0.2.{CHECK_ADDRESS_BASE + index}"
