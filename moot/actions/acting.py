"""The person an action is done by, whichever front door it came through.

The API passes its logged-in `auth.Viewer`; the web interface passes the same; an incoming
federated activity passes an `Actor` for the remote person it verified. Actions read only
these two facts and load whatever else they check themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class Acting(Protocol):
    @property
    def person_id(self) -> int: ...

    @property
    def is_admin(self) -> bool:
        """An admin of this instance (remote persons never are)."""
        ...


@dataclass(frozen=True)
class Actor:
    """An acting person known by id, such as the remote moderator of a federated activity."""

    person_id: int
    is_admin: bool = False
