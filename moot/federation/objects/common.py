"""Helpers shared by the conversions: times, languages, text, pronouns."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import markdownify

from moot.db import models as m
from moot.db import upsert
from moot.db.engine import Connection
from moot.db.languages import LANGUAGES
from moot.db.types import utcnow
from moot.federation.protocol.common import ImageRef, LanguageTag, Source

_BY_ID = {i: (code, name) for i, code, name in LANGUAGES}
_BY_CODE = {code: i for i, code, _ in LANGUAGES}
# Hexbear writes pronouns into the display name: "Name [they/them]".
_PRONOUNS = re.compile(r"^(?P<name>.*?)\s*\[(?P<pronouns>[^\[\]]{1,50})\]\s*$")


def stamp(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def parse_time(value: str | None) -> datetime | None:
    """An RFC 3339 time from a remote server, or None if it is missing or nonsense."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    # A time from the future is the sender's clock, not a fact.
    return min(moment, utcnow())


def language_tag(language_id: int | None) -> LanguageTag | None:
    """Lemmy leaves `language` out when it is undetermined (id 0)."""
    if not language_id or language_id not in _BY_ID:
        return None
    code, name = _BY_ID[language_id]
    return LanguageTag(identifier=code, name=name)


def language_id(tag: LanguageTag | None) -> int | None:
    if tag is None:
        return None
    return _BY_CODE.get(tag.identifier.split("-", 1)[0].lower())


def image(url: str | None) -> ImageRef | None:
    return ImageRef(type="Image", url=url) if url else None


def source(markdown: str | None) -> Source | None:
    return Source(content=markdown, media_type="text/markdown") if markdown else None


def markdown_of(content: str | None, media_type: str | None, src: Source | None) -> str:
    """The Markdown of a remote text: its source if given, else its HTML converted."""
    if src is not None and src.content and src.media_type in (None, "text/markdown"):
        return src.content
    if not content:
        return ""
    if media_type == "text/markdown":
        return content
    return markdownify.markdownify(content, heading_style="ATX").strip()


def plain_first_line(html: str | None, limit: int = 200) -> str:
    text = markdownify.markdownify(html or "", convert=[]).strip()
    return (text.splitlines() or [""])[0][:limit]


def clip(text: str | None, limit: int) -> str | None:
    return text[:limit] if text else None


def web_url(url: str | None) -> str | None:
    """A remote media URL we can store and show: http(s), not too long."""
    if not url or len(url) > 2000 or not url.startswith(("https://", "http://")):
        return None
    return url


def display_with_pronouns(display_name: str | None, pronouns: str | None) -> str | None:
    """What moot sends as `name`: Hexbear's `Name [pronouns]`, readable by every server."""
    if pronouns and display_name:
        return f"{display_name} [{pronouns}]"
    return display_name or None


def split_pronouns(name: str | None) -> tuple[str | None, str | None]:
    """`Name [they/them]` → ("Name", "they/them"); anything else is just a name."""
    if not name or not name.strip():
        return None, None
    found = _PRONOUNS.match(name)
    if found is None:
        return name.strip(), None
    return found["name"].strip() or None, found["pronouns"].strip()


async def instance_id_for(conn: Connection, domain: str) -> int:
    """The instance row of a remote domain, made the first time the domain is seen."""
    return await upsert.id_of(conn, m.instance, "domain", {"domain": domain, "published": utcnow()})
