"""Local rows as the JSON moot serves and sends, loading the rows each shape needs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from moot.db import models as m
from moot.db.engine import Connection, Database, Row
from moot.db.mentions import mentioned_persons
from moot.db.paths import ancestor_ids
from moot.db.tags import community_tags, post_tags
from moot.federation.compose import Json, plain
from moot.federation.keys import actor_keys
from moot.federation.objects.comment import note_json
from moot.federation.objects.community import group_json
from moot.federation.objects.person import person_json
from moot.federation.objects.post import page_json
from moot.federation.objects.private_message import chat_message_json


async def one(conn: Connection, table: sa.Table, row_id: int) -> Row:
    row = await conn.fetch_one(sa.select(table).where(table.c.id == row_id))
    assert row is not None, f"{table.name} {row_id} vanished"
    return row


async def public_pem(conn: Connection, table: sa.Table, row: Row) -> str:
    """The actor's public key, its pair made on first use in `conn`, a transaction."""
    if row.get("public_key") and row.get("private_key"):
        return str(row["public_key"])
    return (await actor_keys(conn, table, row))[1]


async def public_pem_of(db: Database, table: sa.Table, row: Row) -> str:
    """The actor's public key, its pair made on first use in a transaction of its own.
    Call it holding no connection: readers that each held one while waiting for the
    transaction's left SQLite's pool empty, and the transaction waiting for a connection
    (five first fetches of one actor at once deadlocked an instance)."""
    if row.get("public_key") and row.get("private_key"):
        return str(row["public_key"])
    async with db.transaction() as tx:
        return await public_pem(tx, table, row)


async def page(conn: Connection, post: Row) -> Json:
    creator = await one(conn, m.person, int(post["creator_id"]))
    community = await one(conn, m.community, int(post["community_id"]))
    tags = (await post_tags(conn, [int(post["id"])])).get(int(post["id"]), [])
    return plain(page_json(post, str(creator["actor_id"]), community, tags))


@dataclass(frozen=True)
class Thread:
    """The rows a comment's Note names besides the comment: its author, post, community,
    the comment it answers (None at top level), that comment's (or the post's) author, and
    the persons its text mentions."""

    creator: Row
    post: Row
    community: Row
    parent: Row | None
    parent_creator: Row
    mentioned: list[Row]


async def thread_of(
    conn: Connection,
    comment: Row,
    *,
    creator: Row | None = None,
    post: Row | None = None,
    community: Row | None = None,
    parent: Row | None = None,
    mentioned: list[Row] | None = None,
    parent_creator: Row | None = None,
) -> Thread:
    """The comment's `Thread`, reading only the rows the caller does not pass (a writer
    has most of them in hand already)."""
    if creator is None:
        creator = await one(conn, m.person, int(comment["creator_id"]))
    if post is None:
        post = await one(conn, m.post, int(comment["post_id"]))
    if community is None:
        community = await one(conn, m.community, int(post["community_id"]))
    parents = ancestor_ids(comment["path"])
    if not parents:
        parent = None
    elif parent is None:
        parent = await one(conn, m.comment, parents[-1])
    if mentioned is None:
        mentioned = await mentioned_persons(conn, str(comment["content"]))
    parent_creator_id = int((parent or post)["creator_id"])
    known = {int(p["id"]): p for p in (creator, *mentioned)}
    if parent_creator is not None:
        known[int(parent_creator["id"])] = parent_creator
    parent_creator = known.get(parent_creator_id) or await one(conn, m.person, parent_creator_id)
    return Thread(creator, post, community, parent, parent_creator, mentioned)


async def note(conn: Connection, comment: Row, thread: Thread | None = None) -> Json:
    if thread is None:
        thread = await thread_of(conn, comment)
    in_reply_to = str((thread.parent or thread.post)["ap_id"])
    return plain(
        note_json(
            comment,
            str(thread.creator["actor_id"]),
            thread.community,
            in_reply_to,
            thread.parent_creator,
            thread.mentioned,
        )
    )


def person(row: Row, pem: str, origin: str) -> Json:
    return plain(person_json(row, pem, origin))


async def group_tags(conn: Connection, row: Row) -> list[Row]:
    """The community's live tags, as `group` lists them."""
    return (await community_tags(conn, [int(row["id"])]))[int(row["id"])]


def group(row: Row, pem: str, origin: str, tags: list[Row]) -> Json:
    # Every language is allowed in a moot community, which Lemmy writes as no list.
    return plain(group_json(row, pem, origin, [], tags))


def tombstone(ap_id: str) -> dict[str, Any]:
    return {"id": ap_id, "type": "Tombstone"}


async def chat_message(conn: Connection, message: Row) -> Json:
    creator = await one(conn, m.person, int(message["creator_id"]))
    recipient = await one(conn, m.person, int(message["recipient_id"]))
    return plain(chat_message_json(message, str(creator["actor_id"]), str(recipient["actor_id"])))
