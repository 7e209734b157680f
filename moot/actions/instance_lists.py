"""An admin blocks or allows federation with one instance at a time (Lemmy 1.0's
adminBlockInstance / adminAllowInstance), beside the site settings' whole lists
(moot/federation/policy.py `save_lists`, which both change). A block may end; each entry
keeps its reason. Listing is an upsert on the instance: the same request twice, or two at
once, leave one entry, the last written."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from moot.actions.actor import Actor
from moot.actions.authority import require_admin
from moot.db import models as m
from moot.db.engine import Connection
from moot.db.types import utcnow
from moot.errors import ApiError, ErrorCode
from moot.federation.objects.common import instance_id_for
from moot.federation.policy import clean_domain

REASON_MAX = 1000


def _checked(actor: Actor, instance: str, reason: str, own: str) -> tuple[str, str]:
    require_admin(actor)
    domain = clean_domain(instance)
    if not domain:
        raise ApiError(ErrorCode.INVALID_BODY_FIELD, "not an instance's domain")
    if domain == own.lower():
        raise ApiError(ErrorCode.INVALID_BODY_FIELD, "this instance itself")
    if len(reason) > REASON_MAX:
        raise ApiError(ErrorCode.INVALID_BODY_FIELD, f"a reason has at most {REASON_MAX} chars")
    return domain, reason.strip()


async def _listed(
    conn: Connection, table: sa.Table, domain: str, on: bool, values: dict[str, object]
) -> None:
    instance_id = await instance_id_for(conn, domain)
    if not on:
        await conn.execute(sa.delete(table).where(table.c.instance_id == instance_id))
        return
    stmt = insert(table).values(instance_id=instance_id, published=utcnow(), **values)
    await conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[table.c.instance_id],
            set_={key: stmt.excluded[key] for key in values},
        )
    )


async def block_instance(
    conn: Connection,
    actor: Actor,
    own: str,
    instance: str,
    block: bool,
    reason: str,
    expires: datetime | None,
) -> None:
    """Block federation with `instance` (until `expires`, if given), or lift the block."""
    domain, why = _checked(actor, instance, reason, own)
    if block and expires is not None and expires <= utcnow():
        raise ApiError(ErrorCode.INVALID_BODY_FIELD, "expires_at is in the past")
    await _listed(conn, m.federation_blocklist, domain, block, {"reason": why, "expires": expires})


async def allow_instance(
    conn: Connection, actor: Actor, own: str, instance: str, allow: bool, reason: str
) -> None:
    """Put `instance` on the allowlist (federation then goes to listed instances only), or
    take it off."""
    domain, why = _checked(actor, instance, reason, own)
    await _listed(conn, m.federation_allowlist, domain, allow, {"reason": why})
