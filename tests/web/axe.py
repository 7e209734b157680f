"""axe-core (from npm, tests/web/js) run inside a page in chromium."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.web.conftest import ARTIFACTS

AXE = Path(__file__).resolve().parent / "js/node_modules/axe-core/axe.min.js"
BLOCKING = {"serious", "critical"}


def axe_findings(page: Page, name: str) -> list[dict[str, Any]]:
    """The violations axe finds on the page as it is now; all of them are written out."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: bin/test installs it (npm ci in tests/web/js)")
    # Through the DevTools protocol: the page's Content-Security-Policy allows no script
    # but its own, and a script tag added by the test would be refused like any other.
    page.context.new_cdp_session(page).send(
        "Runtime.evaluate", {"expression": AXE.read_text(encoding="utf-8")}
    )
    result: dict[str, Any] = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    violations: list[dict[str, Any]] = result["violations"]
    ARTIFACTS.mkdir(exist_ok=True)
    report = [
        {
            "rule": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "where": [n["target"] for n in v["nodes"]][:10],
        }
        for v in violations
    ]
    (ARTIFACTS / f"axe-{name}.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    return [v for v in report if v["impact"] in BLOCKING]


def check_schemes_and_widths(page: Page, name: str) -> None:
    """The page as it is now, in light and dark at 1280 and 390 px wide: no serious or
    critical axe finding, and no sideways scroll. axe runs as a script: the page needs it."""
    for scheme in ("light", "dark"):
        for width in (1280, 390):
            page.emulate_media(color_scheme=scheme)
            page.set_viewport_size({"width": width, "height": 900})
            assert axe_findings(page, f"{name}-{scheme}-{width}") == []
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
                f"{name} scrolls sideways at {width} px ({scheme})"
            )
