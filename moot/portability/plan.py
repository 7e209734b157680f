"""What a checked file holds: its records resolved to each other, in the order they are written."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


# eq=False: hashed by identity, so the writer can map each record to the row it became.
@dataclass(eq=False)
class PersonIn:
    label: str
    name: str
    display_name: str | None
    pronouns: str | None
    bio: str | None
    avatar: str | None
    banner: str | None
    bot_account: bool
    deleted: bool
    published: datetime
    updated: datetime | None


@dataclass(eq=False)
class CommunityIn:
    label: str
    name: str
    title: str
    description: str | None
    creator: PersonIn | None
    nsfw: bool
    deleted: bool
    published: datetime
    updated: datetime | None


@dataclass(eq=False)
class PostIn:
    label: str
    key: str
    community: CommunityIn
    creator: PersonIn
    name: str
    url: str | None
    body: str | None
    nsfw: bool
    locked: bool
    deleted: bool
    removed: bool
    published: datetime
    updated: datetime | None
    comments: list[CommentIn] = field(default_factory=list)


@dataclass(eq=False)
class CommentIn:
    label: str
    key: str
    post: PostIn
    parent: CommentIn | None
    creator: PersonIn
    content: str
    distinguished: bool
    deleted: bool
    removed: bool
    published: datetime
    updated: datetime | None
    depth: int


@dataclass
class Plan:
    """The file's content, checked, in the order it is written."""

    persons: list[PersonIn] = field(default_factory=list)
    communities: list[CommunityIn] = field(default_factory=list)
    posts: list[PostIn] = field(default_factory=list)
    comments: list[CommentIn] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "persons": len(self.persons),
            "communities": len(self.communities),
            "posts": len(self.posts),
            "comments": len(self.comments),
        }
