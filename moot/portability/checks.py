"""Every record checked against Lemmy's limits and resolved to what it refers to.

Nothing here touches the database: the whole file is checked before the first row is
written, so a bad record anywhere leaves the instance exactly as it was. References (`key`s
of posts and comments, `name`s of persons and communities) are names inside the file, and a
record may only refer to one that came before it (the file is in dependency order).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from moot import validation
from moot.actions.comments import MAX_COMMENT_DEPTH
from moot.db.types import utcnow
from moot.errors import ApiError
from moot.portability.plan import CommentIn, CommunityIn, PersonIn, Plan, PostIn
from moot.portability.records import Record, parse_time
from moot.validation import clean_url

T = TypeVar("T")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")

PRONOUNS_MAX_LENGTH = 50  # as the profile settings allow
COMMUNITY_TITLE_MAX_LENGTH = 255


class _Fields:
    """Typed access to one record's fields; every problem becomes `ValueError(label: …)`."""

    def __init__(self, record: Record) -> None:
        self.label = record.label
        self.data = record.data

    def fail(self, reason: str) -> ValueError:
        return ValueError(f"{self.label}: {reason}")

    def text(self, name: str, *, required: bool = False) -> str | None:
        value = self.data.get(name)
        if value is None:
            if required:
                raise self.fail(f"{name} is missing")
            return None
        if not isinstance(value, str):
            raise self.fail(f"{name} must be a string")
        self.storable(name, value)
        return value

    def storable(self, name: str, value: str) -> None:
        """Text a database can hold: no NUL character, no lone surrogate (from `\\ud800`)."""
        if "\x00" in value:
            raise self.fail(f"{name} contains a NUL character")
        if _LONE_SURROGATE.search(value):
            raise self.fail(f"{name} contains a lone surrogate, which is not Unicode text")

    def required(self, name: str) -> str:
        value = self.text(name, required=True)
        assert value is not None
        return value

    def ref(self, name: str, *, required: bool = True) -> str | None:
        """A reference to another record: a string (an integer key is read as its digits)."""
        value = self.data.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value:
            raise self.fail(f"{name} is missing" if value is None else f"{name} must be a string")
        self.storable(name, value)
        return value

    def flag(self, name: str) -> bool:
        value = self.data.get(name, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise self.fail(f"{name} must be true or false")
        return value

    def time(self, name: str, *, default_now: bool = False) -> datetime | None:
        value = self.data.get(name)
        if value is None:
            return utcnow() if default_now else None
        if not isinstance(value, str):
            raise self.fail(f"{name} must be an RFC 3339 time string")
        try:
            return parse_time(value)
        except ValueError:
            raise self.fail(f"{name} {value!r} is not an RFC 3339 time") from None

    def published(self) -> datetime:
        moment = self.time("published", default_now=True)
        assert moment is not None
        return moment

    def check(self, what: str, rule: Callable[[], T]) -> T:
        """Run one of moot.validation's checks, turning its ApiError into this record's error."""
        try:
            return rule()
        except ApiError as exc:
            raise self.fail(f"{what} ({exc.code.value})") from None

    def url(self, name: str) -> str | None:
        raw = (self.text(name) or "").strip()
        if not raw:
            return None
        return self.check(f"{name} {raw[:100]!r} is not a valid link", lambda: clean_url(raw))


class _Checker:
    def __init__(self, max_name_length: int) -> None:
        self.max_name_length = max_name_length
        self.plan = Plan()
        self.persons: dict[str, PersonIn] = {}  # by lower-cased name
        self.communities: dict[str, CommunityIn] = {}
        self.posts: dict[str, PostIn] = {}  # by key
        self.comments: dict[str, CommentIn] = {}

    def record(self, record: Record) -> None:
        kind = record.data.get("type")
        handler = {
            "instance": self._instance,
            "person": self._person,
            "community": self._community,
            "post": self._post,
            "comment": self._comment,
        }.get(kind if isinstance(kind, str) else "")
        if handler is None:
            reason = "the record has no type" if kind is None else f"unknown record type {kind!r}"
            raise ValueError(f"{record.label}: {reason}")
        handler(_Fields(record))

    def _instance(self, f: _Fields) -> None:
        f.text("domain")  # only says where the data came from; everything becomes local
        f.text("software")

    def _name(self, f: _Fields, seen: dict[str, Any], kind: str) -> str:
        name = f.required("name")
        limit = self.max_name_length
        f.check(
            f"name {name!r} is not allowed: 3 to {limit} letters, digits or _ of one script",
            lambda: validation.check_actor_name(name, limit),
        )
        first = seen.get(name.lower())
        if first is not None:
            raise f.fail(f"{kind} name {name} appears twice (first at {first.label})")
        return name

    def _person(self, f: _Fields) -> None:
        name = self._name(f, self.persons, "person")
        display_name = (f.text("display_name") or "").strip() or None
        if display_name is not None:
            f.check(
                f"display_name {display_name!r} is not allowed",
                lambda: validation.check_display_name(display_name, self.max_name_length),
            )
        pronouns = (f.text("pronouns") or "").strip() or None
        if pronouns is not None and (len(pronouns) > PRONOUNS_MAX_LENGTH or "\n" in pronouns):
            raise f.fail(f"pronouns are at most {PRONOUNS_MAX_LENGTH} characters on one line")
        bio = (f.text("bio") or "").strip() or None
        if bio is not None:
            f.check("bio is too long", lambda: validation.check_bio(bio))
        person = PersonIn(
            label=f.label,
            name=name,
            display_name=display_name,
            pronouns=pronouns,
            bio=bio,
            avatar=f.url("avatar"),
            banner=f.url("banner"),
            bot_account=f.flag("bot_account"),
            deleted=f.flag("deleted"),
            published=f.published(),
            updated=f.time("updated"),
        )
        self.persons[name.lower()] = person
        self.plan.persons.append(person)

    def _person_ref(self, f: _Fields, name: str | None) -> PersonIn:
        person = self.persons.get((name or "").lower())
        if person is None:
            raise f.fail(f"unknown person {name}")
        return person

    def _community(self, f: _Fields) -> None:
        name = self._name(f, self.communities, "community")
        title = f.required("title").strip()
        if not title or len(title) > COMMUNITY_TITLE_MAX_LENGTH or "\n" in title:
            raise f.fail(f"title must be 1 to {COMMUNITY_TITLE_MAX_LENGTH} characters, one line")
        description = (f.text("description") or "").strip() or None
        if description is not None:
            f.check("description is too long", lambda: validation.check_body(description))
        creator_name = f.ref("creator", required=False)
        community = CommunityIn(
            label=f.label,
            name=name,
            title=title,
            description=description,
            creator=self._person_ref(f, creator_name) if creator_name is not None else None,
            nsfw=f.flag("nsfw"),
            deleted=f.flag("deleted"),
            published=f.published(),
            updated=f.time("updated"),
        )
        self.communities[name.lower()] = community
        self.plan.communities.append(community)

    def _key(self, f: _Fields, seen: dict[str, Any], kind: str) -> str:
        key = f.ref("key")
        assert key is not None
        first = seen.get(key)
        if first is not None:
            raise f.fail(f"duplicate {kind} key {key} (first at {first.label})")
        return key

    def _post(self, f: _Fields) -> None:
        key = self._key(f, self.posts, "post")
        community_name = f.ref("community")
        community = self.communities.get((community_name or "").lower())
        if community is None:
            raise f.fail(f"unknown community {community_name}")
        creator = self._person_ref(f, f.ref("creator"))
        raw_title = f.required("name")
        title = f.check(
            f"title (name) must be {validation.POST_TITLE_MIN_LENGTH} to "
            f"{validation.POST_TITLE_MAX_LENGTH} characters on one line",
            lambda: validation.check_post_title(raw_title),
        )
        body = f.text("body") or None
        if body is not None:
            f.check(
                "body is too long",
                lambda: validation.check_body(body, validation.POST_BODY_MAX_LENGTH),
            )
        post = PostIn(
            label=f.label,
            key=key,
            community=community,
            creator=creator,
            name=title,
            url=f.url("url"),
            body=body,
            nsfw=f.flag("nsfw") or community.nsfw,
            locked=f.flag("locked"),
            deleted=f.flag("deleted"),
            removed=f.flag("removed"),
            published=f.published(),
            updated=f.time("updated"),
        )
        self.posts[key] = post
        self.plan.posts.append(post)

    def _comment(self, f: _Fields) -> None:
        key = self._key(f, self.comments, "comment")
        post_key = f.ref("post")
        post = self.posts.get(post_key or "")
        if post is None:
            raise f.fail(f"unknown post key {post_key}")
        parent_key = f.ref("parent", required=False)
        parent = None
        if parent_key is not None:
            parent = self.comments.get(parent_key)
            if parent is None:
                raise f.fail(f"unknown parent comment key {parent_key}")
            if parent.post is not post:
                raise f.fail(f"parent {parent_key} is on post {parent.post.key}, not {post.key}")
            if parent.depth + 1 >= MAX_COMMENT_DEPTH:
                raise f.fail(f"replies nest at most {MAX_COMMENT_DEPTH} deep")
        creator = self._person_ref(f, f.ref("creator"))
        content = f.required("content")
        if not content.strip():
            raise f.fail("content is empty")
        f.check("content is too long", lambda: validation.check_body(content))
        comment = CommentIn(
            label=f.label,
            key=key,
            post=post,
            parent=parent,
            creator=creator,
            content=content,
            distinguished=f.flag("distinguished"),
            deleted=f.flag("deleted"),
            removed=f.flag("removed"),
            published=f.published(),
            updated=f.time("updated"),
            depth=0 if parent is None else parent.depth + 1,
        )
        self.comments[key] = comment
        post.comments.append(comment)
        self.plan.comments.append(comment)


def check_records(
    records: Iterable[Record],
    max_name_length: int = validation.ACTOR_NAME_MAX_LENGTH,
    advance: Callable[[], None] = lambda: None,
) -> Plan:
    """The checked plan of `records`; ValueError naming the first bad record."""
    checker = _Checker(max_name_length)
    for record in records:
        checker.record(record)
        advance()
    return checker.plan
