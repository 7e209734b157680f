"""API v4's GET /modlog: what moderators and admins did, every kind in one list, newest
first, with a cursor.

moot keeps the whole log in one table (`modlog`, a `kind` per row), so a v4 entry's id is
the row's own id: stable, and unique across kinds. 0.19's kinds are named in 1.0's words
here; two of 0.19's split or moved in 1.0: featuring a post is `mod_feature_post_community`
or `admin_feature_post_site` by where it was featured, and hiding a community (1.0 has no
kind of its own for it) reads as `mod_change_community_visibility`. A v4 entry tells an
undoing (`is_revert`) where v3 tells the action's boolean.

Moderators are left out as v3 leaves them out (`hide_modlog_mod_names`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import sqlalchemy as sa
from litestar import Router, get

from moot.actions.modlog import mod_names_hidden
from moot.actions.site import load_site
from moot.api.v3 import forms as v3_forms
from moot.api.v3.shapes import Json
from moot.api.v4 import forms, shapes
from moot.db import models as m
from moot.db import queries as q
from moot.db.action_marks import read_marks
from moot.db.engine import Connection, Row
from moot.db.listings import check_page
from moot.db.modlog import Anchor, ModlogFilter, list_combined
from moot.errors import ApiError, ErrorCode
from moot.request_context import AnyRequest, optional_viewer, state

ModlogKindFilter = Literal[
    "all",
    "admin_add",
    "admin_ban",
    "admin_allow_instance",
    "admin_block_instance",
    "admin_purge_comment",
    "admin_purge_community",
    "admin_purge_person",
    "admin_purge_post",
    "mod_add_to_community",
    "mod_ban_from_community",
    "admin_feature_post_site",
    "mod_feature_post_community",
    "mod_change_community_visibility",
    "mod_lock_post",
    "mod_remove_comment",
    "admin_remove_community",
    "mod_remove_post",
    "mod_transfer_community",
    "mod_lock_comment",
    "mod_warn_comment",
    "mod_warn_post",
]
# moot's kind → (v4's kind, whether a row whose flag is set undoes an action).
# ModFeaturePost is split by `is_featured_community` below.
_KINDS: dict[str, tuple[str, bool | None]] = {
    "ModRemovePost": ("mod_remove_post", False),
    "ModLockPost": ("mod_lock_post", False),
    "ModLockComment": ("mod_lock_comment", False),
    "ModRemoveComment": ("mod_remove_comment", False),
    "ModRemoveCommunity": ("admin_remove_community", False),
    "ModBanFromCommunity": ("mod_ban_from_community", False),
    "ModBan": ("admin_ban", False),
    "ModHideCommunity": ("mod_change_community_visibility", False),
    # The adding of moderators and admins keeps Lemmy's `removed`: set when taken away.
    "ModAddCommunity": ("mod_add_to_community", True),
    "ModAdd": ("admin_add", True),
    # None is ever undone.
    "ModWarnPost": ("mod_warn_post", None),
    "ModWarnComment": ("mod_warn_comment", None),
    "ModTransferCommunity": ("mod_transfer_community", None),
    "AdminPurgePerson": ("admin_purge_person", None),
    "AdminPurgeCommunity": ("admin_purge_community", None),
    "AdminPurgePost": ("admin_purge_post", None),
    "AdminPurgeComment": ("admin_purge_comment", None),
}
_FEATURE = {"mod_feature_post_community": True, "admin_feature_post_site": False}
_OLDER, _NEWER = "M", "N"


def _wanted(kind: str) -> list[tuple[str, bool | None]] | None:
    """The rows a `type_` filter keeps (none for a kind moot never writes)."""
    if kind == "all":
        return None
    if kind in _FEATURE:
        return [("ModFeaturePost", _FEATURE[kind])]
    return [(ours, None) for ours, (theirs, _) in _KINDS.items() if theirs == kind]


def _kind_and_revert(row: Row) -> tuple[str, bool]:
    if row["kind"] == "ModFeaturePost":
        featured = "mod_feature_post_community" if row["is_featured_community"] else None
        return featured or "admin_feature_post_site", not row["flag"]
    kind, set_undoes = _KINDS[str(row["kind"])]
    return kind, (False if set_undoes is None else bool(row["flag"]) == set_undoes)


async def _anchor(conn: Connection, cursor: str | None) -> Anchor | None:
    if cursor is None:
        return None
    try:
        if cursor[:1] not in (_OLDER, _NEWER) or len(cursor) > 9:
            raise ValueError(cursor)
        row_id = int(cursor[1:], 16)
    except ValueError:
        raise ApiError(ErrorCode.UNKNOWN, "Could not parse pagination token") from None
    when = await conn.scalar(sa.select(m.modlog.c.when_).where(m.modlog.c.id == row_id))
    if when is None:  # the row went with what it pointed at (a purge)
        raise ApiError(ErrorCode.UNKNOWN, "Could not parse pagination token")
    return Anchor(when, row_id, newer=cursor[0] == _NEWER)


async def modlog_views(conn: Connection, rows: Sequence[Row], hide: bool) -> list[Json]:
    """ModlogViews of these entries (`hide`: without the moderators)."""
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
    person_ids = {r["other_person_id"] for r in rows if r["other_person_id"]}
    if not hide:
        person_ids |= {r["mod_person_id"] for r in rows}
    persons = await q.rows_by_id(conn, m.person, person_ids)
    marks = await read_marks(conn, None, posts=list(posts), comments=list(comments))
    out = []
    for row in rows:
        kind, revert = _kind_and_revert(row)
        entry: Json = {
            "id": row["id"],
            "kind": kind,
            "is_revert": revert,
            "published_at": shapes.moment(row["when_"]),
            "child_count": 0,
        }
        if row["reason"]:
            entry["reason"] = row["reason"]
        if row["expires"] is not None:
            entry["expires_at"] = shapes.moment(row["expires"])
        view: Json = {"modlog": entry}
        if not hide:
            view["moderator"] = shapes.person(persons[int(row["mod_person_id"])])
        if row["other_person_id"]:
            view["target_person"] = shapes.person(persons[int(row["other_person_id"])])
        comment = comments.get(row["comment_id"] or 0)
        post = posts.get(int(comment["post_id"]) if comment else row["post_id"] or 0)
        community = communities.get(int(post["community_id"]) if post else row["community_id"] or 0)
        if community is not None:
            view["target_community"] = shapes.community(community)
        if post is not None:
            reports = marks.post_reports.get(int(post["id"]), (0, 0))
            view["target_post"] = shapes.post(post, reports)
        if comment is not None:
            reports = marks.comment_reports.get(int(comment["id"]), (0, 0))
            view["target_comment"] = shapes.comment(comment, hide_content=False, reports=reports)
        out.append(view)
    return out


@get("/modlog")
async def get_modlog(
    request: AnyRequest,
    mod_person_id: v3_forms.OptionalQueryInt32 = None,
    community_id: v3_forms.OptionalQueryInt32 = None,
    type_: ModlogKindFilter = "all",
    listing_type: forms.ListingType | None = None,
    other_person_id: v3_forms.OptionalQueryInt32 = None,
    post_id: v3_forms.OptionalQueryInt32 = None,
    comment_id: v3_forms.OptionalQueryInt32 = None,
    page_cursor: str | None = None,
    limit: v3_forms.OptionalQueryInt32 = None,
) -> Json:
    """`listing_type` is taken and not applied: moot's log is the local instance's."""
    _, size = check_page(None, limit, ErrorCode.INVALID_QUERY)
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
        anchor = await _anchor(conn, page_cursor)
        kinds = _wanted(type_)
        rows = [] if kinds == [] else await list_combined(conn, kinds, f, anchor, size)
        out: Json = {"items": await modlog_views(conn, rows, hide)}
        full = len(rows) == size
        if rows and (full or (anchor is not None and anchor.newer)):
            out["next_page"] = f"{_OLDER}{int(rows[-1]['id']):x}"
        if rows and anchor is not None and (full or not anchor.newer):
            out["prev_page"] = f"{_NEWER}{int(rows[0]['id']):x}"
        return out


router = Router(path="/", route_handlers=[get_modlog])
