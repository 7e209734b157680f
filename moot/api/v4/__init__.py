"""API v4 (Lemmy 1.0, lemmy-js-client 1.0) beside v3: the same actions and readings, in
v4's routes, names and shapes."""

from __future__ import annotations

from litestar import Router

from moot.api.v4 import (
    account,
    admin,
    communities,
    content,
    edits,
    lists,
    modlog,
    notifications,
    oversight,
    reports,
    search,
    site,
    staff,
    taglines,
)


def router() -> Router:
    return Router(
        path="/api/v4",
        route_handlers=[
            site.router,
            content.router,
            edits.router,
            communities.router,
            lists.router,
            account.router,
            search.router,
            notifications.router,
            reports.router,
            staff.router,
            admin.router,
            modlog.router,
            oversight.router,
            taglines.router,
        ],
    )
