"""Acting on a report from the reports page: remove what was reported and ban its author
from the community, with one reason, then resolve the report — in one transaction, each step
the same action the API's route takes (moot/actions/moderation.py, bans.py, reports.py)."""

from __future__ import annotations

from litestar import MediaType, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Template

from moot.actions import bans, moderation, reports
from moot.actions.lookups import get_comment, get_post
from moot.auth import Viewer
from moot.db.engine import Connection, Row
from moot.errors import ApiError, ErrorCode
from moot.request_context import required_viewer
from moot.web.modforms import ban_terms
from moot.web.pages import AnyRequest, flag, ident, state
from moot.web.reports import KINDS, report_answer


async def _reported(tx: Connection, kind: str, report: Row) -> tuple[Row, int]:
    """The reported post or comment, and its community's id."""
    if kind == "posts":
        item = await get_post(tx, int(report["post_id"]))
        return item, int(item["community_id"])
    item = await get_comment(tx, int(report["comment_id"]))
    return item, int((await get_post(tx, int(item["post_id"])))["community_id"])


async def _act(
    tx: Connection, viewer: Viewer, kind: str, report_id: int, form: FormMultiDict
) -> None:
    terms = ban_terms(form)
    report = await reports.get_report(tx, KINDS[kind][1], report_id)
    item, community_id = await _reported(tx, kind, report)
    if flag(form, "remove") and not item["removed"]:
        # Removing resolves every open report of the item (as in Lemmy).
        if kind == "posts":
            await moderation.remove_post(tx, viewer, int(item["id"]), True, terms.reason)
        else:
            await moderation.remove_comment(tx, viewer, int(item["id"]), True, terms.reason)
    if terms.ban:
        await bans.ban_from_community(
            tx,
            viewer,
            community_id,
            int(item["creator_id"]),
            True,
            remove_data=terms.remove_data,
            reason=terms.reason,
            expires=terms.expires,
        )
    if kind == "posts":
        await reports.resolve_post_report(tx, viewer, report_id, True)
    else:
        await reports.resolve_comment_report(tx, viewer, report_id, True)


@post(
    "/reports/{kind:str}/{report_id:int}/act",
    media_type=MediaType.HTML,
    include_in_schema=False,
)
async def act_on_report(request: AnyRequest, kind: str, report_id: int) -> Template | Redirect:
    if kind not in ("posts", "comments"):
        raise ApiError(ErrorCode.COULDNT_FIND_OBJECT)
    moot = state(request)
    form = await request.form()
    async with moot.db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await _act(tx, viewer, kind, ident(report_id), form)
    return await report_answer(request, kind, report_id)


handlers = [act_on_report]
