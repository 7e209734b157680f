"""Lemmy 1.0's community post tags on the wire (tests/federation/lemmy10/*.json, written in
the shapes of Lemmy 1.0's published samples `objects/group.json` and `objects/page.json`
and its `CommunityPostTag`: id, preferredUsername, name, content, color): they parse, the
tags a Group may define and a Page carries are read from them, and moot's own Group and Page
list a tag with the same keys."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from moot.db import models as m
from moot.federation.compose import plain
from moot.federation.objects.community import group_json
from moot.federation.objects.post import page_json, post_fields
from moot.federation.objects.tags import KIND, community_tags_in
from moot.federation.protocol.actors import Group
from moot.federation.protocol.objects import Page
from moot.federation.protocol.parse import decode, parse
from tests.federation.test_fixtures import COMMUNITY, POST, _row

HERE = Path(__file__).parent / "lemmy10"
T0 = datetime(2026, 10, 1, tzinfo=UTC)


def _load(name: str) -> Any:
    return parse(decode((HERE / name).read_bytes()))


def _sample_tag(doc_name: str) -> dict[str, Any]:
    doc = decode((HERE / doc_name).read_bytes())
    return next(t for t in doc["tag"] if t["type"] == KIND)


TAG = _row(
    m.community_tag,
    id=3,
    ap_id=f"{COMMUNITY['actor_id']}/tag/repairs",
    community_id=1,
    name="repairs",
    display_name="Repairs",
    summary="Fixing hulls, sails and engines",
    color="color05",
    published=T0,
    deleted=False,
)


def test_a_groups_own_tags_are_read_and_anothers_left_out() -> None:
    group = _load("group_with_tags.json")
    assert isinstance(group, Group)
    tags = community_tags_in(group.tag, group.id)
    assert [(t.preferred_username, t.name, t.content, t.color) for t in tags] == [
        ("repairs", "Repairs", "Fixing hulls, sails and engines", "color05"),
        ("sightings", None, None, "color02"),
    ]


def test_a_pages_tags_are_its_community_post_tags() -> None:
    page = _load("page_with_tags.json")
    assert isinstance(page, Page)
    fields = post_fields(page, "harbour")
    assert fields["tag_urls"] == ["https://lemmy.example/c/harbour/tag/repairs"]


def test_moot_lists_tags_as_lemmy_does() -> None:
    group = plain(group_json(COMMUNITY, "PEM", "https://moot.example", [], [TAG]))
    page = plain(
        page_json({**POST, "community_id": 1}, "https://moot.example/u/a", COMMUNITY, [TAG])
    )
    sample = _sample_tag("group_with_tags.json")
    for listed in (group["tag"], [t for t in page["tag"] if t["type"] == KIND]):
        assert len(listed) == 1
        assert set(listed[0]) == set(sample)
        assert listed[0]["preferredUsername"] == "repairs"
        assert listed[0]["id"] == TAG["ap_id"]
    assert {t["type"] for t in page["tag"]} == {KIND, "Hashtag"}


def test_a_community_without_tags_lists_none() -> None:
    assert "tag" not in plain(group_json(COMMUNITY, "PEM", "https://moot.example", [], []))
