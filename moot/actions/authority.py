"""Who may moderate what: the permission rules every moderator and admin action checks.

Each action calls these itself (never its front door), so the API, the web interface and
federation cannot disagree. The rules and codes are Lemmy 0.19's: a moderator acts inside
the communities they moderate, an admin everywhere; neither may act on someone ranked above
them (an earlier moderator, or an earlier admin).
"""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa

from moot.actions.actor import Actor, is_remote
from moot.actions.communities import check_mod_or_admin, is_banned_from
from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.types import utcnow
from moot.errors import ApiError, ErrorCode


def require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise ApiError(ErrorCode.NOT_AN_ADMIN)


async def require_valid_person(conn: Connection, person_id: int) -> Row:
    """The acting person must exist and be neither banned from the site nor deleted."""
    person = await conn.fetch_one(sa.select(m.person).where(m.person.c.id == person_id))
    if person is None:
        raise ApiError(ErrorCode.COULDNT_FIND_PERSON)
    if person["banned"] and (person["ban_expires"] is None or person["ban_expires"] > utcnow()):
        raise ApiError(ErrorCode.SITE_BAN)
    if person["deleted"]:
        raise ApiError(ErrorCode.DELETED)
    return person


async def require_mod_action(
    conn: Connection, actor: Actor, community: Row, *, allow_deleted: bool = False
) -> None:
    """A moderator action in `community`: by one of its moderators or an admin, who is not
    banned from it, in a community that still exists (unless restoring it)."""
    await require_valid_person(conn, actor.person_id)
    await check_mod_or_admin(conn, actor, int(community["id"]))
    if await is_banned_from(conn, int(community["id"]), actor.person_id):
        raise ApiError(ErrorCode.BANNED_FROM_COMMUNITY)
    if not allow_deleted and (community["deleted"] or community["removed"]):
        raise ApiError(ErrorCode.DELETED)


def moderated_by(person_id: int) -> sa.Select[tuple[int]]:
    """The ids of the communities a person moderates, as a subquery."""
    t = m.community_moderator
    return sa.select(t.c.community_id).where(t.c.person_id == person_id)


async def require_mod_somewhere_or_admin(conn: Connection, actor: Actor) -> None:
    if actor.is_admin:
        return
    t = m.community_moderator
    found = await conn.scalar(
        sa.select(sa.func.count()).select_from(t).where(t.c.person_id == actor.person_id)
    )
    if not found:
        raise ApiError(ErrorCode.NOT_A_MOD_OR_ADMIN)


async def _admins_in_order(conn: Connection, person_ids: Collection[int]) -> list[int]:
    """The admins among `person_ids`, the earliest appointed (lowest local user) first."""
    rows = await conn.fetch_all(
        sa.select(m.local_user.c.person_id)
        .where(m.local_user.c.admin, m.local_user.c.person_id.in_(sorted(set(person_ids))))
        .order_by(m.local_user.c.id)
    )
    return [int(r["person_id"]) for r in rows]


async def check_higher_mod(
    conn: Connection, community_id: int, actor_id: int, target_ids: Collection[int]
) -> None:
    """The actor must outrank every moderator or admin among the targets: admins rank above
    moderators, and within each, whoever was appointed first ranks higher."""
    people = {actor_id, *target_ids}
    t = m.community_moderator
    mods = await conn.fetch_all(
        sa.select(t.c.person_id)
        .where(t.c.community_id == community_id, t.c.person_id.in_(sorted(people)))
        .order_by(t.c.published, t.c.id)
    )
    ranked = await _admins_in_order(conn, people) + [int(r["person_id"]) for r in mods]
    if ranked and ranked[0] != actor_id:
        raise ApiError(ErrorCode.NOT_HIGHER_MOD)


async def check_outranks(
    conn: Connection, actor: Actor, community: Row, target_ids: Collection[int]
) -> None:
    """`check_higher_mod` for an action in `community`. A remote actor's action in a
    community of another instance was ranked by that community's own instance, against the
    list it keeps; the copy here decides nothing (Lemmy checks no rank on receipt)."""
    if is_remote(actor) and not community["local"]:
        return
    await check_higher_mod(conn, int(community["id"]), actor.person_id, target_ids)


async def check_higher_admin(conn: Connection, actor_id: int, target_ids: Collection[int]) -> None:
    """Among admins, only an earlier one may act on a later one."""
    ranked = await _admins_in_order(conn, {actor_id, *target_ids})
    if ranked and ranked[0] != actor_id:
        raise ApiError(ErrorCode.NOT_HIGHER_ADMIN)


async def top_moderator(conn: Connection, community_id: int) -> int | None:
    t = m.community_moderator
    found = await conn.scalar(
        sa.select(t.c.person_id)
        .where(t.c.community_id == community_id)
        .order_by(t.c.published, t.c.id)
        .limit(1)
    )
    return None if found is None else int(found)
