"""`@name@host` in a text: how Lemmy finds whom a comment mentions (it reads the text, not
the ActivityPub tags, so a mention counts only if it is written out)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# A name as Lemmy allows it, then a host that may carry a port. The lookbehind keeps
# e-mail addresses (someone@example.org) from reading as mentions.
_MENTION = re.compile(r"(?<![\w@/])@(?P<name>\w[\w.]*)@(?P<host>[A-Za-z0-9.-]+(?::\d+)?)")
MAX_MENTIONS = 20  # a text naming more people is not mentioning them, it is spamming them


@dataclass(frozen=True)
class Mention:
    name: str
    host: str  # as written, lower-case; may carry a port

    @property
    def domain(self) -> str:
        return self.host.split(":", 1)[0].rstrip(".")


def mentions_in(text: str) -> list[Mention]:
    """Each `@name@host` once, in the order written."""
    seen: dict[tuple[str, str], Mention] = {}
    for match in _MENTION.finditer(text):
        found = Mention(match["name"].rstrip("."), match["host"].lower().rstrip("."))
        seen.setdefault((found.name.lower(), found.host), found)
        if len(seen) == MAX_MENTIONS:
            break
    return list(seen.values())
