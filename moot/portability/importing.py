"""`moot import FILE`: site data made local to this instance, all or nothing.

The file is read and every record checked first (moot/portability/checks.py); then all rows
are written in one transaction, so a bad record, a name this instance already has, or a
failure halfway leaves the database as it was. Counters are rebuilt afterwards by
`recount_rows`, the same code as `moot admin recount`.

What an import makes, so that imported content looks like content made through the API:

- each person becomes a local account (person + local_user) under this instance's host
  name. Its password is unusable (`UNUSABLE_PASSWORD_PREFIX`, which no password matches):
  the person cannot log in until an admin resets the password of the account;
- a community's creator moderates and follows it;
- authors upvote their own posts and comments, as Lemmy does on create;
- a reply notifies the author of its parent (or of the post), marked as already read;
- published times are kept as the file gives them (a record without one is published at
  the time of the import); hot ranks keep their defaults until the scheduler's next refresh.

The file is the operator's, not a member's: the site's slur filter is not applied to it, but
every length, name and link rule of the API is.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from moot import ranking
from moot.actions.site import load_site, local_instance_id
from moot.config import Settings
from moot.db import models as m
from moot.db.engine import Connection, Database
from moot.db.paths import segment
from moot.db.recount import recount_rows
from moot.db.types import utcnow
from moot.errors import ApiError
from moot.portability.checks import check_records
from moot.portability.plan import CommentIn, CommunityIn, PersonIn, Plan, PostIn
from moot.portability.progress import progress_bar
from moot.portability.records import read_records
from moot.text.markdown import render_markdown

# A stored password that is not a bcrypt hash: checking any password against it fails.
UNUSABLE_PASSWORD_PREFIX = "!imported:"
_CHUNK = 500  # values per `IN (…)` list, well under SQLite's parameter limit
_BATCH = 500  # records per round of multi-row INSERTs
_PARAMETERS = 10_000  # bound parameters per INSERT (SQLite allows 32766, PostgreSQL 32767)


def unusable_password() -> str:
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(24)


async def import_file(db: Database, settings: Settings, path: Path) -> dict[str, int]:
    """Load `path` into this instance; returns how many of each kind were imported.

    Raises ValueError("<position>: <reason>") for bad input; nothing is written then.
    """
    records = read_records(Path(path))
    async with db.connection() as conn:
        _, local = await load_site(conn)
    with progress_bar() as bar:
        checking = bar.add_task("checking records", total=len(records))
        plan = check_records(
            records, int(local["actor_name_max_length"]), lambda: bar.advance(checking)
        )
        writing = bar.add_task("writing", total=sum(plan.counts().values()))
        counting = bar.add_task("recounting", total=1)
        # Counters are rebuilt in the same transaction: a crash leaves nothing half-counted.
        async with db.transaction() as tx:
            await _refuse_taken_names(tx, plan)
            await _Writer(tx, settings, partial(bar.advance, writing)).write(plan)
            await recount_rows(tx)
            bar.advance(counting)
    return plan.counts()


async def _refuse_taken_names(conn: Connection, plan: Plan) -> None:
    """A name this instance already has (any case) is an error, at the first record using one."""
    items: list[PersonIn] | list[CommunityIn]
    for table, items, kind in (
        (m.person, plan.persons, "person"),
        (m.community, plan.communities, "community"),
    ):
        names = [item.name.lower() for item in items]
        taken: dict[str, str] = {}
        lowered = sa.func.lower(table.c.name)
        for start in range(0, len(names), _CHUNK):
            rows = await conn.fetch_all(
                sa.select(lowered.label("lowered"), table.c.name).where(
                    table.c.local, lowered.in_(names[start : start + _CHUNK])
                )
            )
            taken.update((r["lowered"], r["name"]) for r in rows)
        for item in items:
            if item.name.lower() in taken:
                existing = taken[item.name.lower()]
                raise ValueError(f"{item.label}: this instance already has a {kind} {existing}")


def _activity_times(
    post: PostIn, creator_id: int, ids: Mapping[Any, int]
) -> tuple[datetime, datetime]:
    """The post's newest_comment_time and newest_comment_time_necro after all its comments."""
    newest = necro = post.published
    for comment in sorted(post.comments, key=lambda c: c.published):
        newest = max(newest, comment.published)
        necro = ranking.advance_necro_time(
            necro, post.published, creator_id, comment.published, ids[comment.creator]
        )
    return newest, necro


Rows = dict[sa.Table, list[dict[str, Any]]]  # the rows one record becomes, by table


class _Writer:
    """Writes a checked plan. Ids are reserved first, so each row (with its ap_id and comment
    path) is complete when inserted; rows go in as multi-row INSERTs, a batch at a time."""

    def __init__(
        self, conn: Connection, settings: Settings, advance: Callable[[int], None]
    ) -> None:
        self.conn = conn
        self.origin = settings.origin
        self.hostname = settings.hostname
        self.advance = advance
        self.now = utcnow()
        self.ids: dict[PersonIn | CommunityIn | PostIn | CommentIn, int] = {}
        self.paths: dict[CommentIn, str] = {}
        self.user_ids: dict[PersonIn, int] = {}

    async def write(self, plan: Plan) -> None:
        self.instance_id = await local_instance_id(self.conn, self.hostname)
        user_ids = await self._reserve(m.local_user, len(plan.persons))
        self.user_ids = dict(zip(plan.persons, user_ids, strict=True))
        await self._each(m.person, plan.persons, self._person)
        # Every language, as for an account registered through the API.
        for start in range(0, len(user_ids), _CHUNK):
            users = sa.select(m.local_user.c.id, m.language.c.id).where(
                m.local_user.c.id.in_(user_ids[start : start + _CHUNK])
            )
            await self.conn.execute(
                sa.insert(m.local_user_language).from_select(
                    ["local_user_id", "language_id"], users
                )
            )
        await self._each(m.community, plan.communities, self._community)
        await self._each(m.post, plan.posts, self._post)
        await self._each(m.comment, plan.comments, self._comment)

    async def _reserve(self, table: sa.Table, count: int) -> list[int]:
        """`count` new ids of `table`, taken before the rows are inserted."""
        if count == 0:
            return []
        if self.conn.dialect_name == "postgresql":
            sequence = sa.func.pg_get_serial_sequence(table.name, "id")
            rows = await self.conn.fetch_all(
                sa.select(sa.func.nextval(sequence).label("id")).select_from(
                    sa.func.generate_series(1, count)
                )
            )
            return sorted(int(r["id"]) for r in rows)  # ascending: rows keep the file's order
        # SQLite: the import's transaction holds the write lock, so nobody else inserts.
        top = await self.conn.scalar(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0)))
        return list(range(int(top) + 1, int(top) + 1 + count))

    async def _each(
        self, table: sa.Table, items: Sequence[Any], rows_of: Callable[[Any, int], Rows]
    ) -> None:
        ids = await self._reserve(table, len(items))
        for start in range(0, len(items), _BATCH):
            batch: Rows = {table: []}  # the record's own table first, for the foreign keys
            chunk = items[start : start + _BATCH]
            for item, new_id in zip(chunk, ids[start : start + _BATCH], strict=True):
                self.ids[item] = new_id
                for target, rows in rows_of(item, new_id).items():
                    batch.setdefault(target, []).extend(rows)
            for target, rows in batch.items():
                await self._insert(target, rows)
            self.advance(len(chunk))

    async def _insert(self, table: sa.Table, rows: list[dict[str, Any]]) -> None:
        """Multi-row INSERTs, each well under both databases' limit of bound parameters."""
        if not rows:
            return
        size = max(1, _PARAMETERS // len(rows[0]))
        for start in range(0, len(rows), size):
            try:
                await self.conn.execute(sa.insert(table).values(rows[start : start + size]))
            except ApiError as exc:  # a value the database cannot store
                raise ValueError(f"{table.name} rows: {exc.message or exc.code.value}") from exc

    def _person(self, p: PersonIn, person_id: int) -> Rows:
        actor_id = f"{self.origin}/u/{p.name}"
        person = {
            "id": person_id,
            "name": p.name,
            "display_name": p.display_name,
            "pronouns": p.pronouns,
            "bio": p.bio,
            "bio_html": render_markdown(p.bio) if p.bio else None,
            "avatar": p.avatar,
            "banner": p.banner,
            "bot_account": p.bot_account,
            "deleted": p.deleted,
            "local": True,
            "actor_id": actor_id,
            "inbox_url": f"{actor_id}/inbox",
            "instance_id": self.instance_id,
            "published": p.published,
            "updated": p.updated,
        }
        user = {
            "id": self.user_ids[p],
            "person_id": person_id,
            "password_encrypted": unusable_password(),
            "accepted_application": True,
            "last_donation_notification": self.now,
        }
        return {m.person: [person], m.local_user: [user]}

    def _community(self, c: CommunityIn, community_id: int) -> Rows:
        actor_id = f"{self.origin}/c/{c.name}"
        community = {
            "id": community_id,
            "name": c.name,
            "title": c.title,
            "description": c.description,
            "description_html": render_markdown(c.description) if c.description else None,
            "nsfw": c.nsfw,
            "deleted": c.deleted,
            "local": True,
            "actor_id": actor_id,
            "inbox_url": f"{actor_id}/inbox",
            "followers_url": f"{actor_id}/followers",
            "instance_id": self.instance_id,
            "published": c.published,
            "updated": c.updated,
        }
        if c.creator is None:
            return {m.community: [community]}
        # The creator moderates and follows the community, as through the API.
        creator = {
            "community_id": community_id,
            "person_id": self.ids[c.creator],
            "published": c.published,
        }
        return {
            m.community: [community],
            m.community_moderator: [creator],
            m.community_follower: [creator],
        }

    def _post(self, p: PostIn, post_id: int) -> Rows:
        creator_id = self.ids[p.creator]
        newest, necro = _activity_times(p, creator_id, self.ids)
        post = {
            "id": post_id,
            "name": p.name,
            "url": p.url,
            "body": p.body,
            "body_html": render_markdown(p.body) if p.body else None,
            "creator_id": creator_id,
            "community_id": self.ids[p.community],
            "nsfw": p.nsfw,
            "locked": p.locked,
            "deleted": p.deleted,
            "removed": p.removed,
            "ap_id": f"{self.origin}/post/{post_id}",
            "local": True,
            "instance_id": self.instance_id,
            "published": p.published,
            "updated": p.updated,
            "newest_comment_time": newest,
            "newest_comment_time_necro": necro,
            "age_tier": ranking.age_tier(p.published, self.now),
        }
        # Authors upvote their own posts, as Lemmy does on create.
        like = {"post_id": post_id, "person_id": creator_id, "score": 1, "published": p.published}
        return {m.post: [post], m.post_like: [like]}

    def _comment(self, c: CommentIn, comment_id: int) -> Rows:
        path = (self.paths[c.parent] if c.parent is not None else "") + segment(comment_id)
        self.paths[c] = path
        creator_id, post_id = self.ids[c.creator], self.ids[c.post]
        comment = {
            "id": comment_id,
            "creator_id": creator_id,
            "post_id": post_id,
            "content": c.content,
            "content_html": render_markdown(c.content),
            "distinguished": c.distinguished,
            "deleted": c.deleted,
            "removed": c.removed,
            "ap_id": f"{self.origin}/comment/{comment_id}",
            "local": True,
            "path": path,
            "depth": c.depth,
            "language_id": 0,
            "published": c.published,
            "updated": c.updated,
        }
        like = {
            "comment_id": comment_id,
            "post_id": post_id,
            "person_id": creator_id,
            "score": 1,
            "published": c.published,
        }
        rows: Rows = {m.comment: [comment], m.comment_like: [like]}
        # The parent's author (the post's, for a top-level comment) got a reply: an old one,
        # so it arrives already read.
        recipient = self.ids[c.parent.creator if c.parent is not None else c.post.creator]
        if recipient != creator_id:
            reply = {
                "recipient_id": recipient,
                "comment_id": comment_id,
                "read": True,
                "published": c.published,
            }
            rows[m.comment_reply] = [reply]
        return rows
