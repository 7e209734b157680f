"""GET /modlog: what moderators and admins did, each kind of action in its own list.

Moderator names (and ids) are left out for everyone but admins, and a community's own
moderators reading its log, when the site hides them (`hide_modlog_mod_names`); filtering
by moderator is then ignored too, since it would name them as surely.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from litestar import Router, get

from moot.actions.modlog import mod_names_hidden
from moot.actions.site import load_site
from moot.api.v3 import shapes
from moot.api.v3.forms import OptionalQueryInt32
from moot.api.v3.mod_forms import ModlogActionType
from moot.api.v3.mod_shapes import MODLOG_SHAPES, ModlogShape, modlog_row
from moot.api.v3.shapes import Json
from moot.db import models as m
from moot.db import queries as q
from moot.db.engine import Connection, Row
from moot.db.listings import check_page
from moot.db.modlog import ModlogFilter, list_kind
from moot.errors import ErrorCode
from moot.request_context import AnyRequest, optional_viewer, state


@dataclass(frozen=True)
class _Loaded:
    """Everything the rows of one modlog page point at, loaded once for all of them."""

    comments: dict[int, Row]
    posts: dict[int, Row]
    communities: dict[int, Row]
    persons: dict[int, Row]

    def targets(self, row: Row, shape: ModlogShape) -> Json:
        comment = self.comments.get(row["comment_id"] or 0)
        post = self.posts.get(int(comment["post_id"]) if comment else row["post_id"] or 0)
        community_id = int(post["community_id"]) if post else row["community_id"]
        out: Json = {}
        for target in shape.targets:
            if target == "comment" and comment is not None:
                out["comment"] = shapes.comment(comment, hide_content=False)
            elif target == "commenter" and comment is not None:
                out["commenter"] = shapes.person(self.persons[int(comment["creator_id"])])
            elif target == "post" and post is not None:
                out["post"] = shapes.post(post)
            elif target == "community":
                out["community"] = shapes.community(self.communities[community_id])
            elif target in ("banned_person", "modded_person"):
                out[target] = shapes.person(self.persons[int(row["other_person_id"])])
        return out


async def _load(conn: Connection, rows: Sequence[Row]) -> _Loaded:
    comments = await q.rows_by_id(
        conn, m.comment, {r["comment_id"] for r in rows if r["comment_id"]}
    )
    post_ids = {r["post_id"] for r in rows if r["post_id"]}
    posts = await q.rows_by_id(
        conn, m.post, post_ids | {int(c["post_id"]) for c in comments.values()}
    )
    community_ids = {r["community_id"] for r in rows if r["community_id"]}
    communities = await q.rows_by_id(
        conn, m.community, community_ids | {int(p["community_id"]) for p in posts.values()}
    )
    person_ids = {r["mod_person_id"] for r in rows}
    person_ids |= {r["other_person_id"] for r in rows if r["other_person_id"]}
    person_ids |= {int(c["creator_id"]) for c in comments.values()}
    return _Loaded(comments, posts, communities, await q.rows_by_id(conn, m.person, person_ids))


async def _views(
    conn: Connection, found: Mapping[str, Sequence[Row]], hide: bool
) -> dict[str, list[Json]]:
    loaded = await _load(conn, [r for rows in found.values() for r in rows])

    def view(row: Row, shape: ModlogShape) -> Json:
        out: Json = {shape.row_key: modlog_row(row, shape, hide_moderator=hide)}
        if not hide:
            moderator = loaded.persons[int(row["mod_person_id"])]
            out["admin" if shape.by_admin else "moderator"] = shapes.person(moderator)
        return {**out, **loaded.targets(row, shape)}

    return {
        MODLOG_SHAPES[kind].list_key: [view(r, MODLOG_SHAPES[kind]) for r in rows]
        for kind, rows in found.items()
    }


@get("/modlog")
async def get_modlog(
    request: AnyRequest,
    mod_person_id: OptionalQueryInt32 = None,
    community_id: OptionalQueryInt32 = None,
    page: OptionalQueryInt32 = None,
    limit: OptionalQueryInt32 = None,
    type_: ModlogActionType | None = None,
    other_person_id: OptionalQueryInt32 = None,
    post_id: OptionalQueryInt32 = None,
    comment_id: OptionalQueryInt32 = None,
) -> Json:
    page_no, page_size = check_page(page, limit, ErrorCode.INVALID_QUERY)
    async with state(request).db.connection() as conn:
        viewer = await optional_viewer(conn, request)
        _, local = await load_site(conn)
        hide = await mod_names_hidden(conn, viewer, community_id, local)
        f = ModlogFilter(
            community_id=community_id,
            mod_person_id=None if hide else mod_person_id,
            other_person_id=other_person_id,
            post_id=post_id,
            comment_id=comment_id,
        )
        wanted = type_ or "All"
        found = {
            kind: await list_kind(conn, kind, f, page_no, page_size)
            if wanted in ("All", kind)
            else []
            for kind in MODLOG_SHAPES
        }
        return await _views(conn, found, hide)


router = Router(path="/", route_handlers=[get_modlog])
