"""Who acts: a logged-in local viewer, or a person of another instance through an activity.

Actions take an `Actor`, so that the API, the web interface and federation share one path
per action (permissions, counters, notifications). What a remote actor changes carries the
id and time its home instance gave it (`Received`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from moot.auth import Viewer
from moot.db.engine import Row


@dataclass(frozen=True)
class RemoteActor:
    """A person of another instance, acting through an activity it sent."""

    person: Row
    # The activity as received: a local community passes it on to its followers unchanged.
    activity: dict[str, Any] | None = None
    # Speaks for the instance the object lives on (a remote community's own admins).
    is_admin: bool = False

    @property
    def person_id(self) -> int:
        return int(self.person["id"])


Actor = Viewer | RemoteActor


@dataclass(frozen=True)
class Received:
    """A post, comment or message written on another instance: its id there, when it was
    written and when last edited (by that instance's clock, as the stored row keeps them)."""

    ap_id: str
    published: datetime
    updated: datetime | None = None

    def newer_than(self, row: Row) -> bool:
        """Whether this version was edited after the one stored in `row`."""
        stored: datetime = row["updated"] or row["published"]
        return (self.updated or self.published) > stored


def is_remote(actor: Actor) -> bool:
    return isinstance(actor, RemoteActor)
