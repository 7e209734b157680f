"""Must show 3: the inbox under hostile input. Every refusal is a clear 4xx that leaves
nothing behind; what passes the door and is still wrong fails in the worker, which goes on.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from moot.errors import ErrorCode
from moot.federation.keys import generate_keypair
from moot.federation.protocol.common import CONTEXT
from moot.text.markdown import render_markdown
from tests.conftest import unique
from tests.federation.conftest import Cluster, Peer, wait_for
from tests.federation.peer import EvilPeer, start_peer
from tests.federation.test_fixtures import FIXTURES


@pytest.fixture(scope="module")
def evil() -> Iterator[EvilPeer]:
    peer = start_peer()
    yield peer
    peer.close()


@pytest.fixture(scope="module")
def target(cluster: Cluster) -> Peer:
    return cluster.alpha


def _count(peer: Peer, query: str) -> int:
    with sqlite3.connect(peer.server.database_url.split("///", 1)[1]) as conn:
        return int(conn.execute(query).fetchone()[0])


def _written(peer: Peer) -> tuple[int, int]:
    """What a refused request must not change: stored activities and known persons."""
    return (
        _count(peer, "SELECT count(*) FROM received_activity"),
        _count(peer, "SELECT count(*) FROM person"),
    )


def _follow(evil: EvilPeer, target: Peer, community: str, actor: str = "mallory") -> bytes:
    doc = {
        "@context": CONTEXT,
        "id": evil.activity_id("follow"),
        "type": "Follow",
        "actor": evil.actor(actor),
        "object": f"http://{target.host}/c/{community}",
        "to": [f"http://{target.host}/c/{community}"],
    }
    return json.dumps(doc).encode()


@pytest.fixture(scope="module")
def community(target: Peer) -> str:
    name = unique("evil")
    target.admin.ok("POST", "/community", {"name": name, "title": "Target"})
    return name


def _refused(response: Any, code: ErrorCode, status: int = 400) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"] == code.value, response.text
    assert response.json().get("message"), "a refusal says why"


def test_a_well_signed_follow_is_stored_processed_and_accepted(
    evil: EvilPeer, target: Peer, community: str
) -> None:
    response = evil.post(target.server, _follow(evil, target, community))
    assert response.status_code == 200 and response.content == b""
    accept = wait_for(
        lambda: next((a for a in evil.received if a.get("type") == "Accept"), None),
        "the Accept of mallory's follow",
    )
    assert accept["object"]["actor"] == evil.actor("mallory")
    # Follows and accepts are not served at their ids (Lemmy marks them sensitive).
    path = accept["id"].split(target.host, 1)[1]
    assert (
        httpx.get(
            f"{target.server.url}{path}", headers={"Accept": "application/activity+json"}
        ).status_code
        == 403
    )


CASES: dict[str, dict[str, Any]] = {
    "no signature": {"headers": {"signature": ""}, "code": ErrorCode.INVALID_SIGNATURE},
    "no digest": {"headers": {"digest": ""}, "code": ErrorCode.INVALID_SIGNATURE},
    "wrong digest": {
        "headers": {"digest": "SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="},
        "code": ErrorCode.INVALID_SIGNATURE,
    },
    "forged: signed with another key": {
        "key": generate_keypair()[0],
        "code": ErrorCode.INVALID_SIGNATURE,
    },
    "signed by someone who is not the actor": {
        "signer": "eve",
        "key": generate_keypair()[0],
        "code": ErrorCode.INVALID_SIGNATURE,
    },
    "signature two hours old": {
        "headers": {"date": format_datetime(datetime.now(UTC) - timedelta(hours=2), usegmt=True)},
        "code": ErrorCode.INVALID_SIGNATURE,
    },
    "not JSON content": {
        "headers": {"content-type": "text/plain"},
        "code": ErrorCode.INVALID_ACTIVITY,
    },
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_signatures_are_refused_and_nothing_is_written(
    evil: EvilPeer, target: Peer, community: str, case: str
) -> None:
    spec = CASES[case]
    before = _written(target)
    body = _follow(evil, target, community, actor="mallory")
    response = evil.post(
        target.server,
        body,
        signer=spec.get("signer", "mallory"),
        key=spec.get("key"),
        headers=spec.get("headers"),
    )
    _refused(response, spec["code"])
    assert _written(target) == before


def test_a_replayed_request_is_refused(evil: EvilPeer, target: Peer, community: str) -> None:
    body = _follow(evil, target, community)
    first = evil.post(target.server, body)
    assert first.status_code == 200
    before = _written(target)
    again = evil.post(target.server, body)
    _refused(again, ErrorCode.DUPLICATE_ACTIVITY)
    assert _written(target) == before


def test_a_rotated_key_is_fetched_again_once(evil: EvilPeer, target: Peer, community: str) -> None:
    name = unique("rot")
    assert (
        evil.post(target.server, _follow(evil, target, community, name), signer=name).status_code
        == 200
    )
    evil.keys[name] = generate_keypair()  # the actor's home rotates its key
    response = evil.post(target.server, _follow(evil, target, community, name), signer=name)
    assert response.status_code == 200, response.text


def _activity(evil: EvilPeer, **fields: Any) -> bytes:
    doc = {"@context": CONTEXT, "id": evil.activity_id(), "actor": evil.actor("mallory")}
    doc.update(fields)
    return json.dumps(doc).encode()


def test_refused_shapes(evil: EvilPeer, target: Peer, community: str) -> None:
    note_elsewhere = {
        "type": "Note",
        "id": f"http://moot-beta:1/comment/{unique('n')}",
        "attributedTo": evil.actor("mallory"),
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "content": "hi",
        "inReplyTo": f"http://{target.host}/post/1",
    }
    # Built as text: no JSON library writes (or should read) 5000 levels.
    deep = _activity(evil, type="Like", object="DEEP").replace(
        b'"DEEP"', b"[" * 5000 + b'"x"' + b"]" * 5000
    )
    bodies = {
        "object on another host than the actor": _activity(
            evil, type="Create", object=note_elsewhere
        ),
        "activity id on another host": _activity(
            evil, type="Like", id="http://moot-beta:1/activities/like/x", object="http://x.example/"
        ),
        "unknown type": _activity(evil, type="Wave", object="http://moot-evil:1/x"),
        "no type": _activity(evil, object="http://moot-evil:1/x"),
        "deeply nested": deep,
        "not JSON": b"{not json",
        "a JSON list": b"[1, 2, 3]",
        "wrong type in a known key": _activity(evil, type="Like", object=12),
    }
    for what, body in bodies.items():
        before = _written(target)
        response = evil.post(target.server, body)
        assert response.status_code == 400, (what, response.text)
        assert response.json()["error"] == ErrorCode.INVALID_ACTIVITY.value, what
        assert _written(target) == before, what


def test_oversized_bodies(evil: EvilPeer, target: Peer) -> None:
    big = _activity(evil, type="Like", object="http://moot-evil:1/x", padding="x" * 300_000)
    _refused(evil.post(target.server, big), ErrorCode.ACTIVITY_TOO_LARGE)
    huge = _activity(evil, type="Like", object="http://moot-evil:1/x", padding="x" * 2_000_000)
    assert evil.post(target.server, huge).status_code == 413


def test_a_blocked_instance_is_refused(evil: EvilPeer, target: Peer, community: str) -> None:
    target.admin.ok("PUT", "/site", {"blocked_instances": ["moot-evil"]})
    try:
        before = _written(target)
        _refused(
            evil.post(target.server, _follow(evil, target, community)), ErrorCode.DOMAIN_BLOCKED
        )
        assert _written(target) == before
    finally:
        target.admin.ok("PUT", "/site", {"blocked_instances": []})


# --- the fixture corpus, mutated ---------------------------------------------------------


def _corpus() -> list[dict[str, Any]]:
    docs = []
    for path in sorted(Path(FIXTURES).rglob("*.json")):
        doc = json.loads(path.read_text())
        if "actor" in doc:
            docs.append(doc)
    return docs


CORPUS = _corpus()


def _rehome(value: Any, origin: str) -> Any:
    """Every URL of the sample moved to the evil peer (which serves any /u/NAME)."""
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        if value == "https://www.w3.org/ns/activitystreams#Public":
            return value
        rest = value.split("://", 1)[1].split("/", 1)
        return f"{origin}/{rest[1] if len(rest) > 1 else ''}"
    if isinstance(value, list):
        return [_rehome(v, origin) for v in value]
    if isinstance(value, dict):
        return {k: _rehome(v, origin) for k, v in value.items()}
    return value


def _paths(value: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [here]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*here, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*here, i))
    return out


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def _mutate(doc: Any, data: st.DataObject) -> Any:
    for _ in range(data.draw(st.integers(0, 4))):
        paths = [p for p in _paths(doc) if p]
        if not paths:
            break
        path = data.draw(st.sampled_from(paths))
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        op = data.draw(st.sampled_from(["delete", "replace", "wrap", "retype"]))
        if op == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif op == "replace":
            parent[path[-1]] = data.draw(JSON)
        elif op == "wrap":
            parent[path[-1]] = [parent[path[-1]]]
        elif isinstance(parent, dict):
            parent["type"] = data.draw(
                st.sampled_from(["Create", "Announce", "Undo", "Note", "Page", "Group", "Delete"])
            )
    return doc


@pytest.fixture(scope="module")
def seeds(evil: EvilPeer, target: Peer, community: str) -> list[dict[str, Any]]:
    """Activities that are right for the target, so that mutations reach the worker."""
    community_id = target.admin.ok("GET", "/community", name=community)["community_view"][
        "community"
    ]["id"]
    post = target.admin.ok("POST", "/post", {"name": "Fuzz me", "community_id": community_id})
    post_url = post["post_view"]["post"]["ap_id"]
    group = f"http://{target.host}/c/{community}"
    public = "https://www.w3.org/ns/activitystreams#Public"
    mallory = evil.actor("mallory")
    page = {
        "type": "Page",
        "id": f"{evil.origin}/post/1",
        "attributedTo": mallory,
        "to": [group, public],
        "audience": group,
        "name": "A post from the peer",
        "content": "<p>hello</p>",
        "mediaType": "text/html",
    }
    note = {
        "type": "Note",
        "id": f"{evil.origin}/comment/1",
        "attributedTo": mallory,
        "to": [public],
        "cc": [group],
        "audience": group,
        "inReplyTo": post_url,
        "content": "<p>a reply</p>",
        "mediaType": "text/html",
    }
    like = {"type": "Like", "actor": mallory, "object": post_url, "audience": group}
    return [
        {"type": "Create", "actor": mallory, "to": [public], "cc": [group], "object": page},
        {"type": "Create", "actor": mallory, "to": [public], "cc": [group], "object": note},
        like,
        {"type": "Undo", "actor": mallory, "object": {**like, "id": f"{evil.origin}/l/1"}},
        {"type": "Delete", "actor": mallory, "to": [public], "object": page["id"]},
    ]


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_a_mutated_corpus_never_breaks_the_inbox(
    evil: EvilPeer, target: Peer, seeds: list[dict[str, Any]], data: st.DataObject
) -> None:
    if data.draw(st.booleans()):
        sample = _rehome(data.draw(st.sampled_from(CORPUS)), evil.origin)
    else:
        sample = json.loads(json.dumps(data.draw(st.sampled_from(seeds))))
    sample["id"] = evil.activity_id("fuzz")
    doc = _mutate(sample, data)
    actor = doc.get("actor") if isinstance(doc, dict) else None
    name = actor.rsplit("/", 1)[-1] if isinstance(actor, str) and "/u/" in actor else "mallory"
    response = evil.post(target.server, msgspec.json.encode(doc), signer=name)
    assert response.status_code < 500, response.text
    event(f"answered {response.status_code}")
    if response.status_code >= 400:
        assert response.json()["error"], response.text


def test_the_worker_survives_the_fuzzing(evil: EvilPeer, target: Peer, community: str) -> None:
    """Runs after the fuzzing: everything stored is finished, and a new follow still works."""
    wait_for(
        lambda: (
            _count(target, "SELECT count(*) FROM received_activity WHERE state = 'pending'") == 0
        ),
        "the inbox queue to drain",
        timeout=120,
    )
    failed = _count(target, "SELECT count(*) FROM received_activity WHERE state = 'failed'")
    reasons = _count(
        target,
        "SELECT count(*) FROM received_activity WHERE state = 'failed' AND failure IS NULL",
    )
    assert failed > 0 and reasons == 0  # failures were recorded, each with its reason
    # …and each was a refusal moot understood, not a crash inside a handler.
    assert "failed unexpectedly" not in target.server.log_path.read_text()
    name = unique("late")
    evil.received.clear()
    assert (
        evil.post(target.server, _follow(evil, target, community, name), signer=name).status_code
        == 200
    )
    wait_for(
        lambda: any(
            a.get("type") == "Accept" and a["object"]["actor"] == evil.actor(name)
            for a in evil.received
        ),
        "the Accept after the fuzzing",
    )


# --- pathological Markdown (issue 11, item 2) ---------------------------------------------

# The probe's comment was 10 kB (the body limit) of "[<"; these cost markdown-it ~100 token
# steps a character, or a quadratic regex search. tests/text/test_markdown_budget.py
# counts the work; here they go through the front doors and must be stored whole.
FLOODS = ["[<", "![", "[^", "^[", "http://a"]


def _flood(unit: str) -> str:
    return (unit * 10_000)[: 10_000 - len(unit)]


def _stored(peer: Peer, where: str, value: Any) -> tuple[str, str] | None:
    with sqlite3.connect(peer.server.database_url.split("///", 1)[1]) as conn:
        row = conn.execute(f"SELECT content, content_html FROM comment WHERE {where}", (value,))
        found = row.fetchone()
    return (found[0], found[1]) if found else None


def test_bracket_floods_are_stored_whole_locally_and_from_a_peer(
    evil: EvilPeer, target: Peer, community: str
) -> None:
    community_id = target.admin.ok("GET", "/community", name=community)["community_view"][
        "community"
    ]["id"]
    post = target.admin.ok("POST", "/post", {"name": "Floods", "community_id": community_id})
    post_id = post["post_view"]["post"]["id"]
    post_url = post["post_view"]["post"]["ap_id"]
    group = f"http://{target.host}/c/{community}"
    public = "https://www.w3.org/ns/activitystreams#Public"
    sent: list[tuple[str, str]] = []
    for unit in FLOODS:
        text = _flood(unit)
        # Through the API: answered, and the row holds the text and all of its HTML.
        made = target.admin.ok("POST", "/comment", {"post_id": post_id, "content": text})
        comment_id = made["comment_view"]["comment"]["id"]
        assert _stored(target, "id = ?", comment_id) == (text, render_markdown(text))
        # From a peer, as Lemmy sends it (Markdown in source).
        note_id = f"{evil.origin}/comment/{unique('flood')}"
        note = {
            "type": "Note",
            "id": note_id,
            "attributedTo": evil.actor("mallory"),
            "to": [public],
            "cc": [group],
            "audience": group,
            "inReplyTo": post_url,
            "content": "<p>flood</p>",
            "mediaType": "text/html",
            "source": {"content": text, "mediaType": "text/markdown"},
        }
        body = _activity(evil, type="Create", to=[public], cc=[group], object=note)
        response = evil.post(target.server, body)
        assert response.status_code == 200, response.text
        sent.append((note_id, text))
    # The site answers while the worker renders what came in (and after).
    assert target.admin.ok("GET", "/site")["site_view"]["site"]["name"]
    for note_id, text in sent:
        stored = wait_for(
            lambda ap_id=note_id: _stored(target, "ap_id = ?", ap_id), f"comment {note_id}"
        )
        assert stored == (text, render_markdown(text))
    assert "failed unexpectedly" not in target.server.log_path.read_text()
