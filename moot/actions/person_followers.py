"""Remote persons following a local person (Mastodon users following a moot user).

Lemmy 0.19 stores such a follower at once and answers with an Accept; the follower then gets
the person's posts, comments and votes directly (see publish.in_community).
"""

from __future__ import annotations

import sqlalchemy as sa

from moot.actions.actor import RemoteActor
from moot.actions.authority import require_valid_person
from moot.db import models as m
from moot.db.engine import Connection
from moot.db.types import utcnow
from moot.db.upsert import insert_if_absent
from moot.errors import ApiError, ErrorCode
from moot.federation import publish

F = m.person_follower


async def follow_person(
    conn: Connection, follower: RemoteActor, person_id: int, follow: bool
) -> None:
    """Store or remove `follower` as a follower of the local person `person_id`."""
    person = await conn.fetch_one(sa.select(m.person).where(m.person.c.id == person_id))
    if person is None or not person["local"]:
        raise ApiError(ErrorCode.COULDNT_FIND_PERSON, "only local persons are followed here")
    mine = (F.c.person_id == person_id) & (F.c.follower_id == follower.person_id)
    if not follow:
        await conn.execute(sa.delete(F).where(mine))
        return
    try:
        await require_valid_person(conn, person_id)
    except ApiError as refused:  # banned or deleted: no new followers, as in Lemmy
        reason = f"{person['actor_id']} takes no followers ({refused.code.value})"
        raise ApiError(refused.code, reason) from refused
    await insert_if_absent(
        conn,
        F,
        ("person_id", "follower_id"),
        person_id=person_id,
        follower_id=follower.person_id,
        published=utcnow(),
    )
    # A repeated Follow is answered again: the first Accept may have been lost.
    await publish.person_followed(conn, follower, person)
