"""How a reader has lists of posts shown: the way back through pages, a compact density,
and a member's choice to hide the posts they have read.

Pages go forward by cursor (the last post of the page before), as the API's `page_cursor`
does, and a cursor does not lead back. So each Next link also carries the trail of the
cursors that led here (`back`, oldest first, a few bytes each): Previous takes the last one
off. A trail longer than TRAIL_MAX keeps its newest cursors and is marked cut, and a page
whose trail ran out that way offers the first page rather than a wrong Previous.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode

from litestar import MediaType, post
from litestar.response import Redirect

from moot.actions import accounts
from moot.request_context import required_viewer
from moot.web.pages import AnyRequest, back, flag, state, text

TRAIL_MAX = 40
_CUT = "~"
_CURSOR = re.compile(r"P[0-9a-f]{1,16}")
DENSITY_COOKIE = "density"
_YEAR = 365 * 24 * 3600


@dataclass(frozen=True)
class Trail:
    """The cursors of the pages before this one (the first page has none)."""

    cursors: tuple[str, ...] = ()
    cut: bool = False  # older pages were dropped from the trail

    @classmethod
    def parse(cls, raw: str | None) -> Trail:
        """The trail from a link; anything that is not one is an empty trail."""
        if not raw:
            return cls()
        cut = raw.startswith(_CUT)
        cursors = tuple(c for c in raw.removeprefix(_CUT).split(".") if c)
        if len(cursors) > TRAIL_MAX or not all(_CURSOR.fullmatch(c) for c in cursors):
            return cls()
        return cls(cursors, cut)

    def then(self, cursor: str | None) -> Trail:
        """The trail of the page after the one `cursor` opened (None: the first page)."""
        if cursor is None:
            return Trail()
        cursors = (*self.cursors, cursor)
        if len(cursors) > TRAIL_MAX:
            return Trail(cursors[-TRAIL_MAX:], True)
        return Trail(cursors, self.cut)

    def __str__(self) -> str:
        return (_CUT if self.cut else "") + ".".join(self.cursors)


@dataclass(frozen=True)
class Pages:
    """The links below a list of posts: first, previous and next page, as query strings."""

    first: str | None
    previous: str | None
    next: str | None


def pages(
    query: dict[str, str], cursor: str | None, trail: Trail, next_cursor: str | None
) -> Pages:
    """The page links of the page `cursor` opened (None: the first page), keeping `query`
    (the listing's type and sort)."""

    def link(at: str | None, behind: Trail) -> str:
        extra = {"page_cursor": at, "back": str(behind) or None}
        return "?" + urlencode(query | {k: v for k, v in extra.items() if v is not None})

    if cursor is None:
        return Pages(None, None, link(next_cursor, Trail()) if next_cursor else None)
    previous = None
    if trail.cursors:
        previous = link(trail.cursors[-1], Trail(trail.cursors[:-1], trail.cut))
    elif not trail.cut:
        previous = link(None, Trail())
    following = link(next_cursor, trail.then(cursor)) if next_cursor else None
    return Pages(link(None, Trail()), previous, following)


@post("/density", media_type=MediaType.HTML, include_in_schema=False)
async def choose_density(request: AnyRequest) -> Redirect:
    """Compact or comfortable lists, kept in a cookie: it is how this browser shows pages,
    for a visitor as for a member, and nothing the server needs to remember."""
    form = await request.form()
    compact = text(form, "density") == "compact"
    answer = back(request, "/")
    if compact:
        answer.set_cookie(DENSITY_COOKIE, "compact", max_age=_YEAR, samesite="lax", httponly=True)
    else:
        answer.delete_cookie(DENSITY_COOKIE)
    return answer


@post("/settings/show_read", media_type=MediaType.HTML, include_in_schema=False)
async def show_read_posts(request: AnyRequest) -> Redirect:
    """A member's "hide read posts" switch beside a list: the same setting, saved by the
    same action, as `show_read_posts` on PUT /user/save_user_settings."""
    moot = state(request)
    form = await request.form()
    async with moot.db.connection() as conn:
        viewer = await required_viewer(conn, request)
    async with moot.db.transaction() as tx:
        await accounts.save_settings(
            tx, moot.settings, viewer, {"show_read_posts": flag(form, "show")}
        )
    return back(request, "/")


handlers = [choose_density, show_read_posts]
