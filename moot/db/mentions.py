"""Whom a text mentions, among the persons this instance knows (notices go to the local
ones; outgoing Notes tag and address every one)."""

from __future__ import annotations

import sqlalchemy as sa

from moot.db import models as m
from moot.db import queries
from moot.db.engine import Connection, Row
from moot.federation import urls
from moot.text.mentions import Mention, mentions_in


async def local_host(conn: Connection) -> str:
    """This instance's host as people write it in a mention (with any port)."""
    return urls.written_authority(await queries.local_origin(conn))


async def mentioned_persons(conn: Connection, text: str) -> list[Row]:
    """The persons moot knows that `text` mentions, in the order written: local ones only
    when the host is this instance's exactly (port included, as Lemmy compares), remote
    ones by their domain. One statement reads every candidate (by name, as
    `queries.person_by_name` finds them) with this instance's origin; none when the text
    mentions nobody."""
    mentions = mentions_in(text)
    if not mentions:
        return []
    p, i = m.person, m.instance
    rows = await conn.fetch_all(
        sa.select(
            p,
            i.c.domain.label("mention_domain"),
            queries.local_origin_query().scalar_subquery().label("mention_origin"),
        )
        .outerjoin(i, i.c.id == p.c.instance_id)
        .where(sa.func.lower(p.c.name).in_(sorted({x.name.lower() for x in mentions})))
        .order_by(p.c.id)
    )
    if not rows:
        return []
    here = urls.written_authority(str(rows[0]["mention_origin"]).rstrip("/"))
    found: list[Row] = []
    for mention in mentions:
        row = _match(rows, mention, here)
        if row is None or row["deleted"]:
            continue
        person = {k: v for k, v in row.items() if not k.startswith("mention_")}
        if person not in found:
            found.append(person)
    return found


def _match(rows: list[Row], mention: Mention, here: str) -> Row | None:
    name = mention.name.lower()
    if mention.host == here:
        return next((r for r in rows if r["local"] and str(r["name"]).lower() == name), None)
    if mention.domain == urls.hostname_domain(here):
        return None  # this machine's name with another port: not this instance
    return next(
        (
            r
            for r in rows
            if str(r["name"]).lower() == name and r["mention_domain"] == mention.domain
        ),
        None,
    )
