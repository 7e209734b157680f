"""`moot export FILE`: this instance's own persons, communities, posts and comments as JSON Lines.

The records format of `moot import` (see shared/fixtures/README.md), one record per line, in
dependency order: the instance, then persons, communities, posts (`key` "p<id>") and comments
(`key` "c<id>"). Only local content whose every reference is exported too is written: a
local person's comment under a remote post, say, has nothing to hang from in the file.

Besides the format's fields, moot writes a few of its own when they are set (other
importers ignore unknown fields): `updated`, `deleted`, `removed`, `nsfw`, `locked`,
`distinguished`, `bot_account`, `avatar`, `banner` and a community's `description`.
Votes, follows beyond the creator's, saved and read marks are not part of the format.

Rows are read in id order in batches, so a large instance is never held in memory; the file
is written next to its destination and moved into place when complete.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Callable
from functools import partial
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from moot.db import models as m
from moot.db.engine import Connection, Database, Row
from moot.db.paths import ids_of
from moot.portability.progress import progress_bar
from moot.portability.records import format_time

BATCH = 1000


async def _batches(conn: Connection, table: sa.Table) -> AsyncIterator[list[Row]]:
    """The table's local rows in id order, BATCH at a time (keyset pagination)."""
    last = 0
    while True:
        rows = await conn.fetch_all(
            sa.select(table)
            .where(table.c.local, table.c.id > last)
            .order_by(table.c.id)
            .limit(BATCH)
        )
        if not rows:
            return
        yield rows
        last = int(rows[-1]["id"])


def _extras(row: Row, *names: str) -> dict[str, Any]:
    """moot's own fields, written only when set (true, or a value)."""
    out: dict[str, Any] = {}
    for name in names:
        value = row[name]
        if value is None or value is False or value == "":
            continue
        out[name] = format_time(value) if name == "updated" else value
    return out


class _Exporter:
    def __init__(self, conn: Connection, write: Callable[[dict[str, Any]], None]) -> None:
        self.conn = conn
        self.write = write
        self.persons: dict[int, str] = {}  # id -> name
        self.communities: dict[int, str] = {}
        self.posts: set[int] = set()
        self.comments: set[int] = set()

    async def instance(self) -> None:
        row = await self.conn.fetch_one(
            sa.select(m.instance.c.domain, m.instance.c.software)
            .join(m.site, m.site.c.instance_id == m.instance.c.id)
            .order_by(m.site.c.id)
            .limit(1)
        )
        domain = row["domain"] if row else None
        self.write({"type": "instance", "domain": domain, "software": "moot"})

    async def write_persons(self, advance: Callable[[], None]) -> None:
        async for rows in _batches(self.conn, m.person):
            for p in rows:
                advance()
                self.persons[int(p["id"])] = p["name"]
                self.write(
                    {
                        "type": "person",
                        "name": p["name"],
                        "display_name": p["display_name"],
                        "pronouns": p["pronouns"],
                        "bio": p["bio"],
                        "published": format_time(p["published"]),
                        **_extras(p, "updated", "avatar", "banner", "bot_account", "deleted"),
                    }
                )

    async def write_communities(self, advance: Callable[[], None]) -> None:
        mods = m.community_moderator.c
        creators: dict[int, str] = {}
        for row in await self.conn.fetch_all(
            sa.select(mods.community_id, mods.person_id).order_by(mods.published, mods.id)
        ):
            name = self.persons.get(int(row["person_id"]))
            if name is not None:
                creators.setdefault(int(row["community_id"]), name)
        async for rows in _batches(self.conn, m.community):
            for c in rows:
                advance()
                self.communities[int(c["id"])] = c["name"]
                self.write(
                    {
                        "type": "community",
                        "name": c["name"],
                        "title": c["title"],
                        "published": format_time(c["published"]),
                        "creator": creators.get(int(c["id"])),
                        **_extras(c, "description", "nsfw", "updated", "deleted"),
                    }
                )

    async def write_posts(self, advance: Callable[[], None]) -> None:
        async for rows in _batches(self.conn, m.post):
            for p in rows:
                advance()
                creator = self.persons.get(int(p["creator_id"]))
                community = self.communities.get(int(p["community_id"]))
                if creator is None or community is None:
                    continue
                self.posts.add(int(p["id"]))
                self.write(
                    {
                        "type": "post",
                        "key": f"p{p['id']}",
                        "community": community,
                        "creator": creator,
                        "name": p["name"],
                        "url": p["url"],
                        "body": p["body"],
                        "published": format_time(p["published"]),
                        **_extras(p, "nsfw", "locked", "updated", "deleted", "removed"),
                    }
                )

    async def write_comments(self, advance: Callable[[], None]) -> None:
        async for rows in _batches(self.conn, m.comment):
            for c in rows:
                advance()
                creator = self.persons.get(int(c["creator_id"]))
                ancestors = ids_of(c["path"])[:-1]
                parent = ancestors[-1] if ancestors else None
                if (
                    creator is None
                    or int(c["post_id"]) not in self.posts
                    or (parent is not None and parent not in self.comments)
                ):
                    continue
                self.comments.add(int(c["id"]))
                self.write(
                    {
                        "type": "comment",
                        "key": f"c{c['id']}",
                        "post": f"p{c['post_id']}",
                        "parent": f"c{parent}" if parent is not None else None,
                        "creator": creator,
                        "content": c["content"],
                        "published": format_time(c["published"]),
                        **_extras(c, "updated", "deleted", "removed", "distinguished"),
                    }
                )

    def counts(self) -> dict[str, int]:
        return {
            "persons": len(self.persons),
            "communities": len(self.communities),
            "posts": len(self.posts),
            "comments": len(self.comments),
        }


async def _local_rows(conn: Connection, table: sa.Table) -> int:
    count = sa.select(sa.func.count()).select_from(table).where(table.c.local)
    return int(await conn.scalar(count))


async def export_file(db: Database, path: Path) -> dict[str, int]:
    """Write this instance's data to `path` as JSON Lines; returns how many of each kind."""
    path = Path(path)
    unfinished = path.with_name(f".{path.name}.partial")
    tables = (
        (m.person, "persons"),
        (m.community, "communities"),
        (m.post, "posts"),
        (m.comment, "comments"),
    )
    try:
        async with db.connection() as conn:
            with progress_bar() as bar, unfinished.open("w", encoding="utf-8") as out:

                def write(record: dict[str, Any]) -> None:
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")

                exporter = _Exporter(conn, write)
                await exporter.instance()
                steps = (
                    exporter.write_persons,
                    exporter.write_communities,
                    exporter.write_posts,
                    exporter.write_comments,
                )
                for (table, kind), step in zip(tables, steps, strict=True):
                    task = bar.add_task(f"exporting {kind}", total=await _local_rows(conn, table))
                    await step(partial(bar.advance, task))
        os.replace(unfinished, path)
    finally:
        unfinished.unlink(missing_ok=True)
    return exporter.counts()
