"""Whom a text mentions, among the persons this instance knows (notices go to the local
ones; outgoing Notes tag and address every one)."""

from __future__ import annotations

import json
from typing import Any

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
        .where(_named(p, mentions))
        .order_by(p.c.id)
    )
    if not rows:
        return []
    return _picked(mentions, rows, str(rows[0]["mention_origin"]))


# What a mention's person is used for once found: its notice (id), the Note's tag and
# address (actor_id, name) and its inbox; and what finding it compares (local, deleted,
# the instance's domain).
_NAMED_COLUMNS = ("id", "name", "local", "deleted", "actor_id", "inbox_url", "shared_inbox_url")


def mention_columns(dialect: str, text: str) -> list[Any]:
    """`mentioned_persons` as two columns of another statement (an action reads them with
    the rows it locks: `mentioned_in` reads them back), the candidates as one JSON array
    with the columns a mention's person is used for (`_NAMED_COLUMNS`); none when the text
    mentions nobody."""
    mentions = mentions_in(text)
    if not mentions:
        return []
    # Aliases: the statement may have person and instance in its FROM.
    p, i = m.person.alias("named"), m.instance.alias("named_instance")
    pairs: list[Any] = []
    for name in _NAMED_COLUMNS:
        pairs += [sa.literal(name), p.c[name]]
    pairs += [sa.literal("mention_domain"), i.c.domain]
    if dialect == "postgresql":
        array = sa.func.json_agg(sa.func.json_build_object(*pairs))
    else:
        array = sa.func.json_group_array(sa.func.json_object(*pairs))
    candidates = (
        sa.select(array)
        .select_from(p.outerjoin(i, i.c.id == p.c.instance_id))
        .where(_named(p, mentions))
        .scalar_subquery()
    )
    return [
        candidates.label("mention_candidates"),
        queries.local_origin_query().scalar_subquery().label("mention_origin"),
    ]


def mentioned_in(text: str, row: Row) -> list[Row]:
    """What `mentioned_persons` finds, from the columns of `mention_columns` in `row`: the
    persons with the columns `_NAMED_COLUMNS` only."""
    mentions = mentions_in(text)
    found = row.get("mention_candidates")
    if not mentions or not found:
        return []
    rows: list[Row] = sorted(json.loads(found), key=lambda r: int(r["id"]))
    for r in rows:  # SQLite's JSON has 0 and 1 for its booleans
        r["local"], r["deleted"] = bool(r["local"]), bool(r["deleted"])
    return _picked(mentions, rows, str(row["mention_origin"]))


def _named(p: sa.FromClause, mentions: list[Mention]) -> sa.ColumnElement[bool]:
    return sa.func.lower(p.c.name).in_(sorted({x.name.lower() for x in mentions}))


def _picked(mentions: list[Mention], rows: list[Row], origin: str) -> list[Row]:
    """The candidate `rows` (in id order) that the mentions name, in the order written."""
    here = urls.written_authority(origin.rstrip("/"))
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
