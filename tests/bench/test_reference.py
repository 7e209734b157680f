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
from typing import Any

import asyncpg
import httpx
import pytest

from bench import generate, run
from bench.reference import check
from tests.servers import (
    ADMIN_NAME,
    ADMIN_PASSWORD,
    Server,
    drop_database,
    free_port,
    new_database_url,
)

T = "2026-01-02 03:04:05.123456"
PAST, FUTURE = "2020-01-01 00:00:00.000000", "2099-01-01 00:00:00.000000"
BIG = f"'{generate.BIG_THREAD_NAME}'"
GERMAN, ENGLISH = 8, 10  # moot/db/languages.py

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
    # For a member's filters: posts in a language they do not read, a community of an
    # instance they block.
    f"UPDATE post SET language_id = {GERMAN} WHERE id % 11 = 0 AND name <> {BIG}",
    f"INSERT INTO instance (domain, published) VALUES ('elsewhere.example', '{T}')",
    "UPDATE community SET instance_id = (SELECT id FROM instance WHERE domain = "
    "'elsewhere.example') WHERE id = 4",
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


# A signed-in member ----------------------------------------------------------------------

NSFW, HIDDEN, ELSEWHERE = 5, 6, 4  # the communities BEFORE made so
VIEW_SETTINGS = {"show_read_posts": False, "show_bot_accounts": False, "show_nsfw": True}


@dataclass
class Signed:
    member: check.Member
    banned_in: int
    pending_in: int


@pytest.fixture(scope="module")
async def signed(pair: Pair) -> Signed:
    """A member with something for every filter and mark of a listing: what
    `check.make_member` gives (a follow, blocks, saved, votes, read, hidden, languages), an
    instance blocked, a hidden community followed, a ban in force and a follow pending."""
    async with httpx.AsyncClient(base_url=pair.moot.api, timeout=60) as client:
        admin = await run.lift_rate_limits(client, ADMIN_NAME, ADMIN_PASSWORD)
        member = await check.make_member(client, admin, "member", [0, ENGLISH])
        auth = {"Authorization": f"Bearer {member.token}"}
        community = (await client.get("/community", params={"id": ELSEWHERE})).json()
        instance = community["community_view"]["community"]["instance_id"]
        for path, body in (
            ("/site/block", {"instance_id": instance, "block": True}),
            ("/community/follow", {"community_id": HIDDEN, "follow": True}),
        ):
            response = await client.post(path, json=body, headers=auth)
            assert response.status_code == 200, response.text
    taken = {member.followed, member.blocked_community, NSFW, HIDDEN, ELSEWHERE}
    banned_in, pending_in = [c for c in range(1, 9) if c not in taken][:2]
    me = "(SELECT id FROM person WHERE name = 'member' AND local)"
    await _run_sql(
        pair.moot.database_url,
        [
            "INSERT INTO community_person_ban (community_id, person_id, published, expires) "
            f"VALUES ({banned_in}, {me}, '{T}', '{FUTURE}')",
            "INSERT INTO community_follower (community_id, person_id, published, pending) "
            f"VALUES ({pending_in}, {me}, '{T}', true)",
        ],
    )
    return Signed(member, banned_in, pending_in)


async def _front(api: str, token: str | None, pages: int = 3) -> list[dict[str, Any]]:
    """The first `pages` pages of 50 of New, as `token`'s member (None: anonymous)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    views: list[dict[str, Any]] = []
    async with httpx.AsyncClient(base_url=api, headers=headers) as client:
        for page in range(1, pages + 1):
            path = f"/post/list?type_=All&sort=New&limit=50&page={page}"
            views += (await client.get(path)).json()["posts"]
    return views


async def _member_paths(api: str, token: str) -> dict[str, str]:
    async with httpx.AsyncClient(base_url=api) as client:
        paths = await check.member_requests(
            client, token, sorts=check.SORTS, deep_sorts=check.SORTS, limit=5, deep_page=3
        )
    assert len(paths) == 2 * len(check.SORTS), sorted(paths)
    paths |= {
        f"New page {k} of 50": f"/post/list?type_=All&sort=New&limit=50&page={k}" for k in (1, 2, 3)
    }
    paths["the member's defaults"] = "/post/list?limit=20"
    return paths


def _shown(views: list[dict[str, Any]], signed: Signed) -> dict[str, bool]:
    """Whether each thing the member's filters hide shows in `views`."""
    m = signed.member
    return {
        "blocked person": any(v["creator"]["id"] == m.blocked_person for v in views),
        "blocked community": any(v["community"]["id"] == m.blocked_community for v in views),
        "blocked instance": any(v["community"]["id"] == ELSEWHERE for v in views),
        "hidden post": any(v["post"]["id"] in m.hidden for v in views),
        "unread language": any(v["post"]["language_id"] == GERMAN for v in views),
        "nsfw": any(v["post"]["nsfw"] or v["community"]["nsfw"] for v in views),
        "read post": any(v["post"]["id"] in m.read for v in views),
        "bot's post": any(v["creator"]["bot_account"] for v in views),
        "hidden community": any(v["community"]["id"] == HIDDEN for v in views),
    }


def _marked(views: list[dict[str, Any]], signed: Signed) -> set[str]:
    """The member's marks found in `views`."""
    found = set()
    for v in views:
        if v.get("my_vote") is not None:
            found.add(f"my_vote {v['my_vote']}")
        if v["saved"]:
            found.add("saved")
        if v["read"] and v["unread_comments"] < v["counts"]["comments"]:
            found.add("read, with fewer unread comments")
        if v["banned_from_community"] and v["community"]["id"] == signed.banned_in:
            found.add("banned_from_community")
        found.add(f"subscribed {v['subscribed']}")
    return found


async def test_a_member_gets_moots_bytes(pair: Pair, signed: Signed) -> None:
    """Every filter and mark shows in the member's answers (so a reference that left one
    out would answer other bytes), and the reference answers them byte for byte; then
    again with the member's show_read_posts and show_bot_accounts off, show_nsfw on."""
    token = signed.member.token
    anonymous = _shown(await _front(pair.moot.api, None), signed)
    hidden_from_all = {"hidden community": False, "nsfw": False}
    assert anonymous == {**dict.fromkeys(anonymous, True), **hidden_from_all}
    views = await _front(pair.moot.api, token)
    shown = {"hidden community": True, "read post": True, "bot's post": True}
    assert _shown(views, signed) == {**dict.fromkeys(anonymous, False), **shown}
    assert _marked(views, signed) == {
        "my_vote 1",
        "my_vote -1",
        "saved",
        "read, with fewer unread comments",
        "banned_from_community",
        "subscribed Subscribed",
        "subscribed Pending",
        "subscribed NotSubscribed",
    }
    paths = await _member_paths(pair.moot.api, token)
    problems = await check.compare(pair.moot.api, pair.reference_api, paths, token)
    assert not problems, "\n".join(problems)

    async with httpx.AsyncClient(base_url=pair.moot.api) as client:
        response = await client.put(
            "/user/save_user_settings",
            json=VIEW_SETTINGS,
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200, response.text
    views = await _front(pair.moot.api, token)
    shown = {"hidden community": True, "nsfw": True}
    assert _shown(views, signed) == {**dict.fromkeys(anonymous, False), **shown}
    paths = await _member_paths(pair.moot.api, token)
    problems = await check.compare(pair.moot.api, pair.reference_api, paths, token)
    assert not problems, "\n".join(problems)


async def test_a_member_whose_token_is_unknown_reads_as_anonymous(pair: Pair) -> None:
    paths = {"New": "/post/list?type_=All&sort=New&limit=20", "defaults": "/post/list"}
    problems = await check.compare(pair.moot.api, pair.reference_api, paths, "not-a-token")
    assert not problems, "\n".join(problems)


async def test_the_reference_reads_a_members_listing_in_one_statement(
    pair: Pair, signed: Signed
) -> None:
    """The login is read in the listing's statement; the member's defaults, when the
    query names no type_ or sort, in one before it."""
    headers = {"Authorization": f"Bearer {signed.member.token}"}
    async with httpx.AsyncClient(base_url=pair.reference_api, headers=headers) as client:
        for path, statements in (("/post/list?type_=All&sort=Hot", "1"), ("/post/list", "2")):
            response = await client.get(path)
            assert response.status_code == 200, response.text
            assert response.headers["x-statements"] == statements, path
