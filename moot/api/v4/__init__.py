"""API v4 (Lemmy 1.0, lemmy-js-client 1.0) beside v3: the same actions and readings, in
v4's routes, names and shapes."""

from __future__ import annotations

from litestar import Router

from moot.api.v4 import (
    account,
    admin,
    auth_routes,
    backup,
    communities,
    content,
    edits,
    lists,
    media,
    modlog,
    my_user,
    notifications,
    oversight,
    reports,
    search,
    site,
    staff,
    taglines,
    tags,
)


def router() -> Router:
    return Router(
        path="/api/v4",
        route_handlers=[
            site.router,
            my_user.router,
            content.router,
            edits.router,
            communities.router,
            lists.router,
            account.router,
            search.router,
            notifications.router,
            reports.router,
            staff.router,
            media.router,
            auth_routes.router,
            admin.router,
            modlog.router,
            oversight.router,
            taglines.router,
            backup.router,
            tags.router,
        ],
    )
