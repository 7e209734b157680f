"""Comment threads, and replying, editing, deleting, voting on and saving comments.

A post page shows the tree THREAD_DEPTH levels deep; a comment at the last level that has
replies links to its own thread page (`/comment/{id}`), which shows the tree again from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from litestar import MediaType, Response, get, post
from litestar.response import Redirect, Template

from moot.actions import comments, votes
from moot.actions.lookups import get_comment, get_community, get_post
from moot.actions.private_communities import require_readable
from moot.auth import Viewer
from moot.db.engine import Connection, Row
from moot.db.listings import CommentFilter, blocks_instance_persons
from moot.db.paths import PATH_WIDTH, depth_of
from moot.errors import ApiError, ErrorCode
from moot.request_context import required_viewer
from moot.web import uploads, writing
from moot.web.choices import COMMENT_SORTS, pick
from moot.web.errors import problem
from moot.web.listings import community_facts
from moot.web.moderation import may_moderate
from moot.web.pages import (
    AnyRequest,
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
from moot.web.views import CommentItem, comment_items, post_cards, thread_comment_items

THREAD_DEPTH = 6  # levels a page shows before "continue this thread"


@dataclass(slots=True)
class Node:
    item: CommentItem
    children: list[Node] = field(default_factory=list)
    # Replies exist below the deepest level shown: link to this comment's own thread.
    continues: bool = False

    @property
    def id(self) -> int:
        return int(self.item.comment["id"])


def newest_in(nodes: list[Node]) -> int:
    """The newest comment's id among `nodes` and their replies (0 for none); a walk with a
    stack, not a generator per level (a thread's page has 300)."""
    newest, stack = 0, list(nodes)
    while stack:
        node = stack.pop()
        newest = max(newest, int(node.item.comment["id"]))
        stack += node.children
    return newest


async def comment_tree(
    conn: Connection,
    post: Row,
    viewer: Viewer | None,
    sort: str,
    root: Row | None = None,
) -> list[Node]:
    """The post's comment tree (or the subtree from `root`), siblings in `sort` order."""
    f = CommentFilter(
        sort=sort,
        post_id=int(post["id"]),
        parent_path=str(root["path"]) if root is not None else None,
        max_depth=THREAD_DEPTH,
        viewer_id=viewer.person_id if viewer else None,
        instance_persons_filtered=blocks_instance_persons(viewer),
    )
    items = await thread_comment_items(conn, f, viewer)
    deepest = (depth_of(str(root["path"])) if root is not None else 0) + THREAD_DEPTH - 1
    nodes: dict[str, Node] = {}
    top: list[Node] = []
    # Rows come grouped by parent, parents before children (see moot.db.listings.list_comments).
    for item in items:
        path = str(item.comment["path"])
        node = Node(item, continues=depth_of(path) >= deepest and item.comment["child_count"] > 0)
        nodes[path] = node
        parent = nodes.get(path[:-PATH_WIDTH])
        if parent is not None:
            parent.children.append(node)
        elif path == (root["path"] if root is not None else path[:PATH_WIDTH]):
            top.append(node)
    return top


@get("/comment/{comment_id:int}", media_type=MediaType.HTML, include_in_schema=False)
async def thread_page(request: AnyRequest, comment_id: int, sort: str | None = None) -> Template:
    comment_sort = pick(sort, COMMENT_SORTS) or "Hot"
    async with state(request).db.connection() as conn:
        page = await load_page(conn, request)
        root = await get_comment(conn, ident(comment_id))
        row = await get_post(conn, int(root["post_id"]))
        community = await get_community(conn, int(row["community_id"]))
        await require_readable(conn, page.viewer, community, ErrorCode.COULDNT_FIND_COMMENT)
        moderating = await may_moderate(conn, page.viewer, community)
        if row["deleted"] or (row["removed"] and not moderating):
            return render(
                "not_found.html",
                page,
                status=404,
                title="Gone",
                what="This post has been deleted.",
            )
        card = (await post_cards(conn, [row], page.viewer))[0]
        facts = await community_facts(conn, community, page.viewer)
        tree = await comment_tree(conn, row, page.viewer, comment_sort, root)
    return render(
        "post.html",
        page,
        title=str(row["name"]),
        card=card,
        c=facts,
        tree=tree,
        comment_sort=comment_sort,
        comment_sorts=COMMENT_SORTS,
        focus=root,
        tools=None,
        moderating=moderating,
    )


def _after_reply(comment: Row) -> str:
    """Where a plain form lands after a reply: the post, or the thread it is deep inside."""
    if depth_of(str(comment["path"])) < THREAD_DEPTH:
        return f"/post/{comment['post_id']}#c{comment['id']}"
    parent = str(comment["path"])[-2 * PATH_WIDTH : -PATH_WIDTH]
    return f"/comment/{int(parent)}#c{comment['id']}"


async def _reply_page(
    request: AnyRequest,
    post_id: int,
    parent_id: int | None,
    draft: writing.Draft,
    error: str | None = None,
    status: int = 200,
) -> Template:
    """The reply page, with the text being written: again after a refusal (without script)
    or to preview it."""
    async with state(request).db.connection() as conn:
        page = await load_page(conn, request)
        parents = [await get_comment(conn, parent_id)] if parent_id is not None else []
        items = await comment_items(conn, parents, page.viewer)
        post_row = await get_post(conn, post_id)
        emojis = await writing.emoji_choices(conn)
    return render(
        "reply.html",
        page,
        status=status,
        title="Reply",
        post=post_row,
        parent=items[0] if items else None,
        error=error or draft.problem,
        content=draft.text,
        preview=draft.preview,
        emojis=emojis,
        limit=writing.COMMENT_LIMIT,
    )


async def _new_comment(
    request: AnyRequest, post_id: int, parent_id: int | None
) -> Template | Response[Any]:
    moot = state(request)
    form = await request.form()
    content = text(form, "content").replace("\r\n", "\n")
    sent = writing.Written(content)
    try:
        sent = await writing.written(moot, request, form, content)
        if writing.wants_preview(form):
            async with moot.db.connection() as conn:
                draft = await writing.preview(conn, sent.text, writing.COMMENT_LIMIT)
            return await _reply_page(request, post_id, parent_id, draft)
        async with moot.db.transaction() as tx:
            viewer = await required_viewer(tx, request)
            created = await comments.create_comment(
                tx, moot.settings, viewer, post_id, sent.text, parent_id, None
            )
            row = created.comment
            item = (await comment_items(tx, [row], viewer))[0]
    except ApiError as exc:
        if exc.code in (ErrorCode.INCORRECT_LOGIN, ErrorCode.NOT_LOGGED_IN):
            raise
        await sent.take_back(moot)
        said = writing.refusal(exc, sent.text, writing.COMMENT_LIMIT)
        if is_htmx(request):
            return problem(request, exc.status, said)
        # Without script the text comes back on the reply page, with what went wrong.
        draft = writing.Draft(content)
        return await _reply_page(request, post_id, parent_id, draft, said, exc.status)
    if is_htmx(request):
        async with moot.db.connection() as conn:
            page = await load_page(conn, request)
        return render("fragments/comment.html", page, node=Node(item), post=item.post)
    return go(_after_reply(row))


@post(
    "/post/{post_id:int}/comment",
    media_type=MediaType.HTML,
    include_in_schema=False,
    request_max_body_size=uploads.FORM_WITH_PICTURE_MAX_BYTES,
)
async def comment_on_post(request: AnyRequest, post_id: int) -> Template | Response[Any]:
    return await _new_comment(request, ident(post_id), None)


@get("/comment/{comment_id:int}/reply", media_type=MediaType.HTML, include_in_schema=False)
async def reply_page(request: AnyRequest, comment_id: int) -> Template:
    async with state(request).db.connection() as conn:
        page = await load_page(conn, request)
        if page.viewer is None:
            raise ApiError(ErrorCode.NOT_LOGGED_IN)
        parent = (await comment_items(conn, [await get_comment(conn, ident(comment_id))], None))[0]
        emojis = await writing.emoji_choices(conn)
    if is_htmx(request):
        return render(
            "fragments/reply_form.html",
            page,
            parent=parent,
            emojis=emojis,
            limit=writing.COMMENT_LIMIT,
        )
    return render(
        "reply.html",
        page,
        title="Reply",
        post=parent.post,
        parent=parent,
        error=None,
        content="",
        preview=None,
        emojis=emojis,
        limit=writing.COMMENT_LIMIT,
    )


@post(
    "/comment/{comment_id:int}/reply",
    media_type=MediaType.HTML,
    include_in_schema=False,
    request_max_body_size=uploads.FORM_WITH_PICTURE_MAX_BYTES,
)
async def reply(request: AnyRequest, comment_id: int) -> Template | Response[Any]:
    async with state(request).db.connection() as conn:
        parent = await get_comment(conn, ident(comment_id))
    return await _new_comment(request, int(parent["post_id"]), int(parent["id"]))


async def _edit_page(
    request: AnyRequest,
    comment_id: int,
    draft: writing.Draft,
    error: str | None = None,
    status: int = 200,
) -> Template:
    async with state(request).db.connection() as conn:
        page = await load_page(conn, request)
        row = await get_comment(conn, comment_id)
        emojis = await writing.emoji_choices(conn)
    return render(
        "comment_form.html",
        page,
        status=status,
        title="Edit comment",
        comment=row,
        content=draft.text,
        preview=draft.preview,
        error=error or draft.problem,
        emojis=emojis,
        limit=writing.COMMENT_LIMIT,
    )


@get("/comment/{comment_id:int}/edit", media_type=MediaType.HTML, include_in_schema=False)
async def edit_comment_page(request: AnyRequest, comment_id: int) -> Template:
    async with state(request).db.connection() as conn:
        page = await load_page(conn, request)
        row = await get_comment(conn, ident(comment_id))
    if page.viewer is None:
        raise ApiError(ErrorCode.NOT_LOGGED_IN)
    if page.viewer.person_id != row["creator_id"]:
        raise ApiError(ErrorCode.NO_COMMENT_EDIT_ALLOWED)
    return await _edit_page(request, int(row["id"]), writing.Draft(str(row["content"])))


@post(
    "/comment/{comment_id:int}/edit",
    media_type=MediaType.HTML,
    include_in_schema=False,
    request_max_body_size=uploads.FORM_WITH_PICTURE_MAX_BYTES,
)
async def edit_comment(request: AnyRequest, comment_id: int) -> Template | Redirect:
    moot = state(request)
    form = await request.form()
    content = text(form, "content").replace("\r\n", "\n")
    sent = writing.Written(content)
    try:
        sent = await writing.written(moot, request, form, content)
        if writing.wants_preview(form):
            async with moot.db.connection() as conn:
                draft = await writing.preview(conn, sent.text, writing.COMMENT_LIMIT)
            return await _edit_page(request, ident(comment_id), draft)
        async with moot.db.transaction() as tx:
            viewer = await required_viewer(tx, request)
            row = await comments.edit_comment(
                tx, moot.settings, viewer, ident(comment_id), sent.text, None
            )
    except ApiError as exc:
        if exc.code in (ErrorCode.INCORRECT_LOGIN, ErrorCode.NOT_LOGGED_IN):
            raise
        await sent.take_back(moot)
        said = writing.refusal(exc, sent.text, writing.COMMENT_LIMIT)
        return await _edit_page(
            request, ident(comment_id), writing.Draft(content), said, exc.status
        )
    return go(_after_reply(row))


@get("/comment/{comment_id:int}/delete", media_type=MediaType.HTML, include_in_schema=False)
async def delete_comment_page(request: AnyRequest, comment_id: int) -> Template:
    async with state(request).db.connection() as conn:
        page = await load_page(conn, request)
        row = await get_comment(conn, ident(comment_id))
    if page.viewer is None:
        raise ApiError(ErrorCode.NOT_LOGGED_IN)
    return render(
        "confirm.html",
        page,
        title="Delete comment",
        question="Delete your comment? Replies to it stay.",
        action=f"/comment/{row['id']}/delete",
        cancel=_after_reply(row),
        button="Delete comment",
    )


@post("/comment/{comment_id:int}/delete", media_type=MediaType.HTML, include_in_schema=False)
async def delete_comment(request: AnyRequest, comment_id: int) -> Redirect:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        row = await comments.delete_comment(tx, viewer, ident(comment_id), True)
    return go(_after_reply(row))


async def _comment_actions(request: AnyRequest, comment_id: int) -> Template:
    async with state(request).db.connection() as conn:
        page = await load_page(conn, request)
        item = (await comment_items(conn, [await get_comment(conn, comment_id)], page.viewer))[0]
    return render("fragments/comment_actions.html", page, item=item)


@post("/comment/{comment_id:int}/vote", media_type=MediaType.HTML, include_in_schema=False)
async def vote_comment(request: AnyRequest, comment_id: int) -> Template | Redirect:
    form = await request.form()
    score = {"1": 1, "-1": -1}.get(text(form, "score"), 0)
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await votes.vote_comment(tx, viewer, ident(comment_id), score)
        row = await get_comment(tx, comment_id)
    if is_htmx(request):
        return await _comment_actions(request, comment_id)
    return back(request, f"/post/{row['post_id']}", f"c{comment_id}")


@post("/comment/{comment_id:int}/save", media_type=MediaType.HTML, include_in_schema=False)
async def save_comment(request: AnyRequest, comment_id: int) -> Template | Redirect:
    form = await request.form()
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        row = await comments.save(tx, viewer, ident(comment_id), flag(form, "save"))
    if is_htmx(request):
        return await _comment_actions(request, comment_id)
    return back(request, f"/post/{row['post_id']}", f"c{comment_id}")


handlers = [
    thread_page,
    comment_on_post,
    reply_page,
    reply,
    edit_comment_page,
    edit_comment,
    delete_comment_page,
    delete_comment,
    vote_comment,
    save_comment,
]
