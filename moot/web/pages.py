"""What every page handler shares: who is looking, the site, rendering, going back.

Pages read the viewer exactly as the API does (`Authorization: Bearer`, then the `jwt`
cookie) and act through the same `required_viewer` check, so a browser session and an API
client holding the same token are one session.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

from litestar import Request
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Template

from moot.actions import site_state
from moot.auth import Viewer
from moot.db.engine import Connection, Row
from moot.errors import ApiError, ErrorCode
from moot.request_context import optional_viewer
from moot.state import Moot
from moot.web.nav import Nav, nav_counts

AnyRequest = Request[Any, Any, Any]
INT32_MAX = 2**31 - 1
THEMES = {"browser": "Same as the system", "light": "Light", "dark": "Dark"}


def state(request: AnyRequest) -> Moot:
    moot: Moot = request.app.state.moot
    return moot


@dataclass(frozen=True)
class Page:
    """The facts the page frame (header, theme, menus) needs."""

    viewer: Viewer | None
    site: Row
    local_site: Row
    nav: Nav | None = None  # the member's counts in the menu
    compact: bool = False  # lists in the compact density (a cookie: list_options.py)
    # Language id -> (code, name), for the language a post is written in.
    languages: Mapping[int, tuple[str, str]] = field(default_factory=dict)

    @property
    def theme(self) -> str:
        chosen = str(self.viewer.local_user["theme"]) if self.viewer else "browser"
        if chosen not in THEMES:
            chosen = str(self.local_site["default_theme"])
        return chosen if chosen in THEMES else "browser"

    @property
    def show_scores(self) -> bool:
        return self.viewer is None or bool(self.viewer.local_user["show_scores"])

    @property
    def show_nsfw(self) -> bool:
        return self.viewer is not None and bool(self.viewer.local_user["show_nsfw"])


# The pages a visitor needs to get in, which a private instance still shows them (as
# Lemmy UI does); every other page sends them to the login form.
OPEN_PAGES = frozenset({"/login", "/signup", "/setup"})


async def load_page(conn: Connection, request: AnyRequest) -> Page:
    known = await site_state.current(conn)
    site, local = known.site, known.local
    viewer = await optional_viewer(conn, request, open_to_all=request.url.path in OPEN_PAGES)
    # A fragment has no menu to fill in.
    nav = None if viewer is None or is_htmx(request) else await nav_counts(conn, viewer, local)
    compact = request.cookies.get("density") == "compact"
    return Page(viewer, site, local, nav, compact, _language_names(known))


def _language_names(known: site_state.SiteState) -> Mapping[int, tuple[str, str]]:
    """Language id -> (code, name), made once per state of the site and kept with it."""
    names: Mapping[int, tuple[str, str]] | None = known.shaped.get("language names")
    if names is None:
        names = {
            int(r["id"]): (str(r["code"]), str(r["name"]))
            for r in known.languages
            if r["code"] != "und"  # undetermined: nothing to say
        }
        known.shaped["language names"] = names
    return names


def render(
    template: str, page: Page, *, status: int = 200, title: str = "", **context: Any
) -> Template:
    return Template(
        template_name=template,
        context={"page": page, "me": page.viewer, "title": title, **context},
        status_code=status,
    )


def is_htmx(request: AnyRequest) -> bool:
    """An in-place request from the page's script: it wants a fragment, not a page."""
    return request.headers.get("hx-request") == "true"


def local_path(request: AnyRequest, target: str | None) -> str | None:
    """`target` as a path on this site, or None if it points anywhere else."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        own = urlsplit(str(request.base_url))
        if (parts.scheme, parts.netloc) != (own.scheme, own.netloc):
            return None
    if not parts.path.startswith("/") or parts.path.startswith("//"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def back(request: AnyRequest, fallback: str, anchor: str = "") -> Redirect:
    """After a plain form: back to the page it was sent from (same site only), at the item."""
    target = local_path(request, request.headers.get("referer")) or fallback
    return Redirect(path=target + (f"#{anchor}" if anchor else ""), status_code=303)


def go(path: str) -> Redirect:
    return Redirect(path=path, status_code=303)


def login_first(request: AnyRequest) -> Redirect:
    """To the login form, and after it back here (or, for a form sent while logged out, back
    to the page that held the form)."""
    here: str | None = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET":
        here = local_path(request, request.headers.get("referer"))
    return go(f"/login?next={quote(here or '/', safe='')}")


def ident(raw: int) -> int:
    """An id from a path: ids are 32-bit, anything else names nothing."""
    if not 1 <= raw <= INT32_MAX:
        raise ApiError(ErrorCode.COULDNT_FIND_OBJECT)
    return raw


def text(form: FormMultiDict, key: str) -> str:
    value = form.get(key)
    return value if isinstance(value, str) else ""


def flag(form: FormMultiDict, key: str) -> bool:
    return text(form, key) in ("1", "on", "true")


def optional_int(form: FormMultiDict, key: str) -> int | None:
    raw = text(form, key).strip()
    if not raw:
        return None
    if not raw.lstrip("-").isdigit() or not -INT32_MAX <= int(raw) <= INT32_MAX:
        raise ApiError(ErrorCode.INVALID_QUERY, f"{key} is not a number")
    return int(raw)


T = TypeVar("T")


async def one_page(
    fetch: Callable[[int, int], Awaitable[list[T]]], number: int, size: int
) -> tuple[list[T], bool]:
    """Page `number` of `size` rows from `fetch(page, limit)`, and whether another follows.
    The lists skip whole pages of `limit` rows, so the look-ahead asks for the next page's
    first row as a page of one (a page of size + 1 would start every later page one row
    too far, and lose that row)."""
    rows = await fetch(number, size)
    following = await fetch(number * size + 1, 1) if len(rows) == size else []
    return rows, bool(following)
