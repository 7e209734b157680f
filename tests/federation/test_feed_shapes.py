"""moot's `Feed` actor and its `following` collection have the shapes of Lemmy 1.0's
(tests/federation/fixtures/lemmy1/: every key, with a feed that has every text set)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from moot.federation.objects.feed import feed_json, following_json

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "lemmy1"


def _feed() -> dict[str, object]:
    return {
        "id": 1,
        "name": "morning",
        "title": "Morning reading",
        "summary": "Three communities to start the day",
        "sidebar": "Picked by **alice**",
        "ap_id": "https://moot.example/m/morning",
        "following_url": "https://moot.example/m/morning/following",
        "local": True,
        "deleted": False,
        "published": datetime(2026, 12, 1, tzinfo=UTC),
    }


def test_the_feed_actor_has_lemmy_1s_keys() -> None:
    sample = json.loads((FIXTURES / "feed.json").read_text())
    ours = feed_json(_feed(), "https://moot.example/u/alice", "PEM", "https://moot.example")
    assert set(ours) == set(sample) - {"@context"}
    assert set(ours["publicKey"]) == set(sample["publicKey"])
    assert ours["type"] == "Feed"
    assert ours["following"] == "https://moot.example/m/morning/following"
    assert ours["source"] == {"content": "Picked by **alice**", "mediaType": "text/markdown"}


def test_the_following_collection_has_lemmy_1s_keys() -> None:
    sample = json.loads((FIXTURES / "feed_following.json").read_text())
    items = ["https://moot.example/c/tea", "https://elsewhere.example/c/news"]
    ours = following_json(_feed(), items)
    assert set(ours) == set(sample) - {"@context"}
    assert ours["type"] == "Collection" and ours["totalItems"] == 2 and ours["items"] == items
