"""The communities page: the API's community list (moot/db/community_list.py) with its
sorts, Local / All / Subscribed, a search by name or title, pages, and a subscribe button
on each row, the viewer's subscriptions read in the list's own statement."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Annotated
from urllib.parse import urlencode

from litestar import MediaType, get
from litestar.params import QueryParameter
from litestar.response import Template

from moot.db.community_list import CommunityFilter, list_communities
from moot.db.engine import Row
from moot.db.listings import COMMUNITY_SORT_COLUMNS
from moot.federation import urls
from moot.request_context import listing_connection
from moot.web.choices import COMMUNITY_SORTS, LISTING_TYPES, MODERATOR_VIEW
from moot.web.pages import AnyRequest, load_page, render

PAGE_SIZE = 30
MAX_PAGE = 500
WORDS_MAX_LENGTH = 200
EXCERPT_LENGTH = 160
DEFAULT_SORT = "TopAll"
DEFAULT_TYPE = "All"

# Tags whose text runs on in a line; any other tag (a paragraph, a list item, a line
# break) parts words.
_INLINE = frozenset(
    {"a", "abbr", "b", "code", "del", "em", "i", "ins", "mark", "s", "span", "strong", "sub"}
    | {"sup", "u"}
)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag not in _INLINE:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag not in _INLINE:
            self.parts.append(" ")


def excerpt(html: str | None, limit: int = EXCERPT_LENGTH) -> str:
    """The first words of a rendered description as plain text, cut at a word."""
    if not html:
        return ""
    parser = _Text()
    # Enough markup for the excerpt's words; never closed, so a tag cut off at the end is
    # left out rather than read as text.
    parser.feed(html[: limit * 12])
    text = " ".join("".join(parser.parts).split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(".,;:") + "…"


@dataclass(frozen=True)
class Listed:
    """A row of the page; `community` and `subscribed` as the subscribe button reads them."""

    community: Row
    subscribed: str
    address: str  # name@host, for local communities too, as Lemmy writes it
    excerpt: str


def listed(row: Row) -> Listed:
    return Listed(
        community=row,
        subscribed=str(row.get("subscribed") or "NotSubscribed"),
        address=f"{row['name']}@{urls.authority(str(row['actor_id']))}",
        excerpt=excerpt(row["description_html"]),
    )


@dataclass(frozen=True)
class Choice:
    """What the page lists; `url` gives the address of the same list with one thing changed."""

    listing_type: str
    sort: str
    words: str
    number: int

    def url(self, **changes: str | int) -> str:
        chosen = {"type": self.listing_type, "sort": self.sort, "q": self.words, "page": 1}
        chosen |= changes
        defaults = {"type": DEFAULT_TYPE, "sort": DEFAULT_SORT, "q": "", "page": 1}
        shown = {key: value for key, value in chosen.items() if value != defaults[key]}
        return "/communities" + (f"?{urlencode(shown)}" if shown else "")


@get("/communities", media_type=MediaType.HTML, include_in_schema=False)
async def communities_page(
    request: AnyRequest,
    listing: Annotated[str | None, QueryParameter(name="type")] = None,
    sort: str | None = None,
    q: str | None = None,
    page: int = 1,
) -> Template:
    words = (q or "").strip()[:WORDS_MAX_LENGTH]
    choice = Choice(
        listing_type=listing or DEFAULT_TYPE,
        # Any sort the API takes, though the page offers the telling ones (Hot lists as
        # Active does: both go by the community's hot rank).
        sort=sort if sort in COMMUNITY_SORT_COLUMNS else DEFAULT_SORT,
        words=words,
        number=min(max(page, 1), MAX_PAGE),
    )
    async with listing_connection(request) as conn:  # anonymous: the read replica's
        frame = await load_page(conn, request)
        types = dict(LISTING_TYPES) if frame.viewer else {"Local": "Local", "All": "All"}
        if frame.nav is not None and frame.nav.moderates:
            types |= MODERATOR_VIEW
        if choice.listing_type not in types:
            choice = Choice(DEFAULT_TYPE, choice.sort, choice.words, choice.number)
        f = CommunityFilter(
            listing_type=choice.listing_type,
            sort=choice.sort,
            viewer_id=frame.viewer.person_id if frame.viewer else None,
            show_nsfw=frame.show_nsfw,
            words=words or None,
        )
        # One row past the page says whether another follows, in the same statement.
        rows = await list_communities(
            conn,
            f,
            offset=PAGE_SIZE * (choice.number - 1),
            limit=PAGE_SIZE + 1,
            with_subscription=True,
        )
    return render(
        "communities.html",
        frame,
        title=f"Communities: {words}" if words else "Communities",
        listed=[listed(row) for row in rows[:PAGE_SIZE]],
        has_next=len(rows) > PAGE_SIZE,
        choice=choice,
        listing_types=types,
        sorts=COMMUNITY_SORTS,
    )


handlers = [communities_page]
