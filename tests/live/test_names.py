"""Names and titles that would mislead a reader are refused, through the API as a client
sends them: bidi controls that reorder what is shown, text made only of invisible
characters, and display names that look like another account's name."""

from __future__ import annotations

import pytest

from moot.errors import ErrorCode as E
from tests.conftest import Api, register, unique

RLO, PDI, ZWSP, HANGUL_FILLER = "\u202e", "\u2069", "\u200b", "\u3164"
CYRILLIC_A, FULLWIDTH_A = "\u0430", "\uff41"


def _settings(member: Api, display_name: str) -> tuple[int, str] | dict[str, object]:
    response = member.put("/user/save_user_settings", {"display_name": display_name})
    if response.status_code == 200:
        return dict(response.json())
    return response.status_code, str(response.json()["error"])


@pytest.mark.parametrize(
    "name",
    [f"Joey {RLO}lanigiro", f"\u2066Joey{PDI}", HANGUL_FILLER * 4, f"{ZWSP}{ZWSP}{ZWSP}"],
    ids=["override", "isolate", "fillers", "zero-width"],
)
def test_display_names_that_mislead(admin: Api, name: str) -> None:
    member = register(admin.server)
    assert _settings(member, name) == (400, E.INVALID_DISPLAY_NAME)


def test_display_names_posing_as_another_account(admin: Api) -> None:
    target = unique("lookalike")
    register(admin.server, target)
    member = register(admin.server)
    posing = [
        target.replace("o", "\u043e"),  # a Cyrillic o
        "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in target),  # full-width
        target.replace("l", "L", 1).replace("a", "\u00e1", 1),  # other case, an accent
        target[:3] + ZWSP + target[3:],
    ]
    for name in posing:
        assert _settings(member, name) == (400, E.INVALID_DISPLAY_NAME), name
    assert _settings(member, target + " fan") == {"success": True}
    # One's own name, in any letters, is one's own.
    own = member.ok("GET", "/site")["my_user"]["local_user_view"]["person"]["name"]
    assert _settings(member, own.replace("u", "\u03c5").upper()) == {"success": True}


def test_titles_that_mislead(admin: Api) -> None:
    community = admin.ok("POST", "/community", {"name": unique("titles"), "title": "Titles"})
    community_id = community["community_view"]["community"]["id"]
    for title in (f"Sale {RLO}exe.gpj", ZWSP * 5, f"{HANGUL_FILLER} {HANGUL_FILLER} ."[:3]):
        body = {"name": title, "community_id": community_id}
        assert admin.error("POST", "/post", body) == (400, E.INVALID_POST_TITLE), repr(title)
    assert admin.error(
        "POST", "/community", {"name": unique("bidi"), "title": f"Walks {RLO}skl"}
    ) == (400, E.INVALID_BODY_FIELD)
    assert admin.error("PUT", "/community", {"community_id": community_id, "title": ZWSP * 4}) == (
        400,
        E.INVALID_BODY_FIELD,
    )
    fine = admin.ok(
        "POST", "/post", {"name": f"{CYRILLIC_A}{FULLWIDTH_A} ok", "community_id": community_id}
    )
    assert fine["post_view"]["post"]["name"] == f"{CYRILLIC_A}{FULLWIDTH_A} ok"
