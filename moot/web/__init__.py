"""The web interface: server-rendered Jinja2 pages (see DESIGN.md, "Web UI").

Pages are plain HTML forms and links; `static/moot.js` turns the marked ones into in-place
requests. Forms carry Litestar's CSRF token; the API and federation routes are exempt
(Lemmy clients and remote servers send none, and the login cookie is SameSite=Lax, so a
forged cross-site request never carries it).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from pathlib import Path
from typing import Any

from litestar import Litestar, Response, Router
from litestar.config.csrf import CSRFConfig
from litestar.exceptions import HTTPException
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from moot.auth import jwt_secret
from moot.config import Settings
from moot.db.engine import Connection
from moot.errors import ApiError
from moot.ratelimit import RateLimitBucket
from moot.web import (
    account,
    admin,
    assets,
    blocks,
    comments,
    communities,
    community_list,
    community_mod,
    invites,
    list_options,
    listings,
    live,
    mail_pages,
    messages,
    moderation,
    modlog,
    multi_feeds,
    oauth_admin,
    oauth_pages,
    posts,
    profile,
    report_actions,
    reports,
    search,
    sessions,
    settings,
    site,
    site_settings,
    subscriptions,
    tags,
)
from moot.web.cards import register_cards
from moot.web.errors import on_api_error, on_http_error, problem
from moot.web.format import register_filters
from moot.web.names import register_names
from moot.web.pages import AnyRequest
from moot.web.pictures import register_pictures

HERE = Path(__file__).resolve().parent

# Routes that take no browser form: Lemmy's API, image uploads, and ActivityPub inboxes.
CSRF_EXEMPT = [r"^/api/", r"^/pictrs/", r"/inbox$", r"^/site_inbox$"]


def _configure(engine: JinjaTemplateEngine) -> None:
    # The templates ship with the package and change only with it: no stat() of each
    # template file on every page to see whether it changed (restart to see an edit).
    engine.engine.auto_reload = False
    register_filters(engine.engine)
    register_names(engine.engine)
    register_pictures(engine.engine)
    register_cards(engine.engine)


template_config: TemplateConfig[JinjaTemplateEngine] = TemplateConfig(
    directory=HERE / "templates", engine=JinjaTemplateEngine, engine_callback=_configure
)

static_files = assets.static_file

router = Router(
    path="/",
    route_handlers=[
        profile.profile_page,
        profile.note_person,
        *sessions.handlers,
        *oauth_pages.handlers,
        *oauth_admin.handlers,
        *mail_pages.handlers,
        *listings.handlers,
        *list_options.handlers,
        *posts.handlers,
        *subscriptions.handlers,
        *invites.handlers,
        *comments.handlers,
        *live.handlers,
        *communities.handlers,
        *community_list.handlers,
        *settings.handlers,
        *account.handlers,
        *blocks.handlers,
        *site.handlers,
        *search.handlers,
        *moderation.handlers,
        *community_mod.handlers,
        *tags.handlers,
        *reports.handlers,
        *report_actions.handlers,
        *messages.handlers,
        *admin.handlers,
        *site_settings.handlers,
        *modlog.handlers,
        *multi_feeds.handlers,
    ],
    exception_handlers={ApiError: on_api_error, HTTPException: on_http_error},
)


def csrf_config(settings: Settings) -> CSRFConfig:
    """A CSRF config whose secret is set from the database at start (`use_csrf_secret`);
    until then a random one, so nothing is ever signed with a known key."""
    return CSRFConfig(
        secret=secrets.token_hex(32),
        cookie_httponly=True,
        cookie_secure=settings.is_https,
        cookie_samesite="lax",
        exclude=CSRF_EXEMPT,
    )


async def use_csrf_secret(app: Litestar, conn: Connection) -> None:
    """Sign CSRF tokens with a key derived from the site's secret: every process of an
    instance accepts the forms any of them served, and a restart does not expire them."""
    if app.csrf_config is not None:
        key = await jwt_secret(conn)
        app.csrf_config.secret = hmac.new(key.encode(), b"moot csrf", hashlib.sha256).hexdigest()


_BUCKETS: list[tuple[str, re.Pattern[str], RateLimitBucket]] = [
    (
        "POST",
        re.compile(r"^/(signup|login|setup|create_community|password_reset)$"),
        RateLimitBucket.REGISTER,
    ),
    ("POST", re.compile(r"^/create_post$"), RateLimitBucket.POST),
    ("POST", re.compile(r"^/(post/\d+/comment|comment/\d+/reply)$"), RateLimitBucket.COMMENT),
    ("GET", re.compile(r"^/search$"), RateLimitBucket.SEARCH),
    # An import fetches what the file names, so it counts as POST /user/import_settings
    # does. The download does not (the API counts its export in the same bucket, as Lemmy):
    # it is a few small reads, and a member moving accounts downloads then uploads, which
    # one bucket of one a day would refuse halfway.
    ("POST", re.compile(r"^/settings/import$"), RateLimitBucket.IMPORT_USER_SETTINGS),
    (
        "POST",
        re.compile(r"^/((post|comment)/\d+/(vote|save|edit|delete)|c/[^/]+/(subscribe|edit))$"),
        RateLimitBucket.MESSAGE,
    ),
    # Every other form (moderation, reports, messages, admin) counts as the API's do.
    ("POST", re.compile(r"^/"), RateLimitBucket.MESSAGE),
]


def rate_limit_bucket(method: str, path: str) -> RateLimitBucket | None:
    """The API's rate-limit bucket for the page action that does the same thing (none for
    the routes that are not pages: inboxes and uploads)."""
    if any(re.search(exempt, path) for exempt in CSRF_EXEMPT):
        return None
    for wanted, pattern, bucket in _BUCKETS:
        if method == wanted and pattern.match(path):
            return bucket
    return None


def wants_html(request: AnyRequest) -> bool:
    """A browser asking for a page (not an API client, not a remote server)."""
    path = request.url.path
    if path.startswith(("/api/", "/pictrs/", "/nodeinfo", "/.well-known/")):
        return False
    return "text/html" in request.headers.get("accept", "")


def not_found_page(request: AnyRequest, exc: HTTPException) -> Response[Any]:
    return problem(request, exc.status_code, "There is nothing here.")


__all__ = [
    "csrf_config",
    "not_found_page",
    "rate_limit_bucket",
    "router",
    "static_files",
    "template_config",
    "use_csrf_secret",
    "wants_html",
]
