"""What the moderator and admin forms share: the fields of a ban, a person named in a form,
whether to offer an action on someone (asked of the action's own rank check), and the
second question a purge asks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from litestar.datastructures import FormMultiDict
from litestar.response import Template

from moot.actions.actor import Actor
from moot.actions.authority import check_higher_admin, check_higher_mod, require_admin
from moot.actions.lookups import get_person
from moot.db import queries
from moot.db.engine import Connection, Row
from moot.errors import ApiError, ErrorCode
from moot.web.pages import AnyRequest, flag, ident, load_page, render, state, text


@dataclass(frozen=True)
class BanTerms:
    ban: bool
    reason: str | None
    expires: int | None  # unix seconds, as the API's `expires`
    remove_data: bool


def _expiry(raw: str) -> int | None:
    """A date field (YYYY-MM-DD): the ban ends as that day begins, UTC."""
    if not raw.strip():
        return None
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError:
        raise ApiError(ErrorCode.INVALID_QUERY, "the end of the ban is not a date") from None
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def ban_terms(form: FormMultiDict) -> BanTerms:
    ban = flag(form, "ban")
    return BanTerms(
        ban=ban,
        reason=text(form, "reason") or None,
        expires=_expiry(text(form, "expires")) if ban else None,
        remove_data=flag(form, "remove_data"),
    )


async def named_person(conn: Connection, form: FormMultiDict, key: str = "name") -> Row:
    """The person a form names: by id (a button beside them), or by a name typed in (local,
    or name@instance)."""
    raw_id = text(form, "person_id").strip()
    if raw_id:
        if not raw_id.isdigit():
            raise ApiError(ErrorCode.COULDNT_FIND_PERSON)
        return await get_person(conn, ident(int(raw_id)))
    name = text(form, key).strip().removeprefix("@")
    found = await queries.person_by_name(conn, name) if name else None
    if found is None:
        raise ApiError(ErrorCode.COULDNT_FIND_PERSON)
    return found


async def outranks_in(conn: Connection, community_id: int, actor: Actor, person_id: int) -> bool:
    """Whether the actor may act on the person in this community (the actions' own check)."""
    try:
        await check_higher_mod(conn, community_id, actor.person_id, [person_id])
    except ApiError:
        return False
    return True


async def outranks_on_site(conn: Connection, actor: Actor, person_id: int) -> bool:
    if not actor.is_admin:
        return False
    try:
        await check_higher_admin(conn, actor.person_id, [person_id])
    except ApiError:
        return False
    return True


async def purge_unconfirmed(
    request: AnyRequest, form: FormMultiDict, what: str, cancel: str
) -> Template | None:
    """A purge cannot be undone, so its form's first post answers with a page that says so
    and asks again (the same fields, confirmed); None once confirmed. Only an admin, who may
    purge, is asked: anyone else is refused as the purge itself would refuse them."""
    if flag(form, "confirmed"):
        return None
    async with state(request).db.connection() as conn:
        page = await load_page(conn, request)
    if page.viewer is None:
        raise ApiError(ErrorCode.NOT_LOGGED_IN)
    require_admin(page.viewer)
    hidden = {k: v for k, v in form.items() if k != "_csrf_token" and isinstance(v, str)}
    return render(
        "confirm.html",
        page,
        title=f"Purge {what}",
        question=f"Purge {what}?",
        warning=(
            f"Purging deletes {what} and everything in it (comments, votes, pictures) from"
            " this instance's database. It cannot be undone: removing keeps it, and can be"
            " reversed."
        ),
        action=request.url.path,
        cancel=cancel,
        button="Purge for good",
        hidden={**hidden, "confirmed": "1"},
    )
