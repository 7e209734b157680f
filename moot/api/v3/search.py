"""GET /search: posts, comments, communities and people containing a text."""

from __future__ import annotations

from litestar import get

from moot.api.v3 import forms, views
from moot.api.v3.shapes import Json
from moot.db import queries
from moot.db.community_list import CommunityFilter, list_communities
from moot.db.engine import Row
from moot.db.listings import check_page, comment_sort_for
from moot.db.post_listing import PostFilter
from moot.db.search import (
    Scope,
    search_comments,
    search_persons,
    search_post_urls,
    search_posts,
)
from moot.errors import ApiError, ErrorCode
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
    async with state(request).db.connection() as conn:
        viewer = await optional_viewer(conn, request)
        if community_name is not None:
            found = await queries.community_by_name(conn, community_name)
            if found is None:
                raise ApiError(ErrorCode.COULDNT_FIND_COMMUNITY)
            community_id = int(found["id"])
        if viewer is None and listing_type in ("Subscribed", "ModeratorView"):
            listing_type = "All"  # nothing followed or moderated: Lemmy lists all then
        user: Row | None = viewer.local_user if viewer is not None else None
        scope = Scope(
            listing_type=listing_type,
            viewer_id=viewer.person_id if viewer else None,
            viewer_local_user_id=viewer.local_user_id if viewer else None,
            show_nsfw=bool(user and user["show_nsfw"]),
            show_bots=bool(user["show_bot_accounts"]) if user else True,
        )
        posts = PostFilter(
            listing_type=listing_type,
            sort=sort,
            community_id=community_id,
            creator_id=creator_id,
            viewer_id=scope.viewer_id,
            viewer_local_user_id=scope.viewer_local_user_id,
            show_read=bool(user["show_read_posts"]) if user else True,
            show_nsfw=scope.show_nsfw,
            show_bots=scope.show_bots,
        )
        post_rows: list[Row] = []
        comment_rows: list[Row] = []
        community_rows: list[Row] = []
        person_rows: list[Row] = []
        if type_ in ("All", "Posts"):
            post_rows = await search_posts(
                conn, posts, q, title_only=bool(post_title_only), page=page_no, limit=page_size
            )
        if type_ == "Url":
            post_rows = await search_post_urls(conn, posts, q, page=page_no, limit=page_size)
        if type_ in ("All", "Comments"):
            comment_rows = await search_comments(
                conn,
                scope,
                q,
                sort=comment_sort_for(sort),
                community_id=community_id,
                creator_id=creator_id,
                page=page_no,
                limit=page_size,
            )
        # A search inside a community or of one person's writing finds no communities or
        # people when it searches everything.
        narrowed = type_ == "All" and (community_id is not None or creator_id is not None)
        if type_ in ("All", "Communities") and not narrowed:
            listed = CommunityFilter(
                listing_type=listing_type,
                sort=sort,
                viewer_id=scope.viewer_id,
                show_nsfw=scope.show_nsfw,
                words=q,
                everything=viewer is not None and viewer.is_admin,
            )
            community_rows = await list_communities(
                conn, listed, offset=page_size * (page_no - 1), limit=page_size
            )
        if type_ in ("All", "Users") and not narrowed:
            person_rows = await search_persons(
                conn, q, sort=sort, listing_type=listing_type, page=page_no, limit=page_size
            )
        return {
            "type_": type_,
            "comments": await views.comment_views(conn, comment_rows, viewer),
            "posts": await views.post_views(conn, post_rows, viewer),
            "communities": await views.community_views(conn, community_rows, viewer),
            "users": await views.person_views(conn, person_rows),
        }


HANDLERS = [search]
