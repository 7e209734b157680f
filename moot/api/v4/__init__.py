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
    feeds,
    invites,
    lists,
    media,
    mod_actions,
    modlog,
    my_user,
    notifications,
    oauth,
    oversight,
    reports,
    search,
    site,
    staff,
    subscriptions,
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
            subscriptions.router,
            invites.router,
            reports.router,
            staff.router,
            media.router,
            auth_routes.router,
            admin.router,
            modlog.router,
            mod_actions.router,
            oversight.router,
            taglines.router,
            backup.router,
            oauth.router,
            feeds.router,
            tags.router,
        ],
    )
