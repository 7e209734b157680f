"""A member's keyword filters (Lemmy 1.0's `blocking_keywords`): posts whose title, body or
link contains one of them, in any case, are left out of that member's post listings
(moot/db/post_listing.py).

Limits, as Lemmy 1.0 checks them: each keyword is trimmed, then must be 3 to 50 characters
(`block_keyword_too_short`, `block_keyword_too_long`). Lemmy refuses a list of 10,000 or
more with `too_many_items`; moot refuses more than `MAX_KEYWORDS` with the same code,
because every keyword is tested against every post a listing reads for the member.
Keywords that differ only in case are one keyword (the first spelling is kept).

The list is replaced as a whole, in one transaction that first writes the member's
`local_user.keyword_block_count` (the row's lock: two saves of one member run one after
the other, and the last one's list is the list).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from moot import auth
from moot.db import models as m
from moot.db.engine import Connection
from moot.db.types import utcnow
from moot.errors import ApiError, ErrorCode

MIN_LENGTH = 3
MAX_LENGTH = 50
MAX_KEYWORDS = 50

_K = m.local_user_keyword_block


def like_pattern(keyword: str) -> str:
    """The LIKE pattern that finds `keyword` anywhere, its wildcards taken literally
    (escaped with a backslash), lower-cased: a listing compares it case-insensitively."""
    escaped = keyword.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def checked_keywords(keywords: list[str]) -> list[str]:
    """`keywords` trimmed, checked and without repeats (ignoring case), in their order;
    raises the error Lemmy 1.0 names for the first one out of bounds."""
    kept: dict[str, str] = {}
    for raw in keywords:
        keyword = raw.strip()
        if len(keyword) < MIN_LENGTH:
            raise ApiError(ErrorCode.BLOCK_KEYWORD_TOO_SHORT)
        if len(keyword) > MAX_LENGTH:
            raise ApiError(ErrorCode.BLOCK_KEYWORD_TOO_LONG)
        kept.setdefault(keyword.lower(), keyword)
    if len(kept) > MAX_KEYWORDS:
        raise ApiError(ErrorCode.TOO_MANY_ITEMS, f"at most {MAX_KEYWORDS} keywords")
    return list(kept.values())


async def set_keyword_blocks(
    conn: Connection, viewer: auth.Viewer, keywords: list[str]
) -> list[str]:
    """Replace `viewer`'s keyword filters with `keywords` (an empty list removes them all);
    returns the list as kept. Saving the same list again changes nothing."""
    kept = checked_keywords(keywords)
    # First the count: its row lock orders this save after any other of the same member.
    await conn.execute(
        sa.update(m.local_user)
        .where(m.local_user.c.id == viewer.local_user_id)
        .values(keyword_block_count=len(kept))
    )
    await conn.execute(sa.delete(_K).where(_K.c.local_user_id == viewer.local_user_id))
    if kept:
        now = utcnow()
        await conn.execute(
            sa.insert(_K).values(
                [
                    {
                        "local_user_id": viewer.local_user_id,
                        "keyword": keyword,
                        "pattern": like_pattern(keyword),
                        "published": now,
                    }
                    for keyword in kept
                ]
            )
        )
    return kept


async def edit_keyword_blocks(
    conn: Connection, viewer: auth.Viewer, *, add: Sequence[str] = (), remove: Sequence[str] = ()
) -> list[str]:
    """Add and remove single keywords (the web page's buttons): the list as it is when the
    member's row is locked, changed, then saved as `set_keyword_blocks` saves it, so two
    edits at once both count. Removing a keyword that is not there changes nothing."""
    lu = m.local_user
    if conn.dialect_name != "sqlite":  # SQLite has one writer: nothing to order
        await conn.fetch_all(
            sa.select(lu.c.id).where(lu.c.id == viewer.local_user_id).with_for_update()
        )
    gone = {keyword.strip().lower() for keyword in remove}
    kept = [k for k in await keyword_blocks(conn, viewer.local_user_id) if k.lower() not in gone]
    return await set_keyword_blocks(conn, viewer, [*kept, *add])


async def keyword_blocks(conn: Connection, local_user_id: int) -> list[str]:
    """A member's keywords, in the order they were given (MyUserInfo.keyword_blocks)."""
    rows = await conn.fetch_all(
        sa.select(_K.c.keyword).where(_K.c.local_user_id == local_user_id).order_by(_K.c.id)
    )
    return [str(r["keyword"]) for r in rows]
