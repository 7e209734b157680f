"""`moot import FILE`: site data made local to this instance, all or nothing.

The file is read and every record checked first (moot/portability/checks.py); then all rows
are written in one transaction, so a bad record, a name this instance already has, or a
failure halfway leaves the database as it was. Counters are rebuilt afterwards by
`recount`, the same code as `moot admin recount`.

What an import makes, so that imported content looks like content made through the API:

- each person becomes a local account (person + local_user) under this instance's host
  name. Its password is unusable (`UNUSABLE_PASSWORD_PREFIX`, which no password matches):
  the person cannot log in until an admin sets a new password for the account;
- a community's creator moderates and follows it;
- authors upvote their own posts and comments, as Lemmy does on create;
- a reply notifies the author of its parent (or of the post), marked as already read;
- published times are kept as the file gives them; hot ranks keep their defaults until
  the scheduler's next refresh.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from moot import ranking
from moot.actions.site import load_site, local_instance_id
from moot.config import Settings
from moot.db import models as m
from moot.db.engine import Connection, Database
from moot.db.paths import segment
from moot.db.recount import recount
from moot.db.types import utcnow
from moot.errors import ApiError
from moot.portability.checks import check_records
from moot.portability.plan import CommentIn, CommunityIn, PersonIn, Plan, PostIn
from moot.portability.progress import progress_bar
from moot.portability.records import read_records
from moot.text.markdown import render_markdown

# A stored password that is not a bcrypt hash: checking any password against it fails.
UNUSABLE_PASSWORD_PREFIX = "!imported:"
_CHUNK = 500  # names per `IN (…)` query, well under SQLite's parameter limit


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
        async with db.transaction() as tx:
            await _refuse_taken_names(tx, plan)
            await _Writer(tx, settings, lambda: bar.advance(writing)).write(plan)
        counting = bar.add_task("recounting", total=1)
        await recount(db)
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
    post: PostIn, creator_id: int, ids: dict[PersonIn, int]
) -> tuple[datetime, datetime]:
    """The post's newest_comment_time and newest_comment_time_necro after all its comments."""
    newest = necro = post.published
    for comment in sorted(post.comments, key=lambda c: c.published):
        newest = max(newest, comment.published)
        necro = ranking.advance_necro_time(
            necro, post.published, creator_id, comment.published, ids[comment.creator]
        )
    return newest, necro


class _Writer:
    def __init__(self, conn: Connection, settings: Settings, advance: Callable[[], None]) -> None:
        self.conn = conn
        self.origin = settings.origin
        self.hostname = settings.hostname
        self.advance = advance
        self.now = utcnow()
        # Unique stand-ins for ap_id until the row's id is known.
        self.placeholder = f"{self.origin}/importing-{secrets.token_hex(8)}"
        self.persons: dict[PersonIn, int] = {}
        self.communities: dict[CommunityIn, int] = {}
        self.posts: dict[PostIn, int] = {}
        self.comments: dict[CommentIn, tuple[int, str]] = {}  # id and path

    async def write(self, plan: Plan) -> None:
        self.instance_id = await local_instance_id(self.conn, self.hostname)
        await self._each(plan.persons, self._person)
        await self._each(plan.communities, self._community)
        await self._each(plan.posts, self._post)
        post = m.post.c
        await self.conn.execute(
            sa.update(m.post)
            .where(post.ap_id.startswith(self.placeholder))
            .values(ap_id=sa.literal(f"{self.origin}/post/") + sa.cast(post.id, sa.String))
        )
        await self._each(plan.comments, self._comment)

    async def _each(self, items: Iterable[Any], write: Callable[[Any], Any]) -> None:
        for item in items:
            try:
                await write(item)
            except ApiError as exc:  # a value the database refused to store
                raise ValueError(f"{item.label}: {exc.message or exc.code.value}") from exc
            self.advance()

    async def _insert(self, table: sa.Table, **values: Any) -> int:
        return int(await self.conn.scalar(sa.insert(table).values(**values).returning(table.c.id)))

    async def _person(self, p: PersonIn) -> None:
        actor_id = f"{self.origin}/u/{p.name}"
        person_id = await self._insert(
            m.person,
            name=p.name,
            display_name=p.display_name,
            pronouns=p.pronouns,
            bio=p.bio,
            bio_html=render_markdown(p.bio) if p.bio else None,
            avatar=p.avatar,
            banner=p.banner,
            bot_account=p.bot_account,
            deleted=p.deleted,
            local=True,
            actor_id=actor_id,
            inbox_url=f"{actor_id}/inbox",
            instance_id=self.instance_id,
            published=p.published,
            updated=p.updated,
        )
        local_user_id = await self._insert(
            m.local_user,
            person_id=person_id,
            password_encrypted=unusable_password(),
            accepted_application=True,
            last_donation_notification=self.now,
        )
        await self.conn.execute(
            sa.insert(m.local_user_language).from_select(
                ["local_user_id", "language_id"],
                sa.select(sa.literal(local_user_id), m.language.c.id),
            )
        )
        self.persons[p] = person_id

    async def _community(self, c: CommunityIn) -> None:
        actor_id = f"{self.origin}/c/{c.name}"
        community_id = await self._insert(
            m.community,
            name=c.name,
            title=c.title,
            description=c.description,
            description_html=render_markdown(c.description) if c.description else None,
            nsfw=c.nsfw,
            deleted=c.deleted,
            local=True,
            actor_id=actor_id,
            inbox_url=f"{actor_id}/inbox",
            followers_url=f"{actor_id}/followers",
            instance_id=self.instance_id,
            published=c.published,
            updated=c.updated,
        )
        if c.creator is not None:
            for table in (m.community_moderator, m.community_follower):
                await self.conn.execute(
                    sa.insert(table).values(
                        community_id=community_id,
                        person_id=self.persons[c.creator],
                        published=c.published,
                    )
                )
        self.communities[c] = community_id

    async def _post(self, p: PostIn) -> None:
        creator_id = self.persons[p.creator]
        newest, necro = _activity_times(p, creator_id, self.persons)
        post_id = await self._insert(
            m.post,
            name=p.name,
            url=p.url,
            body=p.body,
            body_html=render_markdown(p.body) if p.body else None,
            creator_id=creator_id,
            community_id=self.communities[p.community],
            nsfw=p.nsfw,
            locked=p.locked,
            deleted=p.deleted,
            removed=p.removed,
            ap_id=f"{self.placeholder}/{len(self.posts)}",
            local=True,
            instance_id=self.instance_id,
            published=p.published,
            updated=p.updated,
            newest_comment_time=newest,
            newest_comment_time_necro=necro,
        )
        await self._self_vote(m.post_like, p.published, post_id=post_id, person_id=creator_id)
        self.posts[p] = post_id

    async def _comment(self, c: CommentIn) -> None:
        creator_id = self.persons[c.creator]
        post_id = self.posts[c.post]
        comment_id = await self._insert(
            m.comment,
            creator_id=creator_id,
            post_id=post_id,
            content=c.content,
            content_html=render_markdown(c.content),
            distinguished=c.distinguished,
            deleted=c.deleted,
            removed=c.removed,
            ap_id=f"{self.placeholder}/c{len(self.comments)}",
            local=True,
            language_id=0,
            published=c.published,
            updated=c.updated,
        )
        path = (self.comments[c.parent][1] if c.parent is not None else "") + segment(comment_id)
        await self.conn.execute(
            sa.update(m.comment)
            .where(m.comment.c.id == comment_id)
            .values(ap_id=f"{self.origin}/comment/{comment_id}", path=path, depth=c.depth)
        )
        self.comments[c] = (comment_id, path)
        await self._self_vote(
            m.comment_like,
            c.published,
            comment_id=comment_id,
            post_id=post_id,
            person_id=creator_id,
        )
        recipient = self.persons[c.parent.creator if c.parent is not None else c.post.creator]
        if recipient != creator_id:
            await self.conn.execute(
                sa.insert(m.comment_reply).values(
                    recipient_id=recipient, comment_id=comment_id, read=True, published=c.published
                )
            )

    async def _self_vote(self, table: sa.Table, published: datetime, **keys: int) -> None:
        await self.conn.execute(sa.insert(table).values(score=1, published=published, **keys))
