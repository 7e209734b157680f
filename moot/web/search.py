"""The search page: the API's search (moot/actions/search.py) of posts, comments,
communities and people, with its type, Local / All, community and sort as a GET form, and
pages; or, for `!community@host`, `@person@host` or a URL, the page of what that names."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Annotated
from urllib.parse import urlencode

from litestar import MediaType, get
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from moot.actions import search as searching
from moot.auth import Viewer
from moot.db.engine import Connection, Row
from moot.errors import ApiError, ErrorCode
from moot.federation.lookup import is_lookup, look_up
from moot.web.choices import LISTING_TYPES, POST_SORTS
from moot.web.community_list import listed
from moot.web.names import handle
from moot.web.pages import AnyRequest, go, load_page, render, state
from moot.web.views import comment_items, post_cards

PAGE_SIZE = 20
MAX_PAGE = 500
QUERY_MAX_LENGTH = 200
NAME_MAX_LENGTH = 255
# What a search looks through, in Lemmy's words, with the page's.
TYPES: dict[str, str] = {
    "All": "Everything",
    "Posts": "Posts",
    "Comments": "Comments",
    "Communities": "Communities",
    "Users": "People",
    "Url": "Posts linking to",
}
DEFAULTS = {"type": "All", "listing_type": "All", "sort": "New", "community_name": "", "page": 1}


@dataclass(frozen=True)
class Choice:
    """What the page searches for; `url` gives the address of the same search with one
    thing changed."""

    q: str
    type_: str
    listing_type: str
    sort: str
    community_name: str
    number: int

    def url(self, **changes: str | int) -> str:
        chosen: dict[str, str | int] = {
            "q": self.q,
            "type": self.type_,
            "listing_type": self.listing_type,
            "community_name": self.community_name,
            "sort": self.sort,
            "page": self.number,
        }
        chosen |= changes
        shown = {key: value for key, value in chosen.items() if value != DEFAULTS.get(key)}
        return f"/search?{urlencode(shown)}"


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


def _choice(
    q: str | None,
    kind: str | None,
    where: str | None,
    sort: str | None,
    name: str | None,
    page: int,
) -> Choice:
    return Choice(
        q=(q or "").strip()[:QUERY_MAX_LENGTH],
        type_=kind if kind in TYPES else "All",
        listing_type=where if where in LISTING_TYPES else "All",
        sort=sort if sort in POST_SORTS else "New",
        community_name=(name or "").strip().lstrip("!")[:NAME_MAX_LENGTH],
        number=min(max(page, 1), MAX_PAGE),
    )


@get("/search", media_type=MediaType.HTML, include_in_schema=False)
async def search(
    request: AnyRequest,
    q: str | None = None,
    kind: Annotated[str | None, QueryParameter(name="type")] = None,
    listing_type: str | None = None,
    community_name: str | None = None,
    sort: str | None = None,
    page: int = 1,
) -> Template | Redirect:
    choice = _choice(q, kind, listing_type, sort, community_name, page)
    moot = state(request)
    async with moot.db.connection() as conn:
        frame = await load_page(conn, request)
    if frame.viewer is None and choice.listing_type == "Subscribed":
        choice = replace(choice, listing_type="All")
    problem = None
    # A name or link is looked up when the search is of everything (the header's box); a
    # search of links is a search of the posts that link to it.
    if choice.type_ == "All" and is_lookup(choice.q) and moot.federation is not None:
        try:
            found_kind, row = await look_up(
                moot.federation, choice.q, signed_in=frame.viewer is not None
            )
        except ApiError as exc:
            problem = _not_found(exc)
        else:
            return go(_page_of(found_kind, row))
    query = searching.Query(
        q=choice.q,
        type_=choice.type_,
        sort=choice.sort,
        listing_type=choice.listing_type,
        community_name=choice.community_name or None,
    )
    found, has_next = searching.Found(), False
    async with moot.db.connection() as conn:
        # Nothing asked for (the page opened from the menu) lists nothing.
        if problem is None and (choice.q or choice.community_name):
            try:
                found, has_next = await _one_page(conn, frame.viewer, query, choice.number)
            except ApiError as exc:
                if exc.code is not ErrorCode.COULDNT_FIND_COMMUNITY:
                    raise
                problem = f"There is no community called {choice.community_name} here."
        cards = await post_cards(conn, found.posts, frame.viewer)
        comments = await comment_items(conn, found.comments, frame.viewer)
    types = dict(LISTING_TYPES) if frame.viewer else {"Local": "Local", "All": "All"}
    return render(
        "search.html",
        frame,
        status=404 if problem else 200,
        title=f"Search: {choice.q}" if choice.q else "Search",
        q=choice.q,
        choice=choice,
        problem=problem,
        cards=cards,
        comments=comments,
        communities=[listed(row) for row in found.communities],
        people=found.people,
        searched=bool(choice.q or choice.community_name) and problem is None,
        has_next=has_next,
        types=TYPES,
        listing_types=types,
        sorts=POST_SORTS,
    )


async def _one_page(
    conn: Connection, viewer: Viewer | None, query: searching.Query, n: int
) -> tuple[searching.Found, bool]:
    """Page `n` of each kind, and whether any kind has another. The search skips whole pages
    of `limit` rows, so the look-ahead asks for the row after page `n` as a page of one."""
    found = await searching.search(
        conn, viewer, query, page=n, limit=PAGE_SIZE, with_subscription=True
    )
    kinds = (found.posts, found.comments, found.communities, found.people)
    if not any(len(rows) == PAGE_SIZE for rows in kinds):
        return found, False
    # A kind with a short page has nothing past it: only the full ones can say yes.
    ahead = await searching.search(conn, viewer, query, page=n * PAGE_SIZE + 1, limit=1)
    return found, bool(ahead)


handlers = [search]
