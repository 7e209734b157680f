"""Search: the posts, comments, communities and people holding a text, each kept to what
its listing would show the viewer. The API's `/search` and the web's search page both ask
here, so the two find the same things in the same order."""

from __future__ import annotations

from dataclasses import dataclass, field

from moot.auth import Viewer
from moot.db import queries
from moot.db.community_list import CommunityFilter, list_communities
from moot.db.engine import Connection, Row
from moot.db.listings import comment_sort_for
from moot.db.post_listing import PostFilter, member_filters
from moot.db.search import (
    Scope,
    search_comments,
    search_persons,
    search_post_urls,
    search_posts,
)
from moot.errors import ApiError, ErrorCode

# What each search type looks through (Lemmy's SearchType).
POSTS = frozenset({"All", "Posts"})
COMMENTS = frozenset({"All", "Comments"})
COMMUNITIES = frozenset({"All", "Communities"})
PEOPLE = frozenset({"All", "Users"})


@dataclass(frozen=True)
class Query:
    """What to look for: Lemmy's search parameters. An empty `q` matches everything the
    others allow."""

    q: str = ""
    type_: str = "All"  # All, Posts, Comments, Communities, Users, Url
    sort: str = "Hot"  # a post sort; comments and people take theirs from it
    listing_type: str = "All"
    community_id: int | None = None
    community_name: str | None = None  # instead of the id
    creator_id: int | None = None
    title_only: bool = False


@dataclass(frozen=True)
class Found:
    posts: list[Row] = field(default_factory=list)
    comments: list[Row] = field(default_factory=list)
    communities: list[Row] = field(default_factory=list)
    people: list[Row] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.posts or self.comments or self.communities or self.people)


async def community_named(conn: Connection, name: str) -> int:
    """The id of the community a search is narrowed to by its name (local `name` or
    `name@host`)."""
    found = await queries.community_by_name(conn, name)
    if found is None:
        raise ApiError(ErrorCode.COULDNT_FIND_COMMUNITY)
    return int(found["id"])


async def search(
    conn: Connection,
    viewer: Viewer | None,
    query: Query,
    *,
    page: int,
    limit: int,
    with_subscription: bool = False,
) -> Found:
    """Page `page` of `limit` of each kind of thing `query` finds for `viewer`.
    `with_subscription`: each community row also says whether the viewer follows it."""
    community_id = query.community_id
    if query.community_name is not None:
        community_id = await community_named(conn, query.community_name)
    listing_type = query.listing_type
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
        sort=query.sort,
        community_id=community_id,
        creator_id=query.creator_id,
        viewer_id=scope.viewer_id,
        viewer_local_user_id=scope.viewer_local_user_id,
        show_read=bool(user["show_read_posts"]) if user else True,
        show_nsfw=scope.show_nsfw,
        show_bots=scope.show_bots,
        **member_filters(user),
    )
    q, type_ = query.q, query.type_
    found = Found()
    if type_ in POSTS:
        found.posts.extend(
            await search_posts(conn, posts, q, title_only=query.title_only, page=page, limit=limit)
        )
    if type_ == "Url":
        found.posts.extend(await search_post_urls(conn, posts, q, page=page, limit=limit))
    if type_ in COMMENTS:
        found.comments.extend(
            await search_comments(
                conn,
                scope,
                q,
                sort=comment_sort_for(query.sort),
                community_id=community_id,
                creator_id=query.creator_id,
                page=page,
                limit=limit,
            )
        )
    # A search inside a community or of one person's writing finds no communities or
    # people when it searches everything.
    narrowed = type_ == "All" and (community_id is not None or query.creator_id is not None)
    if type_ in COMMUNITIES and not narrowed:
        listed = CommunityFilter(
            listing_type=listing_type,
            sort=query.sort,
            viewer_id=scope.viewer_id,
            show_nsfw=scope.show_nsfw,
            words=q,
            everything=viewer is not None and viewer.is_admin,
        )
        found.communities.extend(
            await list_communities(
                conn,
                listed,
                offset=limit * (page - 1),
                limit=limit,
                with_subscription=with_subscription,
            )
        )
    if type_ in PEOPLE and not narrowed:
        found.people.extend(
            await search_persons(
                conn, q, sort=query.sort, listing_type=listing_type, page=page, limit=limit
            )
        )
    return found
