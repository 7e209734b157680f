"""The transactional outbox: an action writes what it sends in its own transaction.

Delivery (moot/workers/delivery.py) reads the rows in id order, per destination instance.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import msgspec
import sqlalchemy as sa

from moot.db import models as m
from moot.db.engine import Connection
from moot.db.types import utcnow
from moot.federation.compose import Json, document


async def enqueue(
    conn: Connection,
    activity: Json,
    signer: str,
    *,
    inboxes: Iterable[str] = (),
    followers_of: int | None = None,
    all_instances: bool = False,
    sensitive: bool = False,
) -> None:
    """Queue `activity`, signed by the local actor `signer`, for these destinations."""
    await conn.execute(
        sa.insert(m.sent_activity).values(
            ap_id=activity["id"],
            data=msgspec.json.encode(document(activity)).decode(),
            actor_apub_id=signer,
            sensitive=sensitive,
            send_inboxes=json.dumps(sorted(set(inboxes))),
            send_community_followers_of=followers_of,
            send_all_instances=all_instances,
            published=utcnow(),
        )
    )


def inbox_of(row: dict[str, object]) -> str:
    """Where to deliver to a remote actor: its shared inbox if it has one."""
    return str(row.get("shared_inbox_url") or row["inbox_url"])
