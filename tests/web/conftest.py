"""Browser fixtures: Debian's chromium, and live servers per backend
shared by the modules that need the same kind (a seeded one, an open one, a bare one)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.browser import ContextMaker
from tests.conftest import BACKENDS, Api
from tests.servers import ADMIN_NAME, ADMIN_PASSWORD, ROOT, Server, destroy, make_server
from tests.web.staff import Crew, make_crew

ARTIFACTS = ROOT / "test-artifacts"


def seed_path() -> Path:
    near = Path(__file__).resolve().parents[3] / "shared/fixtures/seed-profile.json"
    return near if near.exists() else Path("/work/shared/fixtures/seed-profile.json")


SEED = json.loads(seed_path().read_text(encoding="utf-8"))


def _open_up(srv: Server) -> None:
    """Open registration and rate limits out of the way, as tests/conftest.py does."""
    token = Api(srv).ok(
        "POST", "/user/login", {"username_or_email": ADMIN_NAME, "password": ADMIN_PASSWORD}
    )["jwt"]
    limits = {
        f"rate_limit_{b}": 100000
        for b in ("message", "post", "register", "image", "comment", "search")
    }
    Api(srv, token).ok("PUT", "/site", {"registration_mode": "Open", **limits})


def _running(request: pytest.FixtureRequest, srv: Server) -> Iterator[Server]:
    try:
        yield srv
    finally:
        if request.session.testsfailed and srv.log_path.exists():
            print(f"--- {srv.backend} server log ---\n{srv.log_tail()}")
        destroy(srv)


@pytest.fixture(scope="session", params=BACKENDS)
def seeded(request: pytest.FixtureRequest) -> Iterator[Server]:
    """A server of each backend, started after importing the seed profile."""
    srv = make_server(request.param)
    done = srv.moot("import", str(seed_path()), check=False)
    assert done.returncode == 0, f"import failed:\n{done.stdout}\n{done.stderr}"
    srv.start()
    _open_up(srv)
    yield from _running(request, srv)


@pytest.fixture(scope="session", params=BACKENDS)
def site(request: pytest.FixtureRequest) -> Iterator[Server]:
    """An empty server of each backend with open registration, for journeys and pages."""
    srv = make_server(request.param)
    srv.start()
    _open_up(srv)
    yield from _running(request, srv)


@pytest.fixture
def page(new_context: ContextMaker) -> Page:
    return new_context().new_page()


def save_screenshot(page: Page, name: str) -> None:
    """The whole page as a test artifact. The viewport is stretched to the page's height
    first: chromium's own full-page capture of a long page takes seconds more."""
    size = page.viewport_size or {"width": 1280, "height": 900}
    height = int(page.evaluate("document.documentElement.scrollHeight"))
    page.set_viewport_size({"width": size["width"], "height": max(height, size["height"])})
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    page.set_viewport_size(size)


@pytest.fixture(scope="session", params=BACKENDS)
def modsite(request: pytest.FixtureRequest) -> Iterator[Server]:
    """A server of each backend for the moderation and admin pages, whose tests change site
    settings (registration mode, modlog names) and put them back."""
    srv = make_server(request.param)
    srv.start()
    _open_up(srv)
    yield from _running(request, srv)


@pytest.fixture(scope="module")
def crew(modsite: Server, browser: Browser) -> Iterator[Crew]:
    """The admin, a moderator, a member and an anonymous reader of `modsite`, each in a
    browser context of their own, for a module of moderation or admin page tests."""
    made = make_crew(modsite, browser)
    yield made
    made.close()
