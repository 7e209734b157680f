"""The pages of posts and comments an API request asks for, read the same way whichever
API generation asks (v3 and v4 differ in their names and shapes, not in what they read),
and the one rule for who may open a removed or deleted post."""

from __future__ import annotations

from dataclasses import dataclass

from moot.actions import listing_defaults, lookups, multi_communities
from moot.actions.communities import is_moderator, shown_to
from moot.actions.private_communities import require_readable
from moot.actions.site import load_site
from moot.auth import Viewer
from moot.db import queries
from moot.db.around import Around
from moot.db.engine import Connection, Row
from moot.db.listings import (
    CommentFilter,
    blocks_instance_persons,
    check_page,
    list_comments_around,
)
from moot.db.post_listing import PostFilter, decode_cursor, list_posts, member_filters
from moot.errors import ApiError, ErrorCode
from moot.federation.lookup import look_up
from moot.federation.runtime import Federation
from moot.state import Moot


@dataclass(frozen=True)
class PostsAsked:
    """A post listing's parameters, in v3's names and values (`Hot`, `TopDay`, `Local`)."""

    listing_type: str | None = None
    sort: str | None = None
    page: int | None = None
    limit: int | None = None
    community_id: int | None = None
    community_name: str | None = None
    multi_community_id: int | None = None
    multi_community_name: str | None = None
    tag_id: int | None = None
    saved_only: bool = False
    liked_only: bool = False
    disliked_only: bool = False
    show_hidden: bool = False
    show_read: bool | None = None
    show_nsfw: bool | None = None
    page_cursor: str | None = None


async def _community_id(conn: Connection, community_id: int | None, name: str | None) -> int | None:
    if community_id is not None or name is None:
        return community_id
    found = await queries.community_by_name(conn, name)
    if found is None:
        raise ApiError(ErrorCode.COULDNT_FIND_COMMUNITY)
    return int(found["id"])


async def _feed_id(conn: Connection, asked: PostsAsked) -> int | None:
    """The multi-community feed a listing asks for, by id or name (not with a community)."""
    if asked.multi_community_id is None and asked.multi_community_name is None:
        return None
    if asked.community_id is not None or asked.community_name is not None:
        raise ApiError(ErrorCode.CANNOT_COMBINE_COMMUNITY_ID_AND_MULTI_COMMUNITY_ID)
    if asked.multi_community_id is not None:
        feed = await multi_communities.get_feed(conn, asked.multi_community_id)
    else:
        feed = await multi_communities.feed_by_name(conn, str(asked.multi_community_name))
    return int(feed["id"])


async def post_page(
    conn: Connection, viewer: Viewer | None, asked: PostsAsked, around: Around
) -> list[Row]:
    """The page of posts `asked` for, each row with its `around` columns; the listing
    fills in what the request leaves out from the member's settings, or the site's."""
    page_no, page_size = check_page(asked.page, asked.limit, ErrorCode.COULDNT_GET_POSTS)
    if asked.liked_only and asked.disliked_only:
        raise ApiError(ErrorCode.CONTRADICTING_FILTERS)
    _, local = await load_site(conn)
    feed_id = await _feed_id(conn, asked)
    community_id = await _community_id(conn, asked.community_id, asked.community_name)
    user = viewer.local_user if viewer is not None else None
    show_read = asked.show_read
    if show_read is None:
        show_read = bool(user["show_read_posts"]) if user else True
    show_nsfw = asked.show_nsfw
    if show_nsfw is None:
        show_nsfw = bool(user and user["show_nsfw"])
    f = PostFilter(
        listing_type=listing_defaults.listing_type(
            asked.listing_type,
            viewer,
            local,
            in_community=community_id is not None or feed_id is not None,
        ),
        sort=listing_defaults.post_sort(asked.sort, viewer, local),
        community_id=community_id,
        multi_community_id=feed_id,
        tag_id=asked.tag_id,
        viewer_id=viewer.person_id if viewer else None,
        viewer_local_user_id=viewer.local_user_id if viewer else None,
        saved_only=asked.saved_only,
        liked_only=asked.liked_only,
        disliked_only=asked.disliked_only,
        show_hidden=asked.show_hidden,
        show_read=show_read,
        show_nsfw=show_nsfw,
        show_bots=bool(user["show_bot_accounts"]) if user else True,
        **member_filters(user),
    )
    after = decode_cursor(asked.page_cursor) if asked.page_cursor else None
    return await list_posts(conn, f, page_no, page_size, after, around=around)


@dataclass(frozen=True)
class CommentsAsked:
    """A comment listing's parameters, in v3's names and values."""

    listing_type: str | None = None
    sort: str | None = None
    max_depth: int | None = None
    page: int | None = None
    limit: int | None = None
    community_id: int | None = None
    community_name: str | None = None
    post_id: int | None = None
    parent_id: int | None = None
    saved_only: bool = False
    liked_only: bool = False
    disliked_only: bool = False


async def comment_page(
    conn: Connection,
    viewer: Viewer | None,
    asked: CommentsAsked,
    comment_columns: tuple[str, ...],
    person_columns: tuple[str, ...],
) -> list[Row]:
    """The page of comments `asked` for, each with its creator's `person_columns`
    (`listings.list_comments_around`)."""
    page_no, page_size = check_page(asked.page, asked.limit, ErrorCode.COULDNT_GET_COMMENTS)
    if asked.liked_only and asked.disliked_only:
        raise ApiError(ErrorCode.CONTRADICTING_FILTERS)
    if asked.max_depth is not None and not 1 <= asked.max_depth <= 1000:
        raise ApiError(ErrorCode.COULDNT_GET_COMMENTS)
    _, local = await load_site(conn)
    parent_path = None
    if asked.parent_id is not None:
        parent_path = str((await lookups.get_comment(conn, asked.parent_id))["path"])
    community_id = await _community_id(conn, asked.community_id, asked.community_name)
    f = CommentFilter(
        sort=asked.sort or "Hot",
        listing_type=listing_defaults.listing_type(
            asked.listing_type, viewer, local, in_community=community_id is not None
        ),
        post_id=asked.post_id,
        parent_path=parent_path,
        community_id=community_id,
        max_depth=asked.max_depth,
        viewer_id=viewer.person_id if viewer else None,
        saved_only=asked.saved_only,
        liked_only=asked.liked_only,
        disliked_only=asked.disliked_only,
        instance_persons_filtered=blocks_instance_persons(viewer),
    )
    return await list_comments_around(conn, f, page_no, page_size, comment_columns, person_columns)


async def may_see_gone(conn: Connection, viewer: Viewer | None, row: Row) -> bool:
    """A removed post stays readable to its community's moderators and the admins; a
    deleted one also to its author."""
    if viewer is None:
        return False
    if viewer.is_admin or await is_moderator(conn, int(row["community_id"]), viewer.person_id):
        return True
    return not row["removed"] and int(row["creator_id"]) == viewer.person_id


async def post_to_open(
    conn: Connection, viewer: Viewer | None, post_id: int | None, comment_id: int | None
) -> Row:
    """The post a GET /post asks for, by its id or one of its comments' ids, if `viewer`
    may open it."""
    if post_id is None and comment_id is not None:
        post_id = await queries.post_id_of_comment(conn, comment_id)
        if post_id is None:
            raise ApiError(ErrorCode.COULDNT_FIND_COMMENT)
    if post_id is None:
        raise ApiError(ErrorCode.COULDNT_FIND_POST)
    row = await lookups.get_post(conn, post_id)
    if (row["removed"] or row["deleted"]) and not await may_see_gone(conn, viewer, row):
        raise ApiError(ErrorCode.COULDNT_FIND_POST)
    community = await queries.community_visibility(conn, int(row["community_id"]))
    await require_readable(conn, viewer, community, ErrorCode.COULDNT_FIND_POST)
    return row


async def comment_to_open(conn: Connection, viewer: Viewer | None, comment_id: int) -> None:
    """`couldnt_find_comment` unless `viewer` may read the comment's community's content
    (one statement where the community is not private)."""
    community = await queries.community_of_comment(conn, comment_id)
    if community is None:
        raise ApiError(ErrorCode.COULDNT_FIND_COMMENT)
    await require_readable(conn, viewer, community, ErrorCode.COULDNT_FIND_COMMENT)


async def community_to_open(
    moot: Moot, viewer: Viewer | None, community_id: int | None, name: str | None
) -> Row:
    """The community a GET /community asks for, by id or name (`name@host` fetched from its
    home for a signed-in reader, as Lemmy does), if `viewer` may see it."""
    found: Row | None
    async with moot.db.connection() as conn:
        if community_id is not None:
            found = await lookups.get_community(conn, community_id)
        elif name is not None:
            found = await queries.community_by_name(conn, name)
        else:
            raise ApiError(ErrorCode.NO_ID_GIVEN)
    # Fetched with no connection held: the other server may take seconds.
    row = found if found is not None else await _fetched(moot.federation, str(name), viewer)
    async with moot.db.connection() as conn:
        if not await shown_to(conn, row, viewer):
            raise ApiError(ErrorCode.COULDNT_FIND_COMMUNITY)
    return row


async def _fetched(fed: Federation | None, name: str, viewer: Viewer | None) -> Row:
    if fed is None or viewer is None or "@" not in name:
        raise ApiError(ErrorCode.COULDNT_FIND_COMMUNITY)
    try:
        _, row = await look_up(fed, f"!{name}", signed_in=True)
    except ApiError as exc:
        raise ApiError(ErrorCode.COULDNT_FIND_COMMUNITY, exc.message) from exc
    return row
