"""The admin pages: an index, registration applications, people (admins and site bans, with
the same controls on each profile), purging a person, custom emoji (a picture by address
or from a file), and outgoing federation (how far behind delivery to each instance is).
Site settings are in `site_settings`. Every form calls the action the API calls, which
checks the admin itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from litestar import MediaType, get, post
from litestar.response import Redirect, Template

from moot.actions import admin, bans, emoji, purge, registrations
from moot.actions.authority import require_admin
from moot.actions.site import custom_emoji_views
from moot.auth import Viewer
from moot.db import applications
from moot.db import models as m
from moot.db import queries as q
from moot.db.bans import site_banned
from moot.db.browse import admins
from moot.db.engine import Connection, Row
from moot.db.types import utcnow
from moot.errors import ApiError, ErrorCode
from moot.federation.lag import SCAN, delivery_lag, known_instances
from moot.federation.policy import read_policy
from moot.federation.urls import hostname_domain
from moot.request_context import required_viewer
from moot.web import uploads
from moot.web.modforms import ban_terms, named_person, outranks_on_site, purge_unconfirmed
from moot.web.pages import (
    AnyRequest,
    Page,
    back,
    flag,
    go,
    ident,
    is_htmx,
    load_page,
    one_page,
    render,
    state,
    text,
)
from moot.web.uploads import Uploaded

PAGE_SIZE = 20
PAGE_MAX = 500


async def _admin_page(conn: Connection, request: AnyRequest) -> Page:
    page = await load_page(conn, request)
    if page.viewer is None:
        raise ApiError(ErrorCode.NOT_LOGGED_IN)
    require_admin(page.viewer)
    return page


@get("/admin", media_type=MediaType.HTML, include_in_schema=False)
async def admin_index(request: AnyRequest) -> Template:
    async with state(request).db.connection() as conn:
        page = await _admin_page(conn, request)
    return render("admin.html", page, title="Admin")


@dataclass(frozen=True)
class Application:
    row: Row
    person: Row
    decided_by: Row | None
    accepted: bool

    @property
    def state(self) -> str:
        if self.row["admin_id"] is None:
            return "pending"
        return "approved" if self.accepted else "denied"


async def application_items(conn: Connection, rows: Sequence[Row]) -> list[Application]:
    users = await q.rows_by_id(conn, m.local_user, {int(r["local_user_id"]) for r in rows})
    people = {int(u["person_id"]) for u in users.values()}
    people |= {int(r["admin_id"]) for r in rows if r["admin_id"] is not None}
    persons = await q.rows_by_id(conn, m.person, people)
    out = []
    for r in rows:
        user = users[int(r["local_user_id"])]
        out.append(
            Application(
                r,
                persons[int(user["person_id"])],
                persons.get(int(r["admin_id"])) if r["admin_id"] is not None else None,
                bool(user["accepted_application"]),
            )
        )
    return out


@get("/admin/applications", media_type=MediaType.HTML, include_in_schema=False)
async def applications_page(
    request: AnyRequest, show: str | None = None, page: int = 1
) -> Template:
    everything = show == "all"
    number = min(max(page, 1), PAGE_MAX)
    async with state(request).db.connection() as conn:
        frame = await _admin_page(conn, request)

        async def some(page: int, limit: int) -> list[Row]:
            return await applications.list_applications(
                conn, frame.local_site, unread_only=not everything, page=page, limit=limit
            )

        rows, has_next = await one_page(some, number, PAGE_SIZE)
        items = await application_items(conn, rows)
    return render(
        "admin_applications.html",
        frame,
        title="Registration applications",
        items=items,
        everything=everything,
        number=number,
        has_next=has_next,
    )


@post(
    "/admin/applications/{application_id:int}", media_type=MediaType.HTML, include_in_schema=False
)
async def decide(request: AnyRequest, application_id: int) -> Template | Redirect:
    moot = state(request)
    form = await request.form()
    async with moot.db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        row = await registrations.decide(
            tx,
            viewer,
            ident(application_id),
            flag(form, "approve"),
            text(form, "deny_reason") or None,
        )
    if not is_htmx(request):
        return back(request, "/admin/applications")
    async with moot.db.connection() as conn:
        page = await load_page(conn, request)
        item = (await application_items(conn, [row]))[0]
    return render("fragments/application.html", page, item=item)


@dataclass(frozen=True)
class PersonStanding:
    """A person as the admin controls show them: admin or not, banned or not, and whether
    the viewing admin outranks them (the actions' own check)."""

    person: Row
    is_admin: bool
    is_local_user: bool
    banned: bool
    outranked: bool


async def standing(conn: Connection, viewer: Viewer, person: Row) -> PersonStanding:
    user = await conn.fetch_one(
        m.local_user.select().where(m.local_user.c.person_id == person["id"])
    )
    expires = person["ban_expires"]
    return PersonStanding(
        person=person,
        is_admin=bool(user is not None and user["admin"]),
        is_local_user=user is not None,
        banned=bool(person["banned"]) and (expires is None or expires > utcnow()),
        outranked=await outranks_on_site(conn, viewer, int(person["id"])),
    )


async def profile_tools(
    conn: Connection, viewer: Viewer | None, person: Row
) -> PersonStanding | None:
    """The admin controls on a profile: for admins, on someone else."""
    if viewer is None or not viewer.is_admin or viewer.person_id == person["id"]:
        return None
    return await standing(conn, viewer, person)


@get("/admin/people", media_type=MediaType.HTML, include_in_schema=False)
async def people_page(request: AnyRequest) -> Template:
    async with state(request).db.connection() as conn:
        page = await _admin_page(conn, request)
        assert page.viewer is not None
        team = [await standing(conn, page.viewer, p) for p in await admins(conn)]
        banned = [await standing(conn, page.viewer, p) for p in await site_banned(conn)]
    return render("admin_people.html", page, title="Admins and bans", team=team, banned=banned)


@post("/admin/admins", media_type=MediaType.HTML, include_in_schema=False)
async def set_admin(request: AnyRequest) -> Redirect:
    form = await request.form()
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        person = await named_person(tx, form)
        await admin.set_admin(tx, viewer, int(person["id"]), flag(form, "added"))
    return back(request, "/admin/people")


@post("/admin/bans", media_type=MediaType.HTML, include_in_schema=False)
async def ban(request: AnyRequest) -> Redirect:
    form = await request.form()
    terms = ban_terms(form)
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        person = await named_person(tx, form)
        await bans.ban_from_site(
            tx,
            viewer,
            int(person["id"]),
            terms.ban,
            remove_data=terms.remove_data,
            reason=terms.reason,
            expires=terms.expires,
        )
    return back(request, "/admin/people")


@post("/admin/purge_person", media_type=MediaType.HTML, include_in_schema=False)
async def purge_person(request: AnyRequest) -> Redirect | Template:
    form = await request.form()
    who = text(form, "name") or "this person"
    asked = await purge_unconfirmed(request, form, who, "/admin/people")
    if asked is not None:
        return asked
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        person = await named_person(tx, form)
        await purge.purge_person(tx, viewer, int(person["id"]), text(form, "reason") or None)
    return go("/admin/people")


@get("/admin/emoji", media_type=MediaType.HTML, include_in_schema=False)
async def emoji_page(request: AnyRequest) -> Template:
    async with state(request).db.connection() as conn:
        page = await _admin_page(conn, request)
        found = await custom_emoji_views(conn)
    return render("admin_emoji.html", page, title="Custom emoji", emojis=found)


@get("/admin/federation", media_type=MediaType.HTML, include_in_schema=False)
async def federation_page(request: AnyRequest) -> Template:
    settings = state(request).settings
    async with state(request).db.connection() as conn:
        page = await _admin_page(conn, request)
        # Read afresh, not through the workers' cache: an admin who just changed the lists
        # sees the state they set.
        policy = await read_policy(conn, hostname_domain(settings.hostname))
        lags = await delivery_lag(conn, await known_instances(conn, settings.hostname), policy)
    return render(
        "admin_federation.html",
        page,
        title="Federation",
        lags=lags,
        enabled=policy.enabled,
        scan=SCAN,
    )


def _keywords(raw: str) -> list[str]:
    return [k for k in raw.replace(",", " ").split() if k]


async def _emoji_picture(request: AnyRequest, form: Any) -> tuple[Viewer, str, Uploaded | None]:
    """The emoji's picture: a file chosen (stored as the viewer's upload), else the
    address typed. Only an admin's file is stored."""
    moot = state(request)
    async with moot.db.connection() as conn:
        viewer = await required_viewer(conn, request)
    require_admin(viewer)
    picture = await uploads.picture_from(moot, viewer, form, "image_file")
    return viewer, picture.url if picture else text(form, "image_url"), picture


async def _image_of(request: AnyRequest, emoji_id: int) -> str | None:
    async with state(request).db.connection() as conn:
        found = await conn.scalar(
            sa.select(m.custom_emoji.c.image_url).where(m.custom_emoji.c.id == emoji_id)
        )
    return str(found) if found is not None else None


@post(
    "/admin/emoji",
    media_type=MediaType.HTML,
    include_in_schema=False,
    request_max_body_size=uploads.FORM_WITH_PICTURE_MAX_BYTES,
)
async def create_emoji(request: AnyRequest) -> Redirect:
    moot = state(request)
    form = await request.form()
    viewer, image_url, picture = await _emoji_picture(request, form)
    try:
        async with moot.db.transaction() as tx:
            await emoji.create(
                tx,
                viewer,
                text(form, "shortcode"),
                image_url,
                text(form, "alt_text"),
                text(form, "category"),
                _keywords(text(form, "keywords")),
            )
    except ApiError:
        await uploads.discard(moot, viewer, picture)
        raise
    return go("/admin/emoji")


@post(
    "/admin/emoji/{emoji_id:int}",
    media_type=MediaType.HTML,
    include_in_schema=False,
    request_max_body_size=uploads.FORM_WITH_PICTURE_MAX_BYTES,
)
async def edit_emoji(request: AnyRequest, emoji_id: int) -> Redirect:
    moot = state(request)
    form = await request.form()
    emoji_id = ident(emoji_id)
    before = await _image_of(request, emoji_id)
    viewer, image_url, picture = await _emoji_picture(request, form)
    try:
        async with moot.db.transaction() as tx:
            await emoji.edit(
                tx,
                viewer,
                emoji_id,
                image_url,
                text(form, "alt_text"),
                text(form, "category"),
                _keywords(text(form, "keywords")),
            )
    except ApiError:
        await uploads.discard(moot, viewer, picture)
        raise
    await uploads.release_replaced(moot, viewer, before, image_url)
    return go("/admin/emoji")


@post("/admin/emoji/{emoji_id:int}/delete", media_type=MediaType.HTML, include_in_schema=False)
async def delete_emoji(request: AnyRequest, emoji_id: int) -> Redirect:
    moot = state(request)
    emoji_id = ident(emoji_id)
    before = await _image_of(request, emoji_id)
    async with moot.db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await emoji.delete(tx, viewer, emoji_id)
    # Its picture goes with it, as a removed avatar's does, if it was this admin's upload.
    await uploads.release_replaced(moot, viewer, before, None)
    return go("/admin/emoji")


handlers = [
    admin_index,
    applications_page,
    decide,
    people_page,
    set_admin,
    ban,
    purge_person,
    emoji_page,
    federation_page,
    create_emoji,
    edit_emoji,
    delete_emoji,
]
