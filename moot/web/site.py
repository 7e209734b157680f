"""About this instance, and the title search box."""

from __future__ import annotations

from litestar import MediaType, get
from litestar.response import Redirect, Template

from moot import LEMMY_API_VERSION, __version__
from moot.actions.site import site_counts
from moot.actions.site_state import totals
from moot.db.browse import admins, communities_by_size
from moot.db.engine import Row
from moot.db.post_listing import PostFilter
from moot.db.search import search_posts
from moot.errors import ApiError, ErrorCode
from moot.federation.lookup import is_lookup, look_up
from moot.text.markdown import render_markdown
from moot.web.names import handle
from moot.web.pages import AnyRequest, go, load_page, one_page, render, state
from moot.web.views import post_cards

SEARCH_PAGE_SIZE = 20
SEARCH_MAX_PAGE = 500
QUERY_MAX_LENGTH = 200


@get("/about", media_type=MediaType.HTML, include_in_schema=False)
async def about(request: AnyRequest) -> Template:
    async with state(request).db.connection() as conn:
        page = await load_page(conn, request)
        people = await admins(conn)
        communities = await communities_by_size(conn, show_nsfw=page.show_nsfw, limit=20)
        counts = site_counts(await totals(conn))
    sidebar = page.site["sidebar"]
    legal = page.local_site["legal_information"]
    return render(
        "about.html",
        page,
        title=f"About {page.site['name']}",
        counts=counts,
        admins=people,
        communities=communities,
        # Sidebars are rare, short reads: rendered here rather than cached on the row.
        sidebar_html=render_markdown(sidebar) if sidebar else None,
        legal_html=render_markdown(legal) if legal else None,
        version=__version__,
        api_version=LEMMY_API_VERSION,
    )


def _not_found(exc: ApiError) -> str:
    if exc.code is ErrorCode.NOT_LOGGED_IN:
        return "Log in to look it up on its own server."
    # The reason is the remote server's part ("WebFinger names no actor ..."): worth reading.
    return f"It could not be found ({exc.message})." if exc.message else "It could not be found."


def _page_of(kind: str, row: Row) -> str:
    if kind == "community":
        return f"/c/{handle(row)}"
    if kind == "person":
        return f"/u/{handle(row)}"
    return f"/{kind}/{row['id']}"


@get("/search", media_type=MediaType.HTML, include_in_schema=False)
async def search(request: AnyRequest, q: str | None = None, page: int = 1) -> Template | Redirect:
    """Words in post titles; or, for `!community@host`, `@person@host` or a URL, the page
    of what that names, fetched from its server if this instance does not know it yet."""
    words = (q or "").strip()[:QUERY_MAX_LENGTH]
    number = min(max(page, 1), SEARCH_MAX_PAGE)
    moot = state(request)
    async with moot.db.connection() as conn:
        frame = await load_page(conn, request)
    lookup_error = None
    if is_lookup(words) and moot.federation is not None:
        try:
            kind, row = await look_up(moot.federation, words, signed_in=frame.viewer is not None)
        except ApiError as exc:
            lookup_error = _not_found(exc)
        else:
            return go(_page_of(kind, row))
    async with moot.db.connection() as conn:
        rows: list[Row] = []
        has_next = False
        if words and lookup_error is None:

            async def some(page: int, limit: int) -> list[Row]:
                return await search_posts(
                    conn,
                    PostFilter(sort="New", show_nsfw=frame.show_nsfw, featured_first=False),
                    words,
                    title_only=True,
                    page=page,
                    limit=limit,
                )

            rows, has_next = await one_page(some, number, SEARCH_PAGE_SIZE)
        cards = await post_cards(conn, rows, frame.viewer)
    return render(
        "search.html",
        frame,
        status=404 if lookup_error else 200,
        title=f"Search: {words}" if words else "Search",
        q=words,
        lookup_error=lookup_error,
        cards=cards,
        number=number,
        has_next=has_next,
    )


handlers = [about, search]
