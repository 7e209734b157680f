"""The ASGI app: three reads, each one statement and one msgspec encode (a member's post
listing: see `Reference.post_list`), and two writes."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

import msgspec
import uvicorn

from bench.reference import commenting, members, sql, writes
from bench.reference import shapes as s
from bench.reference.db import Counted, Database, open_database
from bench.reference.post_views import post_views
from moot import LEMMY_API_VERSION
from moot.ranking import TOP_WINDOWS

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
Query = Mapping[str, str]

_encode = msgspec.json.Encoder().encode


class BadRequest(Exception):
    pass


def _int(query: Query, name: str, default: int, low: int, high: int) -> int:
    raw = query.get(name)
    try:
        value = default if raw is None else int(raw)
    except ValueError:
        raise BadRequest(f"{name} is not a number") from None
    if not low <= value <= high:
        raise BadRequest(f"{name} out of range")
    return value


def _anonymous(token: str | None) -> None:
    if token:
        raise BadRequest("the reference serves this route anonymously only")


def _unsupported(query: Query, allowed: set[str]) -> None:
    extra = set(query) - allowed
    if extra:
        raise BadRequest(f"the reference does not serve {sorted(extra)}")


class Reference:
    """The app; `database_url` is opened at startup (the lifespan)."""

    def __init__(self, database_url: str, pool_size: int = 4) -> None:
        self.database_url = database_url
        self.pool_size = pool_size
        self.db: Database | None = None
        # The site's defaults for a request that names no listing type or sort, read at
        # startup: the reference serves a benchmark, where nobody edits the site.
        self.default_type = "Local"
        self.default_sort = "Active"
        # The reads: the database, the query, the login token (post/list only reads it).
        self.routes: dict[str, Callable[[Database, Query, str | None], Awaitable[bytes]]] = {
            "/api/v3/post/list": self.post_list,
            "/api/v3/comment/list": self.comment_list,
            "/api/v3/site": self.site,
        }
        self.enable_downvotes = True
        # The writes (bench/reference/writes.py): the database, the login token, the body.
        self.writes: dict[str, Callable[[Database, str | None, dict[str, Any]], Awaitable[bytes]]]
        self.writes = {
            "/api/v3/post/like": lambda db, token, body: writes.like_post(
                db, token, body, self.enable_downvotes
            ),
            "/api/v3/comment": commenting.create_comment,
        }

    # Time as the database stores it: timestamptz on PostgreSQL, naive UTC text on SQLite.
    def _time(self, db: Database, moment: datetime) -> Any:
        if db.dialect == "postgresql":
            return moment
        return moment.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")

    def _listing_type(self, requested: str | None, member: bool) -> bool:
        """Whether the listing is Local (else All). Anonymous, Subscribed and ModeratorView
        are Local, as moot answers them; a member's are left to moot."""
        requested = requested or self.default_type
        if requested not in ("All", "Local", "Subscribed", "ModeratorView"):
            raise BadRequest("unknown type_")
        if member and requested not in ("All", "Local"):
            raise BadRequest("the reference lists All or Local for a member")
        return requested != "All"

    async def post_list(self, db: Database, query: Query, token: str | None) -> bytes:
        """Anonymous: one statement. A member: one statement when the query names type_
        and sort (the login read in it, `members.ME`); one more first for the member's
        defaults when it does not, and one more after an empty page, to tell it from an
        unknown token (which reads as anonymous, as in moot)."""
        _unsupported(query, {"type_", "sort", "limit", "page", "page_cursor"})
        type_, sort = query.get("type_"), query.get("sort")
        if token and (type_ is None or sort is None):
            found = await db.fetch(members.viewer(), {"token": token})
            if not found:
                token = None
            else:
                type_, sort = type_ or str(found[0][0]), sort or str(found[0][1])
        rows = await self._posts(db, query, type_, sort, token)
        if token and not rows and not await db.fetch(members.viewer(), {"token": token}):
            token = None
            rows = await self._posts(db, query, type_, sort, token)
        return _encode(post_views(db.dialect, rows, token is not None))

    async def _posts(
        self, db: Database, query: Query, type_: str | None, sort: str | None, token: str | None
    ) -> Sequence[Sequence[Any]]:
        sort = sort or self.default_sort
        if sort not in sql.POST_SORTS:
            raise BadRequest("unknown or unsupported sort")
        limit = _int(query, "limit", 10, 1, 50)
        page = _int(query, "page", 1, 1, 100_000)
        now = datetime.now(UTC)
        params: dict[str, Any] = {
            "limit": limit,
            "offset": limit * (page - 1),
            "wanted": limit * page,
            "now": self._time(db, now),
            "token": token,
        }
        window = TOP_WINDOWS.get(sort)
        if window is not None:
            params["since"] = self._time(db, now - window)
        cursor = query.get("page_cursor")
        if cursor is not None:
            try:
                if not cursor.startswith("P") or len(cursor) > 17:
                    raise ValueError
                params["cursor"] = int(cursor[1:], 16)
            except ValueError:
                raise BadRequest("Could not parse pagination token") from None
        member = token is not None
        local = self._listing_type(type_, member)
        stmt = sql.post_list(db.dialect, sort, local, cursor is not None, member)
        return await db.fetch(stmt, params)

    async def comment_list(self, db: Database, query: Query, token: str | None) -> bytes:
        _anonymous(token)
        _unsupported(query, {"type_", "sort", "limit", "page", "post_id", "max_depth"})
        if "post_id" not in query or "max_depth" not in query:
            raise BadRequest("the reference serves the comment tree of a post only")
        sort = query.get("sort") or "Hot"
        if sort not in sql.COMMENT_SORTS:
            raise BadRequest("unknown sort")
        _int(query, "limit", 10, 1, 50)  # checked as moot does, then unused: a tree
        _int(query, "page", 1, 1, 100_000)
        params = {
            "post_id": _int(query, "post_id", 0, -(2**31), 2**31 - 1),
            "path_length": _int(query, "max_depth", 0, 1, 1000) * 10,
            "now": self._time(db, datetime.now(UTC)),
        }
        stmt = sql.comment_tree(db.dialect, sort, self._listing_type(query.get("type_"), False))
        rows = await db.fetch(stmt, params)
        comment, counts = s.COMMENT.reader(db.dialect), s.COMMENT_COUNTS.reader(db.dialect)
        post, person = s.POST.reader(db.dialect), s.PERSON.reader(db.dialect)
        community = s.COMMUNITY.reader(db.dialect)
        people: dict[int, dict[str, Any]] = {}
        posts: dict[int, dict[str, Any]] = {}
        places: dict[int, dict[str, Any]] = {}
        f = sql.COMMENT_FLAGS_AT
        views = []
        for row in rows:
            body = comment(row, sql.COMMENT_AT)
            body["path"] = s.lemmy_path(row[sql.COMMENT_PATH_AT])
            if body["deleted"] or body["removed"]:
                body["content"] = ""
            creator_id, post_id = row[1], row[2]
            creator = people.get(creator_id) or people.setdefault(
                creator_id, person(row, sql.COMMENT_PERSON_AT)
            )
            thread = posts.get(post_id) or posts.setdefault(post_id, post(row, sql.COMMENT_POST_AT))
            community_id = thread["community_id"]
            place = places.get(community_id) or places.setdefault(
                community_id, community(row, sql.COMMENT_COMMUNITY_AT)
            )
            views.append(
                {
                    "comment": body,
                    "creator": creator,
                    "community": place,
                    "creator_banned_from_community": bool(row[f]),
                    "banned_from_community": False,
                    "creator_is_moderator": bool(row[f + 1]),
                    "creator_is_admin": bool(row[f + 2]),
                    "subscribed": "NotSubscribed",
                    "creator_blocked": False,
                    "post": thread,
                    "counts": counts(row, sql.COMMENT_COUNTS_AT),
                    "saved": False,
                }
            )
        return _encode({"comments": views})

    async def site(self, db: Database, query: Query, token: str | None) -> bytes:
        _anonymous(token)
        _unsupported(query, set())
        rows = await db.fetch(sql.site(db.dialect), {})
        row = rows[0]
        d = db.dialect
        at = sql.SITE_LISTS_AT
        lists: list[list[Sequence[Any]]] = [
            msgspec.json.decode(row[at + i]) if row[at + i] is not None else [] for i in range(7)
        ]
        admins, languages, site_languages, taglines, emojis, keywords, blocked = lists
        admin, admin_counts = s.PERSON.reader(d), s.PERSON_COUNTS.reader(d)
        language, tagline = s.LANGUAGE.reader(d), s.TAGLINE.reader(d)
        emoji, keyword, url = (
            s.CUSTOM_EMOJI.reader(d),
            s.EMOJI_KEYWORD.reader(d),
            s.BLOCKED_URL.reader(d),
        )
        counts = s.SITE_TOTALS.reader(d)(row, sql.TOTALS_AT)
        site = s.SITE.reader(d)(row, sql.SITE_AT)
        out = {
            "site_view": {
                "site": site,
                "local_site": s.LOCAL_SITE.reader(d)(row, sql.LOCAL_SITE_AT),
                "local_site_rate_limit": s.RATE_LIMIT.reader(d)(row, sql.RATE_LIMIT_AT),
                "counts": {
                    "site_id": site["id"],
                    **counts,
                    "users_active_day": 0,
                    "users_active_week": 0,
                    "users_active_month": 0,
                    "users_active_half_year": 0,
                },
            },
            "admins": [
                {
                    "person": admin(a, 0),
                    "counts": admin_counts(a, len(s.PERSON)),
                    "is_admin": True,
                }
                for a in admins
            ],
            "version": LEMMY_API_VERSION,
            "all_languages": [language(r, 0) for r in languages],
            "discussion_languages": [r[0] for r in site_languages],
            "taglines": [tagline(r, 0) for r in taglines],
            "custom_emojis": [
                {
                    "custom_emoji": emoji(e, 0),
                    "keywords": [keyword(k, 0) for k in keywords if k[0] == e[0]],
                }
                for e in emojis
            ],
            "blocked_urls": [url(r, 0) for r in blocked],
        }
        return _encode(out)

    async def _startup(self) -> None:
        self.db = await open_database(self.database_url, self.pool_size)
        rows = await self.db.fetch(sql.site(self.db.dialect), {})
        local = s.LOCAL_SITE.reader(self.db.dialect)(rows[0], sql.LOCAL_SITE_AT)
        self.default_type = str(local["default_post_listing_type"])
        self.default_sort = str(local["default_sort_type"])
        self.enable_downvotes = bool(local["enable_downvotes"])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        route = self.routes.get(scope["path"])
        write = self.writes.get(scope["path"])
        status, body = 404, b'{"error":"not_found"}'
        counted = None
        if route is not None and scope["method"] == "GET" and self.db is not None:
            query = dict(parse_qsl(scope["query_string"].decode("latin-1")))
            counted = Counted(self.db)
            try:
                status, body = 200, await route(counted, query, _token(scope))
            except BadRequest as error:
                status, body = 400, _encode({"error": str(error)})
        elif write is not None and scope["method"] == "POST" and self.db is not None:
            counted = Counted(self.db)
            try:
                data = msgspec.json.decode(await _body(receive))
                status, body = 200, await write(counted, _token(scope), data)
            except (writes.Refused, msgspec.DecodeError, KeyError, TypeError, ValueError) as e:
                status, body = 400, _encode({"error": str(e)})
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    # moot logs its own count per request (moot/request_log.py).
                    (b"x-statements", str(counted.statements if counted else 0).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self._startup()
                except Exception as error:
                    await send({"type": "lifespan.startup.failed", "message": str(error)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.db is not None:
                    await self.db.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


async def _body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def _token(scope: Scope) -> str | None:
    """The bearer token of the Authorization header, as moot takes it."""
    for name, value in scope["headers"]:
        if name == b"authorization":
            text = value.decode("latin-1")
            return text[7:].strip() if text[:7].lower() == "bearer " else None
    return None


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.reference", description=__doc__)
    ap.add_argument("--database-url", required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8600)
    ap.add_argument("--pool-size", type=int, default=4)
    args = ap.parse_args(argv)
    # As `moot serve` runs uvicorn (moot/cli.py).
    uvicorn.run(
        Reference(args.database_url, args.pool_size),
        host=args.host,
        port=args.port,
        log_level="warning",
        proxy_headers=False,
        server_header=False,
    )
