"""A post's page, and making, changing, deleting, voting on and saving posts.

Every change goes through the action the API calls (moot/actions/posts.py, votes.py), in
one transaction; a page only turns a form into that call and the result into HTML: the
changed fragment for an in-place request, or a redirect back for a plain form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import MediaType, get, post
from litestar.response import Redirect, Template

from moot.actions import posts, reading, votes
from moot.actions.link_previews import preview_link
from moot.actions.lookups import get_community, get_post
from moot.actions.private_communities import require_readable
from moot.auth import Viewer
from moot.db import queries
from moot.db.browse import communities_by_size
from moot.db.engine import Connection, Row
from moot.db.tags import community_tags, post_tags
from moot.errors import ApiError, ErrorCode
from moot.request_context import required_viewer
from moot.web import comments as comment_pages
from moot.web import uploads, writing
from moot.web.choices import COMMENT_SORTS, pick
from moot.web.listings import community_facts, community_or_none, instance_marks
from moot.web.moderation import ModTools, tools_for
from moot.web.names import handle
from moot.web.pages import (
    AnyRequest,
    Page,
    back,
    flag,
    go,
    ident,
    is_htmx,
    load_page,
    render,
    state,
    text,
)
from moot.web.tags import tag_ids
from moot.web.views import PostCard, post_cards

CROSS_POSTS_SHOWN = 20


def multiline(raw: str) -> str:
    """Browsers send CRLF from a textarea; posts are stored with plain newlines."""
    return raw.replace("\r\n", "\n")


def shows_post(viewer: Viewer | None, row: Row, tools: ModTools | None) -> bool:
    """Whether the post's page (and its live stream) shows the post to `viewer`, whose
    moderator's `tools` there are given: a deleted post only to its author; a removed one
    only to its moderators, to restore it."""
    mine = viewer is not None and viewer.person_id == row["creator_id"]
    return not ((row["deleted"] and not mine) or (row["removed"] and tools is None))


@dataclass(frozen=True)
class AuthorServer:
    """A remote author's instance, for the post's "Block all people of …" button."""

    instance_id: int
    domain: str
    communities_blocked: bool
    persons_blocked: bool


async def _author_server(
    conn: Connection, card: PostCard, viewer: Viewer | None
) -> AuthorServer | None:
    """Of a post by a remote person, for a member: the author's instance (a post's
    instance_id is its author's), and which halves of it the member blocks."""
    if viewer is None or card.by.creator.get("local", True):
        return None
    iid = int(card.post["instance_id"])
    return AuthorServer(iid, *await instance_marks(conn, viewer.person_id, iid))


@get("/post/{post_id:int}", media_type=MediaType.HTML, include_in_schema=False)
async def post_page(request: AnyRequest, post_id: int, sort: str | None = None) -> Template:
    moot = state(request)
    comment_sort = pick(sort, COMMENT_SORTS) or "Hot"
    async with moot.db.connection() as conn:
        page = await load_page(conn, request)
        row = await get_post(conn, ident(post_id))
        community = await get_community(conn, int(row["community_id"]))
        await require_readable(conn, page.viewer, community, ErrorCode.COULDNT_FIND_POST)
        tools = await tools_for(conn, page.viewer, "post", row)
        if not shows_post(page.viewer, row, tools):
            return render(
                "not_found.html",
                page,
                status=404,
                title="Gone",
                what="This post has been deleted.",
            )
        card = (await post_cards(conn, [row], page.viewer))[0]
        cross = await queries.same_link_posts(
            conn, row, page.viewer.person_id if page.viewer else None, CROSS_POSTS_SHOWN
        )
        cross_posts = await post_cards(conn, cross, page.viewer) if cross else []
        facts = await community_facts(conn, community, page.viewer)
        author_server = await _author_server(conn, card, page.viewer)
        # A moderator sets the post's tags and NSFW flag (ModEditPost) from the page.
        cid = int(community["id"])
        mod_tags = (await community_tags(conn, [cid]))[cid] if tools is not None else []
        tree = await comment_pages.comment_tree(conn, row, page.viewer, comment_sort)
        emojis = await writing.emoji_choices(conn) if page.viewer is not None else []
    if page.viewer is not None:
        # Opening a post marks it read, as the API's GET /post does.
        async with moot.db.transaction() as tx:
            await reading.mark_read(tx, page.viewer, [int(row["id"])], True)
    return render(
        "post.html",
        page,
        title=str(row["name"]),
        card=card,
        cross_posts=cross_posts,
        c=facts,
        author_server=author_server,
        tree=tree,
        comment_sort=comment_sort,
        comment_sorts=COMMENT_SORTS,
        focus=None,
        tools=tools,
        moderating=tools is not None,
        mod_tags=mod_tags,
        emojis=emojis,
        limit=writing.COMMENT_LIMIT,
        # New comments and the inbox count, as they come (moot/web/live.py).
        live=f"/live?post={row['id']}&after={comment_pages.newest_in(tree)}",
    )


async def _post_form(
    conn: Connection, page: Page, *, status: int = 200, **context: Any
) -> Template:
    choices = await communities_by_size(conn, show_nsfw=page.show_nsfw, limit=500)
    values = {
        "error": None,
        "post": None,
        "values": {},
        "community_name": "",
        "draft": None,
        **context,
    }
    draft: writing.Draft | None = values.pop("draft")
    # The tags of the post's community (of the one chosen, for a new post) to tick.
    post_row = values["post"]
    tagged_in = (
        await community_or_none(conn, str(values["community_name"]))
        if (post_row is None and values["community_name"])
        else None
    )
    community_id = (
        post_row["community_id"]
        if post_row is not None
        else (tagged_in["id"] if tagged_in is not None else None)
    )
    values["tag_choices"] = (
        (await community_tags(conn, [int(community_id)]))[int(community_id)]
        if community_id is not None
        else []
    )
    if draft is not None:
        values["error"] = values["error"] or draft.problem
    chosen = values["community_name"]
    if chosen and all(str(c["name"]) != chosen for c in choices):
        found = await community_or_none(conn, str(chosen))
        if found is not None:
            choices.append(found)
    editing = values["post"] is not None
    return render(
        "post_form.html",
        page,
        status=status,
        title="Edit post" if editing else "New post",
        communities=choices,
        preview=draft.preview if draft is not None else None,
        emojis=await writing.emoji_choices(conn),
        limit=writing.POST_BODY_LIMIT,
        **values,
    )


def _post_changes(form: Any) -> dict[str, Any]:
    return {
        "name": text(form, "name"),
        "url": text(form, "url").strip(),
        "body": multiline(text(form, "body")),
        "custom_thumbnail": text(form, "custom_thumbnail").strip(),
        "alt_text": text(form, "alt_text").strip(),
        "nsfw": flag(form, "nsfw"),
        "honeypot": text(form, "honeypot") or None,
        "tags": tag_ids(form),
    }


@get("/create_post", media_type=MediaType.HTML, include_in_schema=False)
async def create_post_page(request: AnyRequest, community: str | None = None) -> Template:
    async with state(request).db.connection() as conn:
        page = await load_page(conn, request)
        if page.viewer is None:
            raise ApiError(ErrorCode.NOT_LOGGED_IN)
        return await _post_form(conn, page, community_name=community or "")


@post(
    "/create_post",
    media_type=MediaType.HTML,
    include_in_schema=False,
    request_max_body_size=uploads.FORM_WITH_PICTURE_MAX_BYTES,
)
async def create_post(request: AnyRequest) -> Template | Redirect:
    moot = state(request)
    form = await request.form()
    changes = _post_changes(form)
    community_name = text(form, "community")
    async with moot.db.connection() as conn:
        viewer = await required_viewer(conn, request)
    sent = writing.Written(changes["body"])
    picture = None
    try:
        sent = await writing.written(moot, request, form, changes["body"])
        changes["body"] = sent.text
        picture = await uploads.picture_from(moot, viewer, form, "image")
        if picture is not None:
            changes["url"] = picture.url  # the picture is the post's link, as in Lemmy's UI
            # ... and its thumbnail, as Lemmy makes one of an image link: the pages show it.
            changes["custom_thumbnail"] = changes["custom_thumbnail"] or picture.url
        if writing.wants_preview(form):
            # Both pictures are kept (as addresses in the form) for the post to come.
            async with moot.db.connection() as conn:
                draft = await writing.preview(conn, changes["body"], writing.POST_BODY_LIMIT)
                page = await load_page(conn, request)
                return await _post_form(
                    conn, page, draft=draft, values=changes, community_name=community_name
                )
        if picture is None and changes["url"]:
            changes["link_preview"] = await preview_link(moot, changes["url"], nsfw=changes["nsfw"])
        async with moot.db.transaction() as tx:
            community = await community_or_none(tx, community_name)
            if community is None:
                raise ApiError(ErrorCode.COULDNT_FIND_COMMUNITY)
            changes["community_id"] = int(community["id"])
            row = await posts.create_post(tx, moot.settings, viewer, changes)
    except ApiError as exc:
        await uploads.discard(moot, viewer, picture)
        await sent.take_back(moot)
        if picture is not None:
            changes["url"] = ""
            if changes["custom_thumbnail"] == picture.url:
                changes["custom_thumbnail"] = ""
        changes["body"] = multiline(text(form, "body"))
        async with moot.db.connection() as conn:
            page = await load_page(conn, request)
            return await _post_form(
                conn,
                page,
                status=exc.status,
                error=writing.refusal(exc, sent.text, writing.POST_BODY_LIMIT),
                values=changes,
                community_name=community_name,
            )
    return go(f"/post/{row['id']}")


@get("/post/{post_id:int}/edit", media_type=MediaType.HTML, include_in_schema=False)
async def edit_post_page(request: AnyRequest, post_id: int) -> Template:
    async with state(request).db.connection() as conn:
        page = await load_page(conn, request)
        row = await get_post(conn, ident(post_id))
        if page.viewer is None:
            raise ApiError(ErrorCode.NOT_LOGGED_IN)
        if page.viewer.person_id != row["creator_id"]:
            # Shown only to the author; the action itself refuses anyone else all the same.
            raise ApiError(ErrorCode.NO_POST_EDIT_ALLOWED)
        values = {
            "name": row["name"],
            "url": row["url"] or "",
            "body": row["body"] or "",
            "custom_thumbnail": row["thumbnail_url"] or "",
            "alt_text": row["alt_text"] or "",
            "nsfw": row["nsfw"],
            "tags": [int(t["id"]) for t in (await post_tags(conn, [post_id])).get(post_id, [])],
        }
        return await _post_form(conn, page, post=row, values=values)


@post(
    "/post/{post_id:int}/edit",
    media_type=MediaType.HTML,
    include_in_schema=False,
    request_max_body_size=uploads.FORM_WITH_PICTURE_MAX_BYTES,
)
async def edit_post(request: AnyRequest, post_id: int) -> Template | Redirect:
    moot = state(request)
    form = await request.form()
    changes = _post_changes(form)
    sent = writing.Written(changes["body"])
    try:
        sent = await writing.written(moot, request, form, changes["body"])
        changes["body"] = sent.text
        if writing.wants_preview(form):
            async with moot.db.connection() as conn:
                draft = await writing.preview(conn, changes["body"], writing.POST_BODY_LIMIT)
                page = await load_page(conn, request)
                row = await get_post(conn, ident(post_id))
                return await _post_form(conn, page, draft=draft, post=row, values=changes)
        async with moot.db.connection() as conn:
            await required_viewer(conn, request)
            stored = await get_post(conn, ident(post_id))
        # The form shows the stored link: only a new one is fetched and previewed again.
        if changes["url"] and changes["url"] != (stored["url"] or ""):
            changes["link_preview"] = await preview_link(moot, changes["url"], nsfw=changes["nsfw"])
        async with moot.db.transaction() as tx:
            viewer = await required_viewer(tx, request)
            await posts.edit_post(tx, moot.settings, viewer, ident(post_id), changes)
    except ApiError as exc:
        if exc.code in (ErrorCode.INCORRECT_LOGIN, ErrorCode.NOT_LOGGED_IN):
            raise
        await sent.take_back(moot)
        said = writing.refusal(exc, sent.text, writing.POST_BODY_LIMIT)
        changes["body"] = multiline(text(form, "body"))
        async with moot.db.connection() as conn:
            page = await load_page(conn, request)
            row = await get_post(conn, ident(post_id))
            return await _post_form(
                conn, page, status=exc.status, error=said, post=row, values=changes
            )
    return go(f"/post/{post_id}")


@get("/post/{post_id:int}/delete", media_type=MediaType.HTML, include_in_schema=False)
async def delete_post_page(request: AnyRequest, post_id: int) -> Template:
    async with state(request).db.connection() as conn:
        page = await load_page(conn, request)
        row = await get_post(conn, ident(post_id))
    if page.viewer is None:
        raise ApiError(ErrorCode.NOT_LOGGED_IN)
    return render(
        "confirm.html",
        page,
        title="Delete post",
        question=f"Delete your post “{row['name']}”?",
        action=f"/post/{row['id']}/delete",
        cancel=f"/post/{row['id']}",
        button="Delete post",
    )


@post("/post/{post_id:int}/delete", media_type=MediaType.HTML, include_in_schema=False)
async def delete_post(request: AnyRequest, post_id: int) -> Redirect:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        row = await posts.delete_post(tx, viewer, ident(post_id), True)
        community = await get_community(tx, int(row["community_id"]))
    return go(f"/c/{handle(community)}")


async def _post_actions(request: AnyRequest, post_id: int) -> Template:
    async with state(request).db.connection() as conn:
        page = await load_page(conn, request)
        card = (await post_cards(conn, [await get_post(conn, post_id)], page.viewer))[0]
    return render("fragments/post_actions.html", page, card=card)


@post("/post/{post_id:int}/vote", media_type=MediaType.HTML, include_in_schema=False)
async def vote_post(request: AnyRequest, post_id: int) -> Template | Redirect:
    form = await request.form()
    score = {"1": 1, "-1": -1}.get(text(form, "score"), 0)
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await votes.vote_post(tx, viewer, ident(post_id), score)
    if is_htmx(request):
        return await _post_actions(request, post_id)
    return back(request, f"/post/{post_id}", f"p{post_id}")


@post("/post/{post_id:int}/save", media_type=MediaType.HTML, include_in_schema=False)
async def save_post(request: AnyRequest, post_id: int) -> Template | Redirect:
    form = await request.form()
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await posts.save(tx, viewer, ident(post_id), flag(form, "save"))
    if is_htmx(request):
        return await _post_actions(request, post_id)
    return back(request, f"/post/{post_id}", f"p{post_id}")


handlers = [
    post_page,
    create_post_page,
    create_post,
    edit_post_page,
    edit_post,
    delete_post_page,
    delete_post,
    vote_post,
    save_post,
]
