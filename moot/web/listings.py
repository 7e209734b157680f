"""The front page and a community's page: tabs, sorts, a page of posts, the next page."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Annotated, Any

import sqlalchemy as sa
from litestar import MediaType, get
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from moot.actions import listing_defaults
from moot.actions.communities import shown_to
from moot.auth import Viewer
from moot.db import models as m
from moot.db import queries
from moot.db.browse import communities_by_size, has_admin
from moot.db.engine import Connection, Row
from moot.db.post_listing import (
    PostFilter,
    decode_cursor,
    encode_cursor,
    list_posts,
    member_filters,
)
from moot.db.tags import community_tags
from moot.request_context import listing_connection
from moot.web.choices import (
    LISTING_TYPES,
    MODERATOR_VIEW,
    POST_SORTS,
    SORT_HELP_URL,
    SORT_SHORTLIST,
    pick,
)
from moot.web.list_options import Pages, Trail, pages
from moot.web.pages import AnyRequest, Page, go, load_page, render, state
from moot.web.site_aside import site_aside
from moot.web.views import AROUND, PostCard, listed_post_cards

PAGE_SIZE = 20
SIDEBAR_COMMUNITIES = 10
SIDEBAR_SECONDS = 60
_SIDEBAR = "front page sidebar"


@dataclass(frozen=True)
class Listing:
    cards: list[PostCard]
    sort: str
    listing_type: str
    pages: Pages
    show_read: bool  # a member's read posts are listed (their setting)


async def post_listing(
    conn: Connection,
    page: Page,
    *,
    requested_type: str | None,
    requested_sort: str | None,
    cursor: str | None,
    trail: str | None,
    community_id: int | None = None,
    multi_community_id: int | None = None,
    tag_id: int | None = None,
) -> Listing:
    viewer: Viewer | None = page.viewer
    user = viewer.local_user if viewer is not None else None
    # The same defaults the API applies when a client leaves type and sort out.
    listing_type = listing_defaults.listing_type(
        pick(requested_type, LISTING_TYPES | MODERATOR_VIEW),
        viewer,
        page.local_site,
        in_community=community_id is not None or multi_community_id is not None,
    )
    if listing_type not in LISTING_TYPES and not (
        listing_type == "ModeratorView" and page.nav is not None and page.nav.moderates
    ):
        listing_type = "Local"
    sort = listing_defaults.post_sort(pick(requested_sort, POST_SORTS), viewer, page.local_site)
    f = PostFilter(
        listing_type=listing_type,
        sort=sort,
        community_id=community_id,
        multi_community_id=multi_community_id,
        tag_id=tag_id,
        viewer_id=viewer.person_id if viewer else None,
        viewer_local_user_id=viewer.local_user_id if viewer else None,
        show_read=bool(user["show_read_posts"]) if user else True,
        show_nsfw=page.show_nsfw,
        show_bots=bool(user["show_bot_accounts"]) if user else True,
        **member_filters(user),
    )
    after = decode_cursor(cursor) if cursor else None
    rows = await list_posts(conn, f, 1, PAGE_SIZE + 1, after, around=AROUND)
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    one_place = community_id is not None or multi_community_id is not None
    query = {"sort": sort} if one_place else {"type": listing_type, "sort": sort}
    if tag_id is not None:
        query["tag"] = str(tag_id)
    return Listing(
        cards=await listed_post_cards(conn, rows, viewer),
        sort=sort,
        listing_type=listing_type,
        pages=pages(
            query,
            cursor if after is not None else None,
            Trail.parse(trail),
            encode_cursor(int(rows[-1]["id"])) if more else None,
        ),
        show_read=f.show_read,
    )


def menus() -> dict[str, Any]:
    return {
        "sorts": POST_SORTS,
        "sort_shortlist": SORT_SHORTLIST,
        "listing_types": LISTING_TYPES,
        "sort_help_url": SORT_HELP_URL,
    }


@get("/", media_type=MediaType.HTML, include_in_schema=False)
async def home(
    request: AnyRequest,
    listing: Annotated[str | None, QueryParameter(name="type")] = None,
    sort: str | None = None,
    page_cursor: str | None = None,
    back: str | None = None,
) -> Template | Redirect:
    async with listing_connection(request) as conn:  # anonymous: the read replica's
        if not await has_admin(conn):
            return go("/setup")
        page = await load_page(conn, request)
        shown = await post_listing(
            conn,
            page,
            requested_type=listing,
            requested_sort=sort,
            cursor=page_cursor,
            trail=back,
        )
        communities = await _sidebar_communities(conn, page)
        aside = await site_aside(conn)
    shown_menus = menus()
    if page.nav is not None and page.nav.moderates:
        shown_menus["listing_types"] = LISTING_TYPES | MODERATOR_VIEW
    return render(
        "home.html",
        page,
        title="Front page",
        listing=shown,
        communities=communities,
        sidebar_html=aside.sidebar_html,
        tagline_html=aside.tagline(),
        **shown_menus,
    )


async def _sidebar_communities(conn: Connection, page: Page) -> list[Row]:
    """The largest communities, kept by the process for SIDEBAR_SECONDS: the front page
    shows them on every visit, and reading them (every community, sorted by subscribers)
    cost as much as the page's posts. A new community, or a new order, shows within that
    time (docs/decisions.md, "The front page's sidebar kept for a minute")."""
    key = f"{_SIDEBAR} nsfw={page.show_nsfw}"
    kept = conn.cache.get(key)
    now = time.monotonic()
    if kept is not None and kept[0] > now:
        return list(kept[1])
    rows = await communities_by_size(conn, show_nsfw=page.show_nsfw, limit=SIDEBAR_COMMUNITIES)
    if not conn.replica:  # a replica's reads may lag: never kept
        conn.cache[key] = (now + SIDEBAR_SECONDS, tuple(rows))
    return rows


async def community_or_none(conn: Connection, name: str) -> Row | None:
    found = await queries.community_by_name(conn, name)
    if found is None or found["deleted"] or found["removed"]:
        return None
    return found


@dataclass(frozen=True)
class CommunityFacts:
    community: Row
    moderators: list[Row]
    subscribed: str  # "Subscribed", "Pending" or "NotSubscribed", as the API says it
    can_moderate: bool
    # Of a remote community: its server's name, and whether the viewer blocks that server.
    instance_domain: str | None = None
    instance_blocked: bool = False  # its communities
    instance_persons_blocked: bool = False


async def instance_marks(
    conn: Connection, person_id: int | None, instance_id: int
) -> tuple[str, bool, bool]:
    """An instance's domain, and whether `person_id` (if any) blocks its communities, and
    its persons: one statement."""
    i, ib, ipb = m.instance.c, m.instance_block.c, m.instance_person_block.c
    me = sa.literal(person_id if person_id is not None else 0)
    row = await conn.fetch_one(
        sa.select(
            i.domain,
            sa.exists().where(ib.person_id == me, ib.instance_id == i.id).label("c"),
            sa.exists().where(ipb.person_id == me, ipb.instance_id == i.id).label("p"),
        ).where(i.id == instance_id)
    )
    if row is None:
        return "", False, False
    return str(row["domain"]), bool(row["c"]), bool(row["p"])


async def community_facts(
    conn: Connection, community: Row, viewer: Viewer | None
) -> CommunityFacts:
    cid = int(community["id"])
    rows = await queries.community_moderators(conn, [cid])
    persons = await queries.rows_by_id(conn, m.person, {int(r["person_id"]) for r in rows})
    moderators = [persons[int(r["person_id"])] for r in rows]
    subscribed = "NotSubscribed"
    if viewer is not None:
        follows = await queries.follows(conn, viewer.person_id, [cid])
        if cid in follows:
            subscribed = "Pending" if follows[cid] else "Subscribed"
    can_moderate = viewer is not None and (
        viewer.is_admin or any(int(p["id"]) == viewer.person_id for p in moderators)
    )
    domain: str | None = None
    blocked = people_blocked = False
    if not community["local"]:
        viewer_id = viewer.person_id if viewer is not None else None
        domain, blocked, people_blocked = await instance_marks(
            conn, viewer_id, int(community["instance_id"])
        )
    return CommunityFacts(
        community, moderators, subscribed, can_moderate, domain, blocked, people_blocked
    )


@get("/c/{name:str}", media_type=MediaType.HTML, include_in_schema=False)
async def community_page(
    request: AnyRequest,
    name: str,
    sort: str | None = None,
    page_cursor: str | None = None,
    back: str | None = None,
    tag: str | None = None,
) -> Template:
    async with state(request).db.connection() as conn:
        page = await load_page(conn, request)
        community = await queries.community_by_name(conn, name)
        if community is None or not await shown_to(conn, community, page.viewer):
            return render(
                "not_found.html",
                page,
                status=404,
                title="Not found",
                what=f"There is no community called {name} here.",
            )
        facts = await community_facts(conn, community, page.viewer)
        # Whether the member blocks it, for the page's Block button (POST /community/block's
        # action, from blocks.block_community); not one of the facts the post page shares.
        blocked = page.viewer is not None and bool(
            await queries.person_marks(
                conn, m.community_block, "community_id", page.viewer.person_id, [community["id"]]
            )
        )
        # Its tags, to filter the listing by one (`?tag=ID`, a link: no script needed).
        tags = (await community_tags(conn, [int(community["id"])]))[int(community["id"])]
        chosen = next((t for t in tags if str(t["id"]) == tag), None)
        shown = await post_listing(
            conn,
            page,
            requested_type=None,
            requested_sort=sort,
            cursor=page_cursor,
            trail=back,
            community_id=int(community["id"]),
            tag_id=int(chosen["id"]) if chosen is not None else None,
        )
    return render(
        "community.html",
        page,
        title=str(community["title"]),
        c=facts,
        community_blocked=blocked,
        listing=shown,
        tags=tags,
        chosen_tag=chosen,
        **menus(),
    )


handlers = [home, community_page]
