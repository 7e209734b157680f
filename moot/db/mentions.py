"""Whom a text mentions, among the persons this instance knows (notices go to the local
ones; outgoing Notes tag and address every one)."""

from __future__ import annotations

from moot.db import queries
from moot.db.engine import Connection, Row
from moot.federation import urls
from moot.text.mentions import mentions_in


async def local_host(conn: Connection) -> str:
    """This instance's host as people write it in a mention (with any port)."""
    return urls.written_authority(await queries.local_origin(conn))


async def mentioned_persons(conn: Connection, text: str) -> list[Row]:
    """The persons moot knows that `text` mentions: local ones only when the host is this
    instance's exactly (port included, as Lemmy compares), remote ones by their domain."""
    here = await local_host(conn)
    here_domain = urls.hostname_domain(here)
    found: list[Row] = []
    for mention in mentions_in(text):
        if mention.host == here:
            row = await queries.person_by_name(conn, mention.name)
        elif mention.domain == here_domain:
            continue  # this machine's name with another port: not this instance
        else:
            row = await queries.person_by_name(conn, f"{mention.name}@{mention.domain}")
        if row is not None and not row["deleted"]:
            found.append(row)
    return found
