"""Lemmy 1.0's private communities on the wire (tests/federation/fixtures/private_community):
the Group's `manuallyApprovesFollowers` makes a remote community private here, and moot's
own Group says it for a private community; the moderator's Accept and Reject of a waiting
Follow pass the inbox's checks, and moot writes them in the same shape."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest

from moot.federation import compose
from moot.federation.checks import Rules, check_activity
from moot.federation.objects.community import group_fields, group_json
from moot.federation.protocol.actors import Group
from moot.federation.protocol.parse import decode, parse
from tests.federation.test_fixtures import COMMUNITY, LANGS, ORIGIN, PEM

HERE = Path(__file__).parent / "fixtures/private_community"
RULES = Rules(local_domain="ds9.lemmy.ml", allow_http=False)


def _sample(name: str) -> dict[str, Any]:
    out: dict[str, Any] = decode((HERE / name).read_bytes())
    return out


def test_a_private_group_reads_as_a_private_community() -> None:
    shape = parse(_sample("group_private.json"))
    assert isinstance(shape, Group)
    assert group_fields(shape)["visibility"] == "Private"
    public = parse({**_sample("group_private.json"), "manuallyApprovesFollowers": False})
    assert isinstance(public, Group)
    assert group_fields(public)["visibility"] == "Public"


def test_moots_group_says_it_approves_its_followers() -> None:
    private = msgspec.to_builtins(
        group_json({**COMMUNITY, "visibility": "Private"}, PEM, ORIGIN, LANGS)
    )
    assert private["manuallyApprovesFollowers"] is True
    public = msgspec.to_builtins(group_json(COMMUNITY, PEM, ORIGIN, LANGS))
    assert "manuallyApprovesFollowers" not in public
    sample = set(_sample("group_private.json"))
    assert set(private) - {"@context"} <= sample | {"image", "icon", "updated"}


@pytest.mark.parametrize("name", ["follow.json", "accept_approved.json", "reject_denied.json"])
def test_the_follow_and_the_answers_pass_the_inbox_checks(name: str) -> None:
    activity = parse(_sample(name))
    rules = RULES if name != "follow.json" else Rules("enterprise.lemmy.ml", allow_http=False)
    check_activity(activity, rules)


@pytest.mark.parametrize("kind", ["accept_approved.json", "reject_denied.json"])
def test_moot_answers_in_the_samples_shape(kind: str) -> None:
    sample = _sample(kind)
    group, person = sample["actor"], sample["object"]["actor"]
    asked = compose.follow("https://enterprise.lemmy.ml", person, group)
    make = compose.accept if sample["type"] == "Accept" else compose.reject
    ours = make("https://enterprise.lemmy.ml", group, asked)
    assert set(ours) == set(sample)
    assert set(ours["object"]) == set(sample["object"])
    assert ours["type"] == sample["type"] and ours["to"] == sample["to"]
