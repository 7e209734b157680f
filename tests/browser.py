"""The browser of the tests: Debian's chromium, one per test module (never a downloaded one),
and contexts that may only reach the servers on 127.0.0.1. Its fixtures are registered by
tests/conftest.py, so the web tests and the federation tests share the one browser."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Route, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def running_chromium() -> Iterator[Browser]:
    """Playwright and one Debian chromium, stopped when the generator is closed."""
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: apt-get install chromium (bin/test does)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """The browser of one test module. Playwright's sync API keeps an event loop running in
    the main thread while it is open, so no asyncio test can run until it stops: it stops
    with its module, whatever order the modules run in."""
    yield from running_chromium()


@pytest.fixture
def outside() -> list[tuple[str, str]]:
    """Requests pages tried to make elsewhere: (resource type, url)."""
    return []


ContextMaker = Callable[..., BrowserContext]


@pytest.fixture
def new_context(browser: Browser, outside: list[tuple[str, str]]) -> Iterator[ContextMaker]:
    """Browser contexts (one per person) that may only reach 127.0.0.1; anything else is
    refused and recorded in `outside`. Closed after the test."""
    made: list[BrowserContext] = []

    def gate(route: Route) -> None:
        if route.request.url.startswith("http://127.0.0.1:"):
            route.continue_()
        else:
            outside.append((route.request.resource_type, route.request.url))
            route.abort()

    def make(**options: object) -> BrowserContext:
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(**options)  # type: ignore[arg-type]
        context.route("**/*", gate)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()
