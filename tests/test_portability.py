"""`moot import` / `moot export` against real SQLite and PostgreSQL databases.

Each test gets a fresh database copied from a migrated, bootstrapped template (a file copy on
SQLite, `CREATE DATABASE … TEMPLATE` on PostgreSQL), so no test sees another's rows.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from moot import auth
from moot.actions.bootstrap import bootstrap
from moot.config import Settings
from moot.db import models as m
from moot.db.engine import Database
from moot.db.migrate import upgrade
from moot.db.paths import segment
from moot.db.recount import recount
from moot.portability import UNUSABLE_PASSWORD_PREFIX, export_file, import_file
from moot.portability import importing as importing_module
from tests.servers import POSTGRES_ADMIN_URL, drop_database, new_database_url

BACKENDS = ["sqlite", "postgresql"]
HOSTNAME = "import.test"


def _seed_path() -> Path:
    near = Path(__file__).resolve().parents[2] / "shared/fixtures/seed-profile.json"
    return near if near.exists() else Path("/work/shared/fixtures/seed-profile.json")


SEED = json.loads(_seed_path().read_text(encoding="utf-8"))

# Every table an import writes to: "unchanged" means each keeps its row count.
WRITTEN_TABLES = (
    m.instance,
    m.person,
    m.local_user,
    m.local_user_language,
    m.community,
    m.community_moderator,
    m.community_follower,
    m.post,
    m.post_like,
    m.comment,
    m.comment_like,
    m.comment_reply,
)


def _settings(tmp: Path, url: str) -> Settings:
    return Settings(data_dir=tmp, database_url=url, hostname=HOSTNAME)


@pytest.fixture(scope="module", params=BACKENDS)
def template(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """(backend, url) of a migrated database with the site bootstrapped, to copy from."""
    backend: str = request.param
    folder = tmp_path_factory.mktemp(f"template-{backend}")
    url = new_database_url(backend, folder)
    upgrade(url)

    async def prepare() -> None:
        db = Database(url)
        await db.connect()
        try:
            await bootstrap(db, _settings(folder, url))
        finally:
            await db.close()

    asyncio.run(prepare())
    yield backend, url
    drop_database(url)


def _copy_database(template: tuple[str, str], folder: Path) -> str:
    backend, url = template
    if backend == "sqlite":
        target = folder / "moot.sqlite3"
        shutil.copy(url.split("///", 1)[1], target)
        return f"sqlite:///{target}"
    name = f"moot_test_{uuid.uuid4().hex[:12]}"
    source = url.rsplit("/", 1)[1]
    subprocess.run(
        ["psql", POSTGRES_ADMIN_URL, "-qAtc", f"CREATE DATABASE {name} TEMPLATE {source}"],
        check=True,
        capture_output=True,
        text=True,
    )
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


Instance = tuple[Database, Settings]
MakeInstance = Callable[[], Awaitable[Instance]]


@pytest.fixture
async def make_instance(template: tuple[str, str], tmp_path: Path) -> AsyncIterator[MakeInstance]:
    """Makes empty instances (database + settings) of the template's backend."""
    made: list[tuple[Database, str]] = []

    async def make() -> Instance:
        folder = tmp_path / f"instance{len(made)}"
        folder.mkdir()
        url = _copy_database(template, folder)
        db = Database(url)
        await db.connect()
        made.append((db, url))
        return db, _settings(folder, url)

    yield make
    for db, url in made:
        await db.close()
        drop_database(url)


@pytest.fixture
async def instance(make_instance: MakeInstance) -> Instance:
    return await make_instance()


async def _row_counts(db: Database) -> dict[str, int]:
    async with db.connection() as conn:
        return {
            t.name: int(await conn.scalar(sa.select(sa.func.count()).select_from(t)))
            for t in WRITTEN_TABLES
        }


def _write_json(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps({"records": records}), encoding="utf-8")
    return path


def _write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


async def _person(db: Database, name: str) -> dict[str, Any]:
    async with db.connection() as conn:
        row = await conn.fetch_one(sa.select(m.person).where(m.person.c.name == name))
    assert row is not None
    return row


# --- the seed file -------------------------------------------------------------------------


async def test_seed_import_makes_local_accounts_and_content(
    instance: Instance, tmp_path: Path
) -> None:
    db, settings = instance
    counts = await import_file(db, settings, _seed_path())
    assert counts == {"persons": 2, "communities": 1, "posts": 15, "comments": 14}

    joey = await _person(db, "JoeySteel")
    assert joey["pronouns"] == "comrade/them"
    assert joey["display_name"] is None
    assert joey["published"] == _at("2020-09-02T12:00:00Z")
    assert joey["actor_id"] == f"https://{HOSTNAME}/u/JoeySteel"
    assert joey["local"]
    # Counters come from recount; authors upvote their own content, as Lemmy does.
    assert (joey["post_count"], joey["comment_count"]) == (3, 14)
    assert (joey["post_score"], joey["comment_score"]) == (3, 14)

    async with db.connection() as conn:
        user = await conn.fetch_one(
            sa.select(m.local_user).where(m.local_user.c.person_id == joey["id"])
        )
        posts = await conn.fetch_all(sa.select(m.post).order_by(m.post.c.id))
        comments = await conn.fetch_all(sa.select(m.comment).order_by(m.comment.c.id))
        community = await conn.fetch_one(sa.select(m.community))
        mods = await conn.fetch_all(sa.select(m.community_moderator))
        assert user is not None
        languages = await conn.scalar(
            sa.select(sa.func.count())
            .select_from(m.local_user_language)
            .where(m.local_user_language.c.local_user_id == user["id"])
        )
    assert user["password_encrypted"].startswith(UNUSABLE_PASSWORD_PREFIX)
    assert not auth.verify_password(user["password_encrypted"], user["password_encrypted"])
    assert languages > 0

    assert community is not None
    assert community["actor_id"] == f"https://{HOSTNAME}/c/news"
    assert (community["posts"], community["comments"], community["subscribers"]) == (15, 14, 1)
    poster = await _person(db, "article_poster")
    assert [r["person_id"] for r in mods] == [poster["id"]]

    assert [p["ap_id"] for p in posts] == [f"https://{HOSTNAME}/post/{p['id']}" for p in posts]
    assert all((p["score"], p["upvotes"], p["downvotes"]) == (1, 1, 0) for p in posts)
    first = posts[0]  # thread-final: three comments, the newest on 2024-02-25
    assert first["published"] == _at("2024-02-05T18:00:00Z")
    assert first["comments"] == 3
    assert first["newest_comment_time"] == _at("2024-02-25T18:00:00Z")
    assert first["body_html"].startswith("<p>")
    link = next(p for p in posts if p["name"] == "Shared link 1")
    assert link["url"] == "https://example.org/link-1" and link["body"] is None

    assert [c["path"] for c in comments] == [segment(c["id"]) for c in comments]
    assert all(c["depth"] == 0 and c["score"] == 1 for c in comments)
    assert [c["ap_id"] for c in comments] == [
        f"https://{HOSTNAME}/comment/{c['id']}" for c in comments
    ]
    assert all(c["content_html"] for c in comments)
    # Everything the counters say is what a recount finds.
    assert await recount(db) == 0


async def test_json_lines_input(instance: Instance, tmp_path: Path) -> None:
    db, settings = instance
    path = _write_jsonl(tmp_path / "seed.jsonl", SEED["records"])
    counts = await import_file(db, settings, path)
    assert counts == {"persons": 2, "communities": 1, "posts": 15, "comments": 14}
    joey = await _person(db, "JoeySteel")
    assert (joey["post_count"], joey["comment_count"]) == (3, 14)


# --- threads -------------------------------------------------------------------------------

THREAD = [
    {"type": "person", "name": "alice", "published": "2024-01-01T00:00:00Z"},
    {"type": "person", "name": "bob", "display_name": "Bob B", "bio": "I *like* threads"},
    {"type": "community", "name": "talk", "title": "Talk", "creator": "alice"},
    {
        "type": "post",
        "key": "p",
        "community": "talk",
        "creator": "alice",
        "name": "A thread",
        "published": "2024-01-02T00:00:00Z",
    },
    {
        "type": "comment",
        "key": "c1",
        "post": "p",
        "parent": None,
        "creator": "bob",
        "content": "first",
        "published": "2024-01-02T01:00:00Z",
    },
    {
        "type": "comment",
        "key": "c2",
        "post": "p",
        "parent": "c1",
        "creator": "alice",
        "content": "reply",
        "published": "2024-01-02T02:00:00Z",
    },
    {
        "type": "comment",
        "key": "c3",
        "post": "p",
        "parent": "c2",
        "creator": "bob",
        "content": "deeper",
        "published": "2024-01-05T00:00:00+02:00",
        "extra": "ignored",
    },
]


async def test_replies_get_paths_depths_counts_and_notifications(
    instance: Instance, tmp_path: Path
) -> None:
    db, settings = instance
    await import_file(db, settings, _write_json(tmp_path / "t.json", THREAD))
    alice, bob = await _person(db, "alice"), await _person(db, "bob")
    assert bob["bio_html"] == "<p>I <em>like</em> threads</p>\n"
    async with db.connection() as conn:
        c1, c2, c3 = await conn.fetch_all(sa.select(m.comment).order_by(m.comment.c.id))
        post = await conn.fetch_one(sa.select(m.post))
        replies = await conn.fetch_all(sa.select(m.comment_reply).order_by(m.comment_reply.c.id))
    assert c2["path"] == c1["path"] + segment(c2["id"])
    assert c3["path"] == c2["path"] + segment(c3["id"])
    assert [c["depth"] for c in (c1, c2, c3)] == [0, 1, 2]
    assert [c["child_count"] for c in (c1, c2, c3)] == [2, 1, 0]
    # A time with an offset is kept as the same instant, in UTC.
    assert c3["published"] == _at("2024-01-04T22:00:00Z")
    assert post is not None
    assert post["comments"] == 3
    assert post["newest_comment_time"] == c3["published"]
    # Bob's comment within two days revives the post on Active; the author's own does not.
    assert post["newest_comment_time_necro"] == c1["published"]
    assert [(r["recipient_id"], r["comment_id"], r["read"]) for r in replies] == [
        (alice["id"], c1["id"], True),
        (bob["id"], c2["id"], True),
        (alice["id"], c3["id"], True),
    ]


# --- bad input: a message with the position, and nothing written ----------------------------


def _with(index: int, **changes: Any) -> list[dict[str, Any]]:
    records = [dict(r) for r in THREAD]
    records[index].update(changes)
    return records


BAD_FILES: dict[str, tuple[list[dict[str, Any]], str]] = {
    "unknown post": (_with(5, post="p9"), "record 6 (comment c2): unknown post key p9"),
    "unknown parent": (
        _with(6, parent="c7"),
        "record 7 (comment c3): unknown parent comment key c7",
    ),
    "unknown creator": (_with(3, creator="carol"), "record 4 (post p): unknown person carol"),
    "unknown community": (_with(3, community="nope"), "record 4 (post p): unknown community nope"),
    "forward reference": (
        [THREAD[0], THREAD[1], THREAD[3], THREAD[2]],
        "record 3 (post p): unknown community talk",
    ),
    "name over limit": (
        _with(1, name="b" * 21),
        f"record 2 (person {'b' * 21}): name {'b' * 21!r} is not allowed",
    ),
    "name with space": (
        _with(1, name="bo b"),
        "record 2 (person bo b): name 'bo b' is not allowed",
    ),
    "display name too short": (_with(1, display_name="B"), "record 2 (person bob): display_name"),
    "title too short": (_with(3, name="ab"), "record 4 (post p): title (name) must be 3 to 200"),
    "title with newline": (_with(3, name="two\nlines"), "record 4 (post p): title (name)"),
    "duplicate key": (
        [*THREAD[:4], {**THREAD[3], "name": "Again"}],
        "record 5 (post p): duplicate post key p (first at record 4 (post p))",
    ),
    "duplicate name": (
        _with(1, name="ALICE"),
        "record 2 (person ALICE): person name ALICE appears twice (first at record 1",
    ),
    "malformed time": (
        _with(4, published="2024-13-45T00:00:00Z"),
        "record 5 (comment c1): published '2024-13-45T00:00:00Z' is not an RFC 3339 time",
    ),
    "time without zone": (
        _with(0, published="2024-01-01 10:00"),
        "record 1 (person alice): published '2024-01-01 10:00' is not an RFC 3339 time",
    ),
    "comment too long": (
        _with(4, content="x" * 10_001),
        "record 5 (comment c1): content is too long",
    ),
    "empty comment": (_with(4, content="  \n"), "record 5 (comment c1): content is empty"),
    "bad url": (
        _with(3, url="ftp://example.org/x"),
        "record 4 (post p): url 'ftp://example.org/x'",
    ),
    "parent on another post": (
        [*THREAD[:5], {**THREAD[3], "key": "q"}, {**THREAD[5], "post": "q"}],
        "record 7 (comment c2): parent c1 is on post p, not q",
    ),
    "unknown type": (
        [*THREAD, {"type": "vote", "key": "v1"}],
        "record 8 (vote v1): unknown record",
    ),
    "not an object": ([*THREAD, ["person"]], "record 8: a record must be a JSON object"),
    "missing key": (_with(3, key=None), "record 4 (post): key is missing"),
    "wrong type": (_with(3, nsfw="yes"), "record 4 (post p): nsfw must be true or false"),
    "NUL in text": (_with(4, content="a\x00b"), "record 5 (comment c1): content contains a NUL"),
    "lone surrogate": (_with(1, bio="\ud800"), "record 2 (person bob): bio contains a lone"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
async def test_bad_record_is_reported_with_its_position_and_nothing_is_written(
    instance: Instance, tmp_path: Path, case: str
) -> None:
    db, settings = instance
    records, message = BAD_FILES[case]
    before = await _row_counts(db)
    with pytest.raises(ValueError) as caught:
        await import_file(db, settings, _write_json(tmp_path / "bad.json", records))
    assert str(caught.value).startswith(message), str(caught.value)
    assert await _row_counts(db) == before


async def test_json_lines_errors_name_the_line(instance: Instance, tmp_path: Path) -> None:
    db, settings = instance
    before = await _row_counts(db)
    path = _write_jsonl(tmp_path / "bad.jsonl", _with(3, name="ab"))
    with pytest.raises(ValueError, match=r"^line 4 \(post p\): title"):
        await import_file(db, settings, path)
    path.write_text(path.read_text().replace('"name": "bob"', '"name": "bob",,'))
    with pytest.raises(ValueError, match=r"^line 2: invalid JSON"):
        await import_file(db, settings, path)
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "records": [\n    {"type": "person",}\n  ]\n}\n')
    with pytest.raises(ValueError, match=r"^line 3 column \d+: invalid JSON"):
        await import_file(db, settings, broken)
    assert await _row_counts(db) == before


async def test_a_name_the_instance_has_is_refused_and_nothing_is_written(
    instance: Instance, tmp_path: Path
) -> None:
    db, settings = instance
    await import_file(db, settings, _write_json(tmp_path / "t.json", THREAD))
    before = await _row_counts(db)
    again = [
        {"type": "person", "name": "carol"},
        {"type": "person", "name": "BOB"},
        {"type": "community", "name": "TALK", "title": "Talk again"},
    ]
    with pytest.raises(ValueError, match=r"^record 2 \(person BOB\): .* already has a person bob"):
        await import_file(db, settings, _write_json(tmp_path / "again.json", again))
    with pytest.raises(ValueError, match=r"^record 2 \(community TALK\): .* community talk"):
        await import_file(db, settings, _write_json(tmp_path / "again.json", again[::2]))
    assert await _row_counts(db) == before
    # A file of new names goes into the non-empty instance next to what is there.
    counts = await import_file(db, settings, _write_json(tmp_path / "new.json", again[:1]))
    assert counts["persons"] == 1


async def test_a_failure_while_writing_rolls_everything_back(
    instance: Instance, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, settings = instance
    before = await _row_counts(db)
    original = importing_module._Writer._comment
    written: list[str] = []

    def fail_on_the_third(self: Any, comment: Any, comment_id: int) -> Any:
        if len(written) == 2:
            raise RuntimeError("disk full")
        written.append(comment.key)
        return original(self, comment, comment_id)

    monkeypatch.setattr(importing_module._Writer, "_comment", fail_on_the_third)
    with pytest.raises(RuntimeError, match="disk full"):
        await import_file(db, settings, _write_json(tmp_path / "t.json", THREAD))
    assert written == ["c1", "c2"]
    assert await _row_counts(db) == before


# --- export --------------------------------------------------------------------------------


async def _content(db: Database) -> dict[str, Any]:
    """What an import must reproduce, without the ids that differ between instances."""
    async with db.connection() as conn:
        persons = await conn.fetch_all(sa.select(m.person).order_by(m.person.c.id))
        names = {p["id"]: p["name"] for p in persons}
        posts = await conn.fetch_all(sa.select(m.post).order_by(m.post.c.id))
        comments = await conn.fetch_all(sa.select(m.comment).order_by(m.comment.c.id))
        communities = await conn.fetch_all(sa.select(m.community).order_by(m.community.c.id))
    person_keys = ("name", "display_name", "pronouns", "bio", "bio_html", "published", "deleted")
    person_keys += ("post_count", "comment_count", "post_score", "comment_score")
    post_keys = ("name", "url", "body", "body_html", "published", "updated", "nsfw", "locked")
    post_keys += ("deleted", "comments", "score", "newest_comment_time")
    post_keys += ("newest_comment_time_necro",)
    comment_keys = ("content", "content_html", "published", "depth", "child_count", "score")
    comment_keys += ("deleted", "removed")
    order = {c["id"]: n for n, c in enumerate(comments)}
    return {
        "persons": [{k: p[k] for k in person_keys} for p in persons],
        "communities": [
            {k: c[k] for k in ("name", "title", "description", "published", "posts", "comments")}
            for c in communities
        ],
        "posts": [
            {"creator": names[p["creator_id"]], **{k: p[k] for k in post_keys}} for p in posts
        ],
        "comments": [
            {
                "creator": names[c["creator_id"]],
                "thread": [order[int(c["path"][i : i + 10])] for i in range(0, len(c["path"]), 10)],
                **{k: c[k] for k in comment_keys},
            }
            for c in comments
        ],
    }


async def test_export_then_import_reproduces_the_content(
    make_instance: MakeInstance, tmp_path: Path
) -> None:
    (first, settings), (second, other_settings) = await make_instance(), await make_instance()
    await import_file(first, settings, _seed_path())
    extra = [
        *THREAD[:3],
        {**THREAD[3], "nsfw": True, "locked": True, "updated": "2024-01-03T00:00:00.5Z"},
        *THREAD[4:6],
        {**THREAD[6], "deleted": True},
    ]
    extra[2] = {**extra[2], "description": "About *talk*"}
    await import_file(first, settings, _write_json(tmp_path / "t.json", extra))

    out = tmp_path / "export.jsonl"
    counts = await export_file(first, out)
    assert counts == {"persons": 4, "communities": 2, "posts": 16, "comments": 17}
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert lines[0] == {"type": "instance", "domain": HOSTNAME, "software": "moot"}
    kinds = [r["type"] for r in lines]
    assert kinds == sorted(kinds, key=["instance", "person", "community", "post", "comment"].index)
    joey = next(r for r in lines if r.get("name") == "JoeySteel")
    assert joey == {
        "type": "person",
        "name": "JoeySteel",
        "display_name": None,
        "pronouns": "comrade/them",
        "bio": None,
        "published": "2020-09-02T12:00:00Z",
    }
    posts = [r for r in lines if r["type"] == "post"]
    assert all(r["key"].startswith("p") for r in posts)
    assert posts[-1]["updated"] == "2024-01-03T00:00:00.500000Z"
    deep = [r for r in lines if r["type"] == "comment"][-1]
    assert deep["parent"].startswith("c") and deep["deleted"] is True

    assert await import_file(second, other_settings, out) == counts
    assert await _content(second) == await _content(first)
