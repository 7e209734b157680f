"""Private communities (Lemmy 1.0): their posts and comments are read only by approved
followers, the community's moderators and the site's admins.

`content_readable` is a condition on the `community` table joined in a listing's own
statement, so the rule costs no statement of its own: for an anonymous reader it is a
column comparison; for a member it adds three small indexed subqueries (their follows,
their moderated communities, whether they are an admin), checked only on the rows of
private communities.
"""

from __future__ import annotations

import sqlalchemy as sa

from moot.db import models as m
from moot.db.engine import Connection

PRIVATE = "Private"

# A person: an id, a statement's parameter, or a column (a notice's recipient).
Who = int | sa.BindParameter[int] | sa.ColumnElement[int]


def approved_follows_of(person_id: Who) -> sa.Select[tuple[int]]:
    """The communities a person follows with the follow accepted (not awaiting approval)."""
    t = m.community_follower
    # Correlated explicitly: `person_id` may be a column of a statement two levels out.
    return (
        sa.select(t.c.community_id)
        .where(t.c.person_id == person_id, ~t.c.approval_required)
        .correlate_except(t)
    )


def content_readable(person_id: Who | None) -> sa.ColumnElement[bool]:
    """Whether the joined community's content is readable by the person (None: anonymous)."""
    c = m.community.c
    open_to_all = c.visibility != PRIVATE
    if person_id is None:
        return open_to_all
    mod, lu = m.community_moderator, m.local_user
    moderated = sa.select(mod.c.community_id).where(mod.c.person_id == person_id)
    return sa.or_(
        open_to_all,
        c.id.in_(approved_follows_of(person_id)),
        c.id.in_(moderated.correlate_except(mod)),
        sa.exists().where(lu.c.person_id == person_id, lu.c.admin).correlate_except(lu),
    )


async def readable(conn: Connection, community_id: int, person_id: int | None) -> bool:
    """`content_readable` of one community, as its own statement (for a page that opens one
    post or comment)."""
    c = m.community.c
    found = await conn.scalar(
        sa.select(sa.func.count())
        .select_from(m.community)
        .where(c.id == community_id, content_readable(person_id))
    )
    return bool(found)


async def followed_from(conn: Connection, community_id: int, domain: str) -> bool:
    """Whether a person of the instance at `domain` follows the community, approved."""
    f, p, i = m.community_follower, m.person, m.instance
    found = await conn.scalar(
        sa.select(sa.func.count())
        .select_from(f.join(p, p.c.id == f.c.person_id).join(i, i.c.id == p.c.instance_id))
        .where(f.c.community_id == community_id, ~f.c.approval_required, i.c.domain == domain)
    )
    return bool(found)
