"""About this instance, and the title search box."""

from __future__ import annotations

from litestar import MediaType, get
from litestar.response import Template

from moot import LEMMY_API_VERSION, __version__
from moot.actions.site import site_counts
from moot.db.browse import admins, communities_by_size, search_post_titles
from moot.text.markdown import render_markdown
from moot.web.pages import AnyRequest, load_page, render, state
from moot.web.views import post_cards

SEARCH_PAGE_SIZE = 20
SEARCH_MAX_PAGE = 500
QUERY_MAX_LENGTH = 200
COMMUNITY_LIST_SIZE = 200


@get("/about", media_type=MediaType.HTML, include_in_schema=False)
async def about(request: AnyRequest) -> Template:
    async with state(request).db.connection() as conn:
        page = await load_page(conn, request)
        people = await admins(conn)
        communities = await communities_by_size(conn, show_nsfw=page.show_nsfw, limit=20)
    sidebar = page.site["sidebar"]
    legal = page.local_site["legal_information"]
    return render(
        "about.html",
        page,
        title=f"About {page.site['name']}",
        counts=site_counts(page.local_site),
        admins=people,
        communities=communities,
        # Sidebars are rare, short reads: rendered here rather than cached on the row.
        sidebar_html=render_markdown(sidebar) if sidebar else None,
        legal_html=render_markdown(legal) if legal else None,
        version=__version__,
        api_version=LEMMY_API_VERSION,
    )


@get("/search", media_type=MediaType.HTML, include_in_schema=False)
async def search(request: AnyRequest, q: str | None = None, page: int = 1) -> Template:
    words = (q or "").strip()[:QUERY_MAX_LENGTH]
    number = min(max(page, 1), SEARCH_MAX_PAGE)
    async with state(request).db.connection() as conn:
        frame = await load_page(conn, request)
        rows = []
        if words:
            rows = await search_post_titles(
                conn, words, show_nsfw=frame.show_nsfw, page=number, limit=SEARCH_PAGE_SIZE + 1
            )
        cards = await post_cards(conn, rows[:SEARCH_PAGE_SIZE], frame.viewer)
    return render(
        "search.html",
        frame,
        title=f"Search: {words}" if words else "Search",
        q=words,
        cards=cards,
        number=number,
        has_next=len(rows) > SEARCH_PAGE_SIZE,
    )


@get("/communities", media_type=MediaType.HTML, include_in_schema=False)
async def communities_page(request: AnyRequest) -> Template:
    async with state(request).db.connection() as conn:
        page = await load_page(conn, request)
        rows = await communities_by_size(conn, show_nsfw=page.show_nsfw, limit=COMMUNITY_LIST_SIZE)
    return render("communities.html", page, title="Communities", communities=rows)


handlers = [about, search, communities_page]
