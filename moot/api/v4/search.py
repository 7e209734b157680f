"""API v4's search and resolve_object: the same search as v3's (`actions.search`) and the
same look-up of an address, in v4's shapes."""

from __future__ import annotations

from typing import Literal

from litestar import Router, get

from moot.actions import search as searching
from moot.api.v3 import forms as v3_forms
from moot.api.v3.shapes import Json
from moot.api.v4 import cursors, feeds, forms, views
from moot.auth import Viewer
from moot.db.engine import Connection, Row
from moot.db.listings import check_page
from moot.errors import ApiError, ErrorCode
from moot.federation.lookup import is_url, look_up, look_up_feed
from moot.request_context import AnyRequest, optional_viewer, state

SearchType = Literal["all", "comments", "posts", "communities", "users", "multi_communities"]
_TYPES = {
    "all": "All",
    "comments": "Comments",
    "posts": "Posts",
    "communities": "Communities",
    "users": "Users",
}


@get("/search")
async def search(
    request: AnyRequest,
    search_term: str = "",
    community_id: v3_forms.OptionalQueryInt32 = None,
    community_name: str | None = None,
    creator_id: v3_forms.OptionalQueryInt32 = None,
    type_: SearchType = "all",
    time_range_seconds: v3_forms.OptionalQueryInt32 = None,
    listing_type: forms.ListingType = "all",
    title_only: bool | None = None,
    post_url_only: bool | None = None,
    page_cursor: str | None = None,
    limit: v3_forms.OptionalQueryInt32 = None,
) -> Json:
    """Lemmy 1.0's search; feeds of several communities are not kept yet, so searching for
    them finds none. A URL search is v3's `Url` type."""
    _, size = check_page(None, limit, ErrorCode.UNKNOWN)
    offset = cursors.offset_of(page_cursor)
    if offset % size:
        raise ApiError(ErrorCode.UNKNOWN, "Could not parse pagination token")
    kind = "Url" if post_url_only else _TYPES.get(type_)
    out: Json = {"comments": [], "posts": [], "communities": [], "persons": []}
    out["multi_communities"] = []
    if kind is None:
        return out
    query = searching.Query(
        q=search_term,
        type_=kind,
        sort=forms.post_sort("top" if time_range_seconds else "hot", time_range_seconds) or "Hot",
        listing_type=forms.LISTING_TYPES[listing_type],
        community_id=community_id,
        community_name=community_name,
        creator_id=creator_id,
        title_only=bool(title_only),
    )
    async with state(request).db.connection() as conn:
        viewer = await optional_viewer(conn, request)
        found = await searching.search(conn, viewer, query, page=offset // size + 1, limit=size)
        out["comments"] = await views.comment_views(conn, found.comments, viewer)
        out["posts"] = await views.post_views(conn, found.posts, viewer)
        out["communities"] = await views.community_views(conn, found.communities, viewer)
        out["persons"] = await views.person_views(conn, found.people, viewer)
    if any(
        len(rows) == size for rows in (found.comments, found.posts, found.communities, found.people)
    ):
        out["next_page"] = cursors.after_offset(offset + size)
    if offset:
        out["prev_page"] = cursors.after_offset(offset - size)
    return out


async def _found(conn: Connection, kind: str, row: Row, viewer: Viewer | None) -> Json:
    """A ResolveObjectView: the object's view with its `type_`."""
    if kind == "post":
        return {"type_": "post", **(await views.post_views(conn, [row], viewer))[0]}
    if kind == "comment":
        return {"type_": "comment", **(await views.comment_views(conn, [row], viewer))[0]}
    if kind == "community":
        return {"type_": "community", **(await views.community_views(conn, [row], viewer))[0]}
    if kind == "person":
        return {"type_": "person", **(await views.person_views(conn, [row], viewer))[0]}
    raise ApiError(ErrorCode.COULDNT_FIND_OBJECT)


@get("/resolve_object")
async def resolve_object(request: AnyRequest, q: str) -> Json:
    moot = state(request)
    if moot.federation is None:
        raise ApiError(ErrorCode.COULDNT_FIND_OBJECT)
    async with moot.db.connection() as conn:
        viewer = await optional_viewer(conn, request)
    signed_in = viewer is not None
    try:
        kind, row = await look_up(moot.federation, q, signed_in=signed_in)
    except ApiError as exc:
        # Not a post, comment, person or community: a multi-community feed (Lemmy 1.0).
        if exc.code is not ErrorCode.COULDNT_FIND_OBJECT or not is_url(q):
            raise
        kind, row = "multi_community", await look_up_feed(moot.federation, q, signed_in=signed_in)
    async with moot.db.connection() as conn:
        if kind == "multi_community":
            return {"type_": kind, **(await feeds.feed_views(conn, [row], viewer))[0]}
        return await _found(conn, kind, row, viewer)


router = Router(path="/", route_handlers=[search, resolve_object])
