"""The communities a reader may list: the one query behind the API's `/community/list`, the
community half of its `/search` and the web's communities page.

No index serves the sorts: even a large instance knows a few tens of thousands of
communities, so the sort is a scan of one small table that stops after the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.listings import blocked_instances, community_order, follows_of
from moot.db.search import contains

c = m.community.c
cf = m.community_follower.c

# Never read by a listing, and a few kilobytes a row.
_KEYS = ("private_key", "public_key")
_SHOWN = [column for column in m.community.c if column.name not in _KEYS]


@dataclass(frozen=True)
class CommunityFilter:
    listing_type: str = "All"  # All, Local, Subscribed, ModeratorView
    sort: str = "TopAll"  # a post sort; moot/db/listings.py says which column it orders by
    viewer_id: int | None = None
    show_nsfw: bool = False
    words: str | None = None  # in the name or title (Lemmy's fuzzy search)
    # An admin's search, as Lemmy's: removed, deleted and hidden communities too.
    everything: bool = False


def _moderated(person_id: int) -> sa.Select[tuple[int]]:
    t = m.community_moderator
    return sa.select(t.c.community_id).where(t.c.person_id == person_id)


def _blocked(person_id: int) -> sa.Select[tuple[int]]:
    t = m.community_block
    return sa.select(t.c.community_id).where(t.c.person_id == person_id)


def _where(f: CommunityFilter) -> list[sa.ColumnElement[bool]]:
    where: list[sa.ColumnElement[bool]] = []
    if f.words is not None:
        where.append(sa.or_(contains(c.name, f.words), contains(c.title, f.words)))
    if f.listing_type == "Local":
        where.append(c.local)
    if not f.everything:
        where += [~c.deleted, ~c.removed]
    if not f.show_nsfw:
        where.append(~c.nsfw)
    me = f.viewer_id
    if me is None:
        # Nothing followed or moderated: Subscribed and ModeratorView list all, as Lemmy.
        return where if f.everything else [*where, ~c.hidden]
    if f.listing_type == "Subscribed":
        where.append(c.id.in_(follows_of(me)))
    elif f.listing_type == "ModeratorView":
        where.append(c.id.in_(_moderated(me)))
    if not f.everything:
        # A hidden community is listed only to its followers.
        where.append(sa.or_(~c.hidden, c.id.in_(follows_of(me))))
    where += [~c.id.in_(_blocked(me)), ~c.instance_id.in_(blocked_instances(me))]
    return where


async def list_communities(
    conn: Connection,
    f: CommunityFilter,
    *,
    offset: int,
    limit: int,
    with_subscription: bool = False,
) -> list[Row]:
    """The communities `f` lists, `limit` of them after the first `offset`. With
    `with_subscription`, each row also says in `subscribed` whether the viewer follows it
    (Lemmy's words: Subscribed, Pending, NotSubscribed), read in the same statement."""
    columns: list[Any] = list(_SHOWN)
    query = sa.select(*columns)
    if with_subscription and f.viewer_id is not None:
        follow = m.community_follower
        query = sa.select(
            *columns,
            sa.case(
                (cf.id.is_(None), "NotSubscribed"),
                (sa.or_(cf.pending, cf.approval_required), "Pending"),
                else_="Subscribed",
            ).label("subscribed"),
        ).select_from(
            m.community.outerjoin(
                follow, sa.and_(cf.community_id == c.id, cf.person_id == f.viewer_id)
            )
        )
    query = query.where(*_where(f)).order_by(*community_order(f.sort))
    return await conn.fetch_all(query.limit(limit).offset(offset))
