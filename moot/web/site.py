"""About this instance."""

from __future__ import annotations

from litestar import MediaType, get
from litestar.response import Template

from moot import LEMMY_API_VERSION, __version__
from moot.actions.site import site_counts
from moot.actions.site_state import totals
from moot.db.browse import admins, communities_by_size
from moot.text.markdown import render_markdown
from moot.web.pages import AnyRequest, load_page, render, state


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


handlers = [about]
