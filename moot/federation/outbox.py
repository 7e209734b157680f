"""The transactional outbox: an action writes what it sends in its own transaction.

Delivery (moot/workers/delivery.py) reads the rows in id order, per destination instance.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Sequence

import msgspec
import sqlalchemy as sa

from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.prepared import Prepared
from moot.db.types import utcnow
from moot.federation import urls
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
    await enqueue_all(
        conn,
        [queued(activity, signer, inboxes, followers_of, all_instances, sensitive)],
    )


def queued(
    activity: Json,
    signer: str,
    inboxes: Iterable[str] = (),
    followers_of: int | None = None,
    all_instances: bool = False,
    sensitive: bool = False,
) -> dict[str, object]:
    """One outbox row, as `enqueue` takes it apart."""
    return {
        "ap_id": activity["id"],
        "data": msgspec.json.encode(document(activity)).decode(),
        "actor_apub_id": signer,
        "sensitive": sensitive,
        "send_inboxes": json.dumps(sorted(set(inboxes))),
        "send_community_followers_of": followers_of,
        "send_all_instances": all_instances,
        "published": utcnow(),
    }


async def enqueue_all(conn: Connection, rows: Sequence[dict[str, object]]) -> None:
    """Queue several rows (`queued`) in one statement; delivery sends them in this order."""
    if rows:
        params = {f"{name}_{i}": value for i, row in enumerate(rows) for name, value in row.items()}
        await conn.run(_QUEUED, params, len(rows))


# The columns `queued` gives a row.
_COLUMNS = (
    "ap_id",
    "data",
    "actor_apub_id",
    "sensitive",
    "send_inboxes",
    "send_community_followers_of",
    "send_all_instances",
    "published",
)


def _queued_statement(dialect: str, count: int) -> sa.Insert:
    """The insert of `count` outbox rows, built once per count: each row's values are the
    parameters `<column>_<row>` (moot/db/prepared.py)."""
    t = m.sent_activity
    return sa.insert(t).values(
        [
            {name: sa.bindparam(f"{name}_{i}", type_=t.c[name].type) for name in _COLUMNS}
            for i in range(count)
        ]
    )


_QUEUED = Prepared(_queued_statement)


def inbox_of(row: dict[str, object]) -> str:
    """Where to deliver to a remote actor: its shared inbox if it has one."""
    return str(row.get("shared_inbox_url") or row["inbox_url"])


async def inboxes_on(conn: Connection, instance: Row, rows: Sequence[Row]) -> dict[int, list[str]]:
    """Which inboxes of `instance` each outbox row goes to (often none): the inboxes named
    on that server, its followers of the row's community, and its site inbox for activities
    to every instance. Delivery sends by this, and the admins' lag counts by it."""
    domain = str(instance["domain"])
    communities = {
        int(r["send_community_followers_of"]) for r in rows if r["send_community_followers_of"]
    }
    followers: dict[int, set[str]] = {}
    f, p = m.community_follower, m.person
    if communities:
        found = await conn.fetch_all(
            sa.select(f.c.community_id, p.c.shared_inbox_url, p.c.inbox_url)
            .join(p, p.c.id == f.c.person_id)
            .where(
                f.c.community_id.in_(sorted(communities)),
                p.c.instance_id == instance["id"],
                ~p.c.local,
                # Private communities send only to approved followers' instances.
                ~f.c.approval_required,
            )
        )
        for r in found:
            followers.setdefault(int(r["community_id"]), set()).add(inbox_of(r))
    site_inbox = None
    if any(r["send_all_instances"] for r in rows):
        site_inbox = await conn.scalar(
            sa.select(m.site.c.inbox_url).where(m.site.c.instance_id == instance["id"])
        )
    out: dict[int, list[str]] = {}
    for row in rows:
        inboxes = set(_on_domain(json.loads(row["send_inboxes"]), domain))
        if row["send_community_followers_of"]:
            inboxes |= followers.get(int(row["send_community_followers_of"]), set())
        if row["send_all_instances"] and site_inbox:
            inboxes.add(str(site_inbox))
        out[int(row["id"])] = sorted(inboxes)
    return out


def _on_domain(inboxes: Iterable[str], domain: str) -> list[str]:
    mine = []
    for url in inboxes:
        with contextlib.suppress(ValueError):
            if urls.domain(url) == domain:
                mine.append(url)
    return mine
