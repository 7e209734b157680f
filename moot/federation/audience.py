"""Who a local person's activity in a community goes to, read in one statement — or as
columns of a statement the action runs anyway (a vote reads them with the post it locks:
`audience_columns`), so that sending costs the outbox's insert and nothing more.

The columns: this instance's origin, whether the community has followers on other
instances (they get the community's Announce), and the remote inboxes of the persons
addressed and (`to_followers`) of the actor's own followers, as one string.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from moot.db import models as m
from moot.db import queries
from moot.db.engine import Connection, Row
from moot.federation.outbox import inbox_of

# Inbox URLs hold no line break, so one joins them in the aggregate.
_SEPARATOR = "\n"


class _lines(FunctionElement[str]):
    """`aggregate_strings(x, "\n")` with the separator written in the SQL, not a value
    rendered when the statement runs: a statement built once (moot/db/prepared.py) keeps
    its text, and SQLAlchemy's `aggregate_strings` renders its separator late."""

    type = sa.String()
    name = "lines"
    inherit_cache = True


@compiles(_lines, "postgresql")
def _lines_postgresql(element: _lines, compiler: SQLCompiler, **kw: Any) -> str:
    return f"string_agg({compiler.process(element.clauses, **kw)}, chr(10))"


@compiles(_lines, "sqlite")
def _lines_sqlite(element: _lines, compiler: SQLCompiler, **kw: Any) -> str:
    return f"group_concat({compiler.process(element.clauses, **kw)}, char(10))"


@dataclass(frozen=True)
class Audience:
    origin: str
    followed: bool  # the community has remote followers
    inboxes: list[str]  # remote persons' inboxes (shared where they have one)


def remote_followers(community_id: int | sa.ColumnElement[int]) -> sa.Exists:
    # An alias: a statement reading the audience may have person in its FROM, which this
    # subquery must not correlate to.
    # A follow of a private community awaiting approval receives nothing (Lemmy 1.0).
    f, p = m.community_follower, m.person.alias("follower")
    return sa.exists().where(
        f.c.community_id == community_id,
        p.c.id == f.c.person_id,
        ~p.c.local,
        ~f.c.approval_required,
    )


def audience_columns(
    actor_id: int | sa.ColumnElement[int],
    community_id: int | sa.ColumnElement[int],
    also_to: Sequence[int | sa.ColumnElement[int]] = (),
    to_followers: bool = False,
) -> list[Any]:
    """The audience as three labelled columns (`audience_of` reads them back). `also_to`
    may name a column of the statement (a top-level comment's post creator); `actor_id`
    may be a parameter (a statement built once: `votes._TARGET`)."""
    p, pf = m.person.alias("addressed"), m.person_follower
    reached: list[sa.ColumnElement[bool]] = []
    if also_to:
        ids = sorted({i for i in also_to if isinstance(i, int)})
        columns = [i for i in also_to if not isinstance(i, int)]
        reached.append(p.c.id.in_([*ids, *columns]))
    if to_followers:
        followers = sa.select(pf.c.follower_id).where(pf.c.person_id == actor_id)
        reached.append(sa.and_(p.c.id.in_(followers), ~p.c.deleted))
    # Its shared inbox if it has one (`outbox.inbox_of`).
    inbox = sa.func.coalesce(sa.func.nullif(p.c.shared_inbox_url, ""), p.c.inbox_url)
    inboxes = (
        sa.select(_lines(inbox))
        .where(~p.c.local, p.c.inbox_url.is_not(None), sa.or_(*reached))
        .scalar_subquery()
        if reached
        else sa.null()
    )
    return [
        queries.local_origin_query().scalar_subquery().label("audience_origin"),
        remote_followers(community_id).label("audience_followed"),
        inboxes.label("audience_inboxes"),
    ]


def audience_of(row: Row) -> Audience:
    joined = row["audience_inboxes"]
    return Audience(
        str(row["audience_origin"]).rstrip("/"),
        bool(row["audience_followed"]),
        joined.split(_SEPARATOR) if joined else [],
    )


def addressing(audience: Audience, persons: Sequence[Row]) -> Audience:
    """`audience` with the inboxes of `persons` (rows with their inbox columns) who live
    on other instances, as if `audience_columns` had named them in `also_to`."""
    more = [inbox_of(p) for p in persons if not p["local"] and p["inbox_url"] is not None]
    return replace(audience, inboxes=[*audience.inboxes, *more])


async def audience(
    conn: Connection,
    actor_id: int,
    community_id: int,
    also_to: Sequence[int],
    to_followers: bool,
) -> Audience:
    row = await conn.fetch_one(
        sa.select(*audience_columns(actor_id, community_id, also_to, to_followers))
    )
    assert row is not None
    return audience_of(row)
