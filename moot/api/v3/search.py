"""GET /search: posts, comments, communities and people containing a text."""

from __future__ import annotations

from litestar import get

from moot.actions import search as searching
from moot.api.v3 import forms, views
from moot.api.v3.shapes import Json
from moot.db.listings import check_page
from moot.errors import ErrorCode
from moot.request_context import AnyRequest, optional_viewer, state


@get("/search")
async def search(
    request: AnyRequest,
    q: str = "",
    community_id: forms.OptionalQueryInt32 = None,
    community_name: str | None = None,
    creator_id: forms.OptionalQueryInt32 = None,
    type_: forms.SearchType = "All",
    sort: forms.SortType = "Hot",
    listing_type: forms.ListingType = "All",
    page: forms.OptionalQueryInt32 = None,
    limit: forms.OptionalQueryInt32 = None,
    post_title_only: bool | None = None,
) -> Json:
    """Lemmy's search. An absent sort is Hot and an absent listing type All, whatever the
    viewer's defaults, as Lemmy passes them to its queries unset; an empty `q` matches
    everything the other parameters allow."""
    # Lemmy's page/limit errors surface through search as plain query errors.
    page_no, page_size = check_page(page, limit, ErrorCode.UNKNOWN)
    query = searching.Query(
        q=q,
        type_=type_,
        sort=sort,
        listing_type=listing_type,
        community_id=community_id,
        community_name=community_name,
        creator_id=creator_id,
        title_only=bool(post_title_only),
    )
    async with state(request).db.connection() as conn:
        viewer = await optional_viewer(conn, request)
        found = await searching.search(conn, viewer, query, page=page_no, limit=page_size)
        return {
            "type_": type_,
            "comments": await views.comment_views(conn, found.comments, viewer),
            "posts": await views.post_views(conn, found.posts, viewer),
            "communities": await views.community_views(conn, found.communities, viewer),
            "users": await views.person_views(conn, found.people),
        }


HANDLERS = [search]
