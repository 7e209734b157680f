"""The ASGI application: every front door (API, later the web UI and federation) in one."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator
from typing import Any

import httpx
from litestar import Litestar, MediaType, Request, Response, Router, get
from litestar.exceptions import HTTPException, NotFoundException, ValidationException
from litestar.openapi import OpenAPIConfig
from litestar.response import Redirect
from redis.asyncio import Redis

from moot import LEMMY_API_VERSION, __version__, health, heap, web
from moot.actions import site_state
from moot.actions.bootstrap import bootstrap
from moot.actions.site import load_site, rate_limits
from moot.actions.site_state import totals
from moot.api import pictrs
from moot.api import v4 as api_v4
from moot.api.v3 import (
    comment,
    community,
    media,
    notifications,
    post,
    resolve,
    search,
    site,
    user,
)
from moot.api.v3.error_docs import ErrorDocumentingJson
from moot.api.v3.mod_routes import MODERATION_ROUTERS
from moot.api.v4.errors import v4_body
from moot.auth import use_hash_cost
from moot.config import Settings, load_settings
from moot.db.engine import Conflict, Database
from moot.db.replica import Replica
from moot.db_limits import DatabaseLoginThrottle, DatabaseRateLimiter
from moot.errors import ApiError, ErrorCode
from moot.federation import routes as federation
from moot.federation.routes.discovery import usage
from moot.federation.runtime import start_federation
from moot.front_door import front_door
from moot.live_watch import Watch
from moot.log_setup import configure_logging
from moot.media.storage import open_storage
from moot.outbound import checked_transport
from moot.ratelimit import BucketConfig, RateLimitBucket, collect_garbage_forever
from moot.replay import attempt_of, conflict_response
from moot.request_context import client_ip
from moot.shared_limits import RedisLoginThrottle, RedisRateLimiter
from moot.shared_site import DatabaseSiteGeneration, RedisSiteGeneration
from moot.state import Moot
from moot.web import feeds, sitemap, static_files, template_config
from moot.web import router as web_router
from moot.workers.background import run_background

log = logging.getLogger("moot.app")


def _api_error(request: Request[Any, Any, Any], exc: ApiError) -> Response[Any]:
    # The HTTP API answers in LemmyErrorType's shapes; the inboxes also say why.
    path = request.url.path
    if path.startswith("/api/v4/"):
        body: dict[str, Any] = v4_body(exc)
    else:
        body = exc.lemmy_body() if path.startswith("/api/") else exc.body()
    return Response(body, status_code=exc.status, media_type=MediaType.JSON)


def _http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if isinstance(exc, NotFoundException) and web.wants_html(request):
        return web.not_found_page(request, exc)
    # Litestar's own refusals (bad JSON, wrong types, unknown route) in Lemmy's wrapper shape,
    # with their headers (a 405's Allow).
    message = exc.detail
    if isinstance(exc, ValidationException):
        message = _validation_message(exc)
    return Response(
        {"error": ErrorCode.UNKNOWN.value, "message": str(message)},
        status_code=exc.status_code,
        media_type=MediaType.JSON,
        headers=exc.headers,
    )


_SOURCES = {"body": "Json deserialize error", "query": "Query deserialize error"}


def _validation_message(exc: ValidationException) -> str:
    """What was wrong, worded as Lemmy's server words it ("Json deserialize error: …"),
    one clause per field; Litestar's own text holds Python reprs."""
    problems = [p for p in exc.extra if isinstance(p, dict)] if isinstance(exc.extra, list) else []
    if not problems:
        return str(exc.detail)
    source = problems[0].get("source")
    source = str(getattr(source, "value", source))
    clauses = []
    for problem in problems:
        key, text = problem.get("key"), str(problem.get("message", "invalid value"))
        clauses.append(text if key in (None, "data") else f"{key}: {text}")
    return f"{_SOURCES.get(source, f'Invalid {source}')}: {'; '.join(clauses)}"


def _crash(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, str]]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return Response(
        {"error": ErrorCode.UNKNOWN.value, "message": "internal error"},
        status_code=500,
        media_type=MediaType.JSON,
    )


# API v4's routes whose rate-limit bucket is their v3 namesake's.
_V4_ROUTES = {
    "/account/auth/register": "/user/register",
    "/account/auth/login": "/user/login",
    "/account/auth/password_reset": "/user/password_reset",
    "/account/auth/resend_verification_email": "/user/password_reset",
    "/account/auth/get_captcha": "/user/get_captcha",
    "/account/settings/export": "/user/export_settings",
    "/account/settings/import": "/user/import_settings",
}


def _bucket(method: str, path: str) -> RateLimitBucket | None:
    if path.startswith("/pictrs/"):
        return RateLimitBucket.IMAGE if method == "POST" and path == "/pictrs/image" else None
    if path.startswith("/api/v4/"):
        route = _V4_ROUTES.get(path[len("/api/v4") :], path[len("/api/v4") :])
    elif path.startswith("/api/v3/"):
        route = path[len("/api/v3") :]
    else:
        return web.rate_limit_bucket(method, path)
    if method == "POST" and route in (
        "/user/register",
        "/user/login",
        "/user/password_reset",
        "/community",
    ):
        return RateLimitBucket.REGISTER
    if (method == "POST" and route == "/post") or route == "/user/get_captcha":
        return RateLimitBucket.POST
    if method == "POST" and route == "/comment":
        return RateLimitBucket.COMMENT
    if route == "/search":
        return RateLimitBucket.SEARCH
    if route == "/image_proxy":
        return None
    if route in ("/user/export_settings", "/user/import_settings"):
        return RateLimitBucket.IMPORT_USER_SETTINGS
    return RateLimitBucket.MESSAGE


async def _rate_limit(request: Request[Any, Any, Any]) -> None:
    scope = request.scope
    # The path as `request.url` has it, without building the URL on every request.
    path = scope.get("root_path", "") + scope["path"]
    bucket = _bucket(scope["method"], path)
    if bucket is None or attempt_of(scope) > 1:
        return  # a replayed request was counted on its first run
    moot: Moot = request.app.state.moot
    await moot.limiter.admit(bucket, client_ip(request), path)


@get("/nodeinfo/2.1", media_type=MediaType.JSON)
async def nodeinfo(request: Request[Any, Any, Any]) -> dict[str, Any]:
    moot: Moot = request.app.state.moot
    async with moot.db.connection() as conn:
        _, local = await load_site(conn)
        counts = await usage(conn, await totals(conn))
    return {
        "version": "2.1",
        # Lemmy clients read this version to decide how to speak to the server.
        "software": {
            "name": "moot",
            "version": LEMMY_API_VERSION,
            "repository": "moot",
            "homepage": "moot",
        },
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": []},
        "openRegistrations": local["registration_mode"] != "Closed",
        "usage": counts,
        "metadata": {"moot_version": __version__},
    }


@get(["/nodeinfo/2.0.json", "/nodeinfo/2.1.json", "/version"])
async def nodeinfo_elsewhere() -> Redirect:
    return Redirect("/nodeinfo/2.1")


@get("/.well-known/nodeinfo")
async def well_known_nodeinfo(request: Request[Any, Any, Any]) -> dict[str, Any]:
    moot: Moot = request.app.state.moot
    return {
        "links": [
            {
                "rel": "http://nodeinfo.diaspora.software/ns/schema/2.1",
                "href": f"{moot.settings.origin}/nodeinfo/2.1",
            }
        ]
    }


def _say_what_federation_needs(settings: Settings) -> None:
    """An instance without a domain name works on its own; say so once, plainly."""
    if settings.can_federate:
        return
    why = (
        f"MOOT_HOSTNAME {settings.hostname} is an IP address"
        if settings.hostname_configured
        else f"no MOOT_HOSTNAME is set, so the public address is {settings.origin}"
    )
    log.warning(
        "%s: everything works here (accounts, posts, comments, votes, pictures), but this "
        "instance cannot federate. Federation needs a domain name served over https: set "
        "MOOT_HOSTNAME to it (e.g. MOOT_HOSTNAME=forum.example.org) behind a TLS proxy.",
        why,
    )


async def _limits_now(db: Database) -> dict[RateLimitBucket, BucketConfig]:
    async with db.connection() as conn:
        return rate_limits((await site_state.current(conn)).local)


def app_from_environment() -> Litestar:
    """The app in each process of `moot serve --processes N`: the settings from the
    environment, with the listen address the command put there."""
    host, _, port = os.environ["MOOT_SERVE_LISTEN"].rpartition(":")
    settings = load_settings().listening_on(host, int(port))
    configure_logging(settings)
    app = create_app(settings)
    heap.settle()  # as `moot serve` does for its one process
    return app


def create_app(settings: Settings) -> Litestar:
    use_hash_cost(settings.password_hash_cost)
    db = Database(settings.resolved_database_url)
    moot = Moot(settings=settings, db=db, media=open_storage(settings))

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await db.connect()
        await bootstrap(db, settings)
        async with db.connection() as conn:
            _, local = await load_site(conn)
            await web.use_csrf_secret(app, conn)
        redis = moot.redis = (
            Redis.from_url(settings.redis_url, socket_timeout=2, socket_connect_timeout=2)
            if settings.redis_url
            else None
        )
        if redis is not None:
            # Several processes: limits and failed logins counted for all in Redis.
            moot.limiter = RedisRateLimiter(redis, settings.hostname, lambda: _limits_now(db))
            moot.login_throttle = RedisLoginThrottle(redis, settings.hostname)
            site_state.share(db.cache, RedisSiteGeneration(redis, settings.hostname))
        elif settings.several_processes and db.dialect_name == "postgresql":
            # Without Redis: the limits counted, and the site's changes told, in the database.
            generation = DatabaseSiteGeneration(db)
            site_state.share(db.cache, generation)
            moot.limiter = DatabaseRateLimiter(db, generation, lambda: _limits_now(db))
            moot.login_throttle = DatabaseLoginThrottle(db)
        elif settings.several_processes:
            log.warning("MOOT_SEVERAL_PROCESSES is for PostgreSQL: this process counts alone")
        moot.limiter.set_limits(rate_limits(local))
        # Link previews and proxied pictures: addresses checked as they are connected to.
        transport = checked_transport(allow_private=settings.federation_test_mode)
        moot.http = httpx.AsyncClient(transport=transport, trust_env=False)
        moot.federation = fed = start_federation(settings, db)
        background = [asyncio.create_task(collect_garbage_forever(moot.limiter))]
        moot.live = live = Watch(db)
        await live.read()
        background.append(asyncio.create_task(live.run()))
        put_back_signals = live.stop_on_signals()
        if settings.database_replica_url:
            moot.replica = Replica(
                settings.database_replica_url, db, settings.replica_max_lag_seconds
            )
            background.append(asyncio.create_task(moot.replica.watch()))
        if settings.run_workers:
            background.append(asyncio.create_task(run_background(moot, fed)))
        log.info(
            "moot %s ready (public address %s, database: %s)",
            __version__,
            settings.origin,
            db.dialect_name,
        )
        _say_what_federation_needs(settings)
        try:
            yield
        finally:
            live.stop()
            put_back_signals()
            for task in background:
                task.cancel()
            for task in background:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await fed.close()
            await moot.http.aclose()
            if redis is not None:
                await redis.aclose()
            await moot.media.close()
            if moot.replica is not None:
                await moot.replica.close()
            await db.close()

    api = Router(
        path="/api/v3",
        route_handlers=[
            site.router,
            user.router,
            community.router,
            post.router,
            comment.router,
            notifications.router,
            *MODERATION_ROUTERS,
            *resolve.HANDLERS,
            *search.HANDLERS,
            *media.HANDLERS,
        ],
    )
    app = Litestar(
        route_handlers=[
            api,
            api_v4.router(),
            nodeinfo,
            *health.HANDLERS,
            nodeinfo_elsewhere,
            well_known_nodeinfo,
            pictrs.router(settings),
            *feeds.handlers,
            *sitemap.handlers,
            federation.router,
            web_router,
            static_files,
        ],
        template_config=template_config,
        csrf_config=web.csrf_config(settings),
        lifespan=[lifespan],
        before_request=_rate_limit,
        exception_handlers={
            ApiError: _api_error,
            Conflict: conflict_response,
            NotFoundException: _http_error,
            HTTPException: _http_error,
            Exception: _crash,
        },
        openapi_config=OpenAPIConfig(
            title="moot (Lemmy v3 API)",
            version=LEMMY_API_VERSION,
            path="/api/v3/openapi",
            render_plugins=[ErrorDocumentingJson()],
        ),
        request_max_body_size=1024 * 1024,
        debug=False,
        # Logging is moot's own (moot/log_setup.py): lines written in the request's task,
        # where its id is known, in one format.
        logging_config=None,
    )
    app.state.moot = moot
    # The request's id and log line, CORS, the cookie guard, content negotiation, replays
    # of lost races and the security headers, in one wrapper.
    app.asgi_handler = front_door(app.asgi_handler, settings)
    return app
