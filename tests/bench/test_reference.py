"""bench/reference answers byte for byte what a live `moot serve` answers (issue 12), on a
small dataset from bench/generate.py with rows changed so that every flag and optional key
the answers carry shows up in them: moderators, bans in force and expired, an admin
author, a featured post, deleted and removed comments, empty and filled optional fields,
hidden, nsfw and remote communities, taglines, an emoji, a blocked URL."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest

from bench import generate
from bench.reference import check
from tests.servers import Server, drop_database, free_port, new_database_url

T = "2026-01-02 03:04:05.123456"
PAST, FUTURE = "2020-01-01 00:00:00.000000", "2099-01-01 00:00:00.000000"
BIG = f"'{generate.BIG_THREAD_NAME}'"

# Run before moot starts (it keeps the site's rows for the life of the process).
BEFORE = [
    f"UPDATE post SET featured_local = true, url = 'https://example.com/x', updated = '{T}' "
    f"WHERE id = (SELECT max(id) FROM post WHERE name <> {BIG})",
    f"UPDATE post SET nsfw = true WHERE id % 13 = 0 AND name <> {BIG}",
    f"UPDATE post SET deleted = true WHERE id % 17 = 0 AND name <> {BIG}",
    f"UPDATE post SET removed = true WHERE id % 19 = 0 AND name <> {BIG}",
    f"UPDATE post SET body = '' WHERE id % 7 = 0 AND name <> {BIG}",
    "INSERT INTO community_moderator (community_id, person_id, published) "
    f"SELECT DISTINCT community_id, creator_id, '{T}' FROM post WHERE creator_id % 4 = 0",
    *[
        "INSERT INTO community_person_ban (community_id, person_id, published, expires) "
        f"SELECT DISTINCT p.community_id, t.creator_id, '{T}', {expires} FROM comment t "
        f"JOIN post p ON p.id = t.post_id WHERE t.creator_id % 6 = {k}"
        for k, expires in ((1, "NULL"), (2, f"'{PAST}'"), (3, f"'{FUTURE}'"))
    ],
    "UPDATE comment SET deleted = true WHERE id % 10 = 0",
    "UPDATE comment SET removed = true WHERE id % 10 = 5",
    "UPDATE comment SET distinguished = true WHERE id % 23 = 0",
    f"UPDATE comment SET updated = '{T}' WHERE id % 4 = 0",
    "UPDATE person SET display_name = '' WHERE id % 4 = 0",
    "UPDATE person SET bio = 'Bio ✓ «quoted»', avatar = 'https://example.com/a.png', "
    f"pronouns = 'they/them', updated = '{T}', ban_expires = '{FUTURE}' WHERE id % 3 = 0",
    "UPDATE person SET bot_account = true WHERE id % 9 = 0",
    f"UPDATE community SET icon = 'https://example.com/i.png', updated = '{T}' WHERE id % 2 = 0",
    "UPDATE community SET description = NULL WHERE id % 3 = 0",
    "UPDATE community SET local = false WHERE id = 4",
    "UPDATE community SET nsfw = true WHERE id = 5",
    "UPDATE community SET hidden = true WHERE id = 6",
    "INSERT INTO tagline (local_site_id, content, published) "
    f"SELECT id, 'Welcome, «everyone»', '{T}' FROM local_site",
    "INSERT INTO tagline (local_site_id, content, published, updated) "
    f"SELECT id, 'Second', '{T}', '{T}' FROM local_site",
    "INSERT INTO custom_emoji (local_site_id, shortcode, image_url, alt_text, category, "
    f"published) SELECT id, 'wave', 'https://example.com/w.png', 'a wave', 'hands', '{T}' "
    "FROM local_site",
    "INSERT INTO custom_emoji_keyword (custom_emoji_id, keyword) "
    "SELECT id, 'hello' FROM custom_emoji UNION ALL SELECT id, 'hi' FROM custom_emoji",
    f"INSERT INTO local_site_url_blocklist (url, published) VALUES ('spam.example', '{T}')",
    "UPDATE site SET sidebar = 'The sidebar', description = ''",
    "UPDATE local_site SET legal_information = 'Be nice', slur_filter_regex = ''",
]
# Run once moot has made its admin: some posts and comments are the admin's.
AFTER = [
    "UPDATE post SET creator_id = (SELECT person_id FROM local_user WHERE admin) "
    f"WHERE id % 5 = 0 AND name <> {BIG}",
    "UPDATE comment SET creator_id = (SELECT person_id FROM local_user WHERE admin) "
    "WHERE id % 9 = 0",
]


async def _run_sql(url: str, statements: list[str]) -> None:
    if url.startswith("sqlite"):
        with sqlite3.connect(url.split(":///", 1)[1]) as conn:
            for statement in statements:
                conn.execute(statement)
        return
    conn = await asyncpg.connect(url)
    try:
        for statement in statements:
            # Untyped in a SELECT list, the literals would be text to PostgreSQL.
            for moment in (T, PAST, FUTURE):
                statement = statement.replace(f"'{moment}'", f"'{moment}+00'::timestamptz")
            await conn.execute(statement.replace(", NULL FROM", ", NULL::timestamptz FROM"))
    finally:
        await conn.close()


async def _big_post(url: str) -> int:
    query = f"SELECT id FROM post WHERE name = {BIG}"
    if url.startswith("sqlite"):
        with sqlite3.connect(url.split(":///", 1)[1]) as conn:
            return int(conn.execute(query).fetchone()[0])
    conn = await asyncpg.connect(url)
    try:
        return int(await conn.fetchval(query))
    finally:
        await conn.close()


@dataclass
class Pair:
    moot: Server
    reference_api: str
    big_post: int


def _start_reference(url: str) -> tuple[subprocess.Popen[bytes], str]:
    """`python -m bench.reference` on `url`, answering; and its API's base."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.reference", "--database-url", url, "--port", str(port)]
    )
    api = f"http://127.0.0.1:{port}/api/v3"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            httpx.get(f"{api}/site", timeout=1)
            return process, api
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the reference server did not start")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
async def pair(request: pytest.FixtureRequest) -> AsyncIterator[Pair]:
    folder = Path(tempfile.mkdtemp(prefix=f"moot-reference-{request.param}-"))
    url = new_database_url(request.param, folder)
    moot = Server(request.param, url, folder, free_port(), "localhost")
    moot.serve_options = ["--no-workers"]
    reference: subprocess.Popen[bytes] | None = None
    try:
        sizes = ["--posts", "900", "--comments", "3000", "--votes", "6000"]
        sizes += ["--persons", "60", "--communities", "8", "--big-thread", "400"]
        await asyncio.to_thread(generate.main, ["--database-url", url, *sizes])
        await _run_sql(url, BEFORE)
        await asyncio.to_thread(moot.start)
        await _run_sql(url, AFTER)
        reference, api = await asyncio.to_thread(_start_reference, url)
        yield Pair(moot, api, await _big_post(url))
    finally:
        if reference is not None:
            reference.terminate()
            reference.wait()
        moot.stop()
        drop_database(url)
        shutil.rmtree(folder, ignore_errors=True)


async def test_the_reference_answers_moots_bytes(pair: Pair) -> None:
    async with httpx.AsyncClient(base_url=pair.moot.api) as client:
        paths = await check.requests(client, pair.big_post, limit=5, deep_page=3)
    assert len(paths) == 2 * len(check.SORTS) + 2, sorted(paths)  # every deep page exists
    problems = await check.compare(pair.moot.api, pair.reference_api, paths)
    assert not problems, "\n".join(problems)


def _flags(views: list[dict[str, object]]) -> Iterator[str]:
    for view in views:
        for key in ("creator_banned_from_community", "creator_is_moderator", "creator_is_admin"):
            if view[key]:
                yield key


async def test_the_answers_compared_carry_every_flag(pair: Pair) -> None:
    """The data exercises what the comparison is for: a test of equal answers that all
    said `false` would not see a flag read wrong."""
    async with httpx.AsyncClient(base_url=pair.reference_api) as client:
        posts = (await client.get("/post/list?type_=All&sort=New&limit=50")).json()["posts"]
        tree = (
            await client.get(f"/comment/list?post_id={pair.big_post}&max_depth=8&type_=All")
        ).json()
        site = (await client.get("/site")).json()
    assert posts[0]["post"]["featured_local"]
    assert set(_flags(posts)) == {
        "creator_banned_from_community",
        "creator_is_moderator",
        "creator_is_admin",
    }
    comments = tree["comments"]
    assert len(comments) == 300
    assert len(set(_flags(comments))) == 3
    assert any(c["comment"]["content"] == "" for c in comments)
    assert any("display_name" not in c["creator"] for c in comments)
    assert any(c["creator"].get("pronouns") for c in comments)
    assert [t["content"] for t in site["taglines"]] == ["Welcome, «everyone»", "Second"]
    assert site["custom_emojis"][0]["keywords"]


async def test_the_reference_counts_one_statement_per_answer(pair: Pair) -> None:
    async with httpx.AsyncClient(base_url=pair.reference_api) as client:
        tree = f"/comment/list?post_id={pair.big_post}&max_depth=2"
        for path in ("/post/list?sort=Hot", "/site", tree):
            response = await client.get(path)
            assert response.status_code == 200, response.text
            assert response.headers["x-statements"] == "1"
