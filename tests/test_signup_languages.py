"""Reading Accept-Language for a new account's languages (moot.actions.signup_languages)."""

from __future__ import annotations

import pytest

from moot.actions.signup_languages import preferred_codes


@pytest.mark.parametrize(
    ("header", "codes"),
    [
        (None, []),
        ("", []),
        ("de-CH", ["de"]),
        ("en-US,en;q=0.9", ["en"]),  # the region goes, and the language is named once
        ("fr;q=0.5, de", ["de", "fr"]),  # quality first
        ("nl, sv", ["nl", "sv"]),  # ties keep the header's order
        ("PT-br", ["pt"]),
        ("*, it;q=0", []),  # the wildcard names nothing; q=0 refuses
        ("es;q=abc, ja", ["ja"]),  # an unreadable quality refuses too
        ("zh-Hant-TW ; q=0.8 , 1234, ko", ["ko", "zh"]),
    ],
)
def test_preferred_codes(header: str | None, codes: list[str]) -> None:
    assert preferred_codes(header) == codes
