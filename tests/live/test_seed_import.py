"""The issue's must-show: the seed profile, imported with `moot import`, reads as the page it
was reconstructed from; and `moot export` of that instance, imported into a fresh instance on
the other database, gives the same API answers.

Every server here is fresh (the shared `server` fixture already has other tests' content), and
starts only after its import, as an operator moving a site would do it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import BACKENDS, Api
from tests.servers import Server, destroy, make_server


def _seed_path() -> Path:
    near = Path(__file__).resolve().parents[3] / "shared/fixtures/seed-profile.json"
    return near if near.exists() else Path("/work/shared/fixtures/seed-profile.json")


SEED_PATH = _seed_path()
SEED = json.loads(SEED_PATH.read_text(encoding="utf-8"))
RECORDS = {r["key"]: r for r in SEED["records"] if "key" in r}
OTHER_BACKEND = {"sqlite": "postgresql", "postgresql": "sqlite"}


class OperatorServer(Server):
    """A server whose first-start admin is `operator`: the exported file brings its own
    `admin` person, and a name the instance already has is refused by an import."""

    def env(self, **extra: str) -> dict[str, str]:
        return super().env(**{"MOOT_SETUP_ADMIN_NAME": "operator", **extra})


def _moot(server: Server, *args: str) -> str:
    done = server.moot(*args, check=False)
    assert done.returncode == 0, f"moot {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture
def servers(request: pytest.FixtureRequest) -> Iterator[list[Server]]:
    """Fresh servers made by the test (appended to this list), destroyed afterwards."""
    made: list[Server] = []
    failures = request.session.testsfailed
    yield made
    for srv in made:
        if request.session.testsfailed > failures and srv.log_path.exists():
            print(f"--- {srv.backend} server log ---\n{srv.log_tail()}")
        destroy(srv)


# --- what a reader sees --------------------------------------------------------------------

_FENCE = re.compile(r"\s*(```|~~~)")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")


def first_line(markdown: str | None) -> str | None:
    """The first line of text a reader sees: fence markers and bare images show no text."""
    for line in (markdown or "").splitlines():
        if _FENCE.match(line):
            continue
        text = _IMAGE.sub("", line).strip()
        if text:
            return text
    return None


def _when(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def overview(profile: dict[str, Any]) -> list[dict[str, Any]]:
    """The profile's posts and comments merged, newest first, as a reader sees them."""
    items = [
        {
            "kind": "post",
            "published": _when(v["post"]["published"]),
            "text": v["post"]["name"],
            "has_text": bool(v["post"].get("body")),
        }
        for v in profile["posts"]
    ]
    for v in profile["comments"]:
        line = first_line(v["comment"]["content"])
        items.append(
            {
                "kind": "comment",
                "published": _when(v["comment"]["published"]),
                "text": line,
                "has_text": line is not None,
            }
        )
    return sorted(items, key=lambda item: item["published"], reverse=True)


def _check_profile(profile: dict[str, Any]) -> None:
    expected = SEED["expected"]
    person = profile["person_view"]["person"]
    counts = profile["person_view"]["counts"]
    record = next(r for r in SEED["records"] if r.get("name") == expected["person"])
    assert person["name"] == expected["person"]
    assert person.get("display_name") == record["display_name"]
    assert person["pronouns"] == expected["pronouns"] == "comrade/them"
    assert person["published"].startswith("2020-09-02")
    assert person["local"] is True
    assert counts["post_count"] == expected["post_count"] == 3
    assert counts["comment_count"] == expected["comment_count"] == 14

    seen = overview(profile)
    wanted = expected["overview_newest_first"]
    assert [item["kind"] for item in seen] == [item["kind"] for item in wanted]
    for n, (item, want) in enumerate(zip(seen, wanted, strict=True)):
        where = f"overview item {n} ({want['key']})"
        assert item["published"] == _when(RECORDS[want["key"]]["published"]), where
        if want["text"] is None:
            assert not item["has_text"], f"{where}: shows text {item['text']!r}"
        else:
            assert item["text"] == want["text"], where


# --- comparing two instances' answers --------------------------------------------------------

# Which kind of object an "id" belongs to, by the key the object sits under.
_KIND_UNDER = {
    "person": "person",
    "creator": "person",
    "moderator": "person",
    "community": "community",
    "post": "post",
    "comment": "comment",
}
_ID_FIELDS = {
    "creator_id": "person",
    "person_id": "person",
    "community_id": "community",
    "post_id": "post",
    "comment_id": "comment",
}
_AP_ID = re.compile(r"/(post|comment)/(\d+)$")


def _collect(value: Any, kind: str | None, found: dict[str, set[int]]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "id" and kind is not None:
                found[kind].add(item)
            elif key in _ID_FIELDS and isinstance(item, int):
                found[_ID_FIELDS[key]].add(item)
            else:
                _collect(item, _KIND_UNDER.get(key), found)
    elif isinstance(value, list):
        for item in value:
            _collect(item, kind, found)


class Normaliser:
    """Replaces database ids (which differ between instances) by their rank among the ids of
    the same kind that the answers mention: row order survives export and import."""

    def __init__(self, answers: list[Any]) -> None:
        found: dict[str, set[int]] = {kind: set() for kind in set(_KIND_UNDER.values())}
        for answer in answers:
            _collect(answer, None, found)
        self.rank = {kind: {i: n for n, i in enumerate(sorted(ids))} for kind, ids in found.items()}

    def token(self, kind: str, value: int) -> str:
        return f"{kind}#{self.rank[kind][value]}"

    def __call__(self, value: Any, kind: str | None = None) -> Any:
        if isinstance(value, list):
            return [self(item, kind) for item in value]
        if not isinstance(value, dict):
            return value
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key == "id" and kind is not None:
                out[key] = self.token(kind, item)
            elif key in _ID_FIELDS and isinstance(item, int):
                out[key] = self.token(_ID_FIELDS[key], item)
            elif key == "path" and kind == "comment":
                ids = [int(part) for part in item.split(".")[1:]]
                out[key] = ".".join(["0", *(self.token("comment", i) for i in ids)])
            elif key == "ap_id" and isinstance(item, str):
                out[key] = _AP_ID.sub(
                    lambda found: f"/{found[1]}/{self.token(found[1], int(found[2]))}", item
                )
            else:
                out[key] = self(item, _KIND_UNDER.get(key))
        return out


QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("/user", {"username": "JoeySteel"}),
    ("/post/list", {"type_": "All", "sort": "New", "limit": 50}),
    ("/comment/list", {"type_": "All", "sort": "New", "limit": 50}),
]


def _answers(server: Server) -> list[Any]:
    api = Api(server)
    return [api.ok("GET", path, **params) for path, params in QUERIES]


@pytest.mark.parametrize("backend", BACKENDS)
def test_seed_profile_import_then_move_to_the_other_database(
    backend: str, servers: list[Server], tmp_path: Path
) -> None:
    first = make_server(backend)
    servers.append(first)
    assert "imported 2 persons, 1 communities, 15 posts, 14 comments" in _moot(
        first, "import", str(SEED_PATH)
    )
    first.start()
    profile = Api(first).ok("GET", "/user", username="JoeySteel", limit=50, sort="New")
    _check_profile(profile)

    # Export while the server runs, import into a fresh server on the other database.
    dump = tmp_path / "moved.jsonl"
    exported = _moot(first, "export", str(dump))
    assert exported.startswith("exported 3 persons, 1 communities, 15 posts, 14 comments")
    plain = make_server(OTHER_BACKEND[backend])
    second = OperatorServer(
        plain.backend, plain.database_url, plain.data_dir, plain.port, plain.hostname
    )
    servers.append(second)
    assert "imported 3 persons" in _moot(second, "import", str(dump))
    second.start()

    before, after = _answers(first), _answers(second)
    assert len(before[1]["posts"]) == 15 and len(before[2]["comments"]) == 14
    assert Normaliser(after)(after) == Normaliser(before)(before)
    # The moved profile still reads as the seed page.
    _check_profile(Api(second).ok("GET", "/user", username="JoeySteel", limit=50, sort="New"))


def test_a_bad_file_is_a_clean_error_and_leaves_the_instance_empty(
    servers: list[Server], tmp_path: Path
) -> None:
    srv = make_server("sqlite")
    servers.append(srv)
    records = [dict(r) for r in SEED["records"]]
    bad = next(n for n, r in enumerate(records) if r.get("key") == "seed-comment-5")
    records[bad]["post"] = "p9"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"records": records}), encoding="utf-8")
    done = srv.moot("import", str(path), check=False)
    assert done.returncode == 1
    assert f"record {bad + 1} (comment seed-comment-5): unknown post key p9" in done.stderr
    assert "Traceback" not in done.stderr
    srv.start()
    answer = Api(srv).ok("GET", "/post/list", type_="All")
    assert answer["posts"] == []
