"""moot's two writes beside the raw-driver reference's (bench/reference/writes.py,
commenting.py), on the same database (issue 12: each ≤ 2x a raw reference doing the same
writes).

    .venv/bin/python -m bench.versus_writes --database-url URL [--rounds 3] [--seconds 4]

The database is one of your own filled by bench/generate.py (never the shared moot_bench
or /tmp/bench/full.sqlite3: this writes). As bench/versus.py: both servers pinned to CPU 0,
wrk on CPU 1, moot and the reference alternately, the order swapped every round; server CPU
per request from /proc. The scene, made through moot's API: 16 members, a community with a
follower on another instance (so every write queues its activity and the community's
Announce), 100 posts, 50 top-level comments to reply to. wrk's Lua script sends:

- `like`: `POST /post/like`, member-post pairs in turn, each pair's votes going
  1, -1, 1, … pass by pass (a vote that changes nothing is rare: only where a run ended);
- `comment`: `POST /comment` at top level, members and posts in turn (never on their own
  post, so the post's author is noticed);
- `reply`: `POST /comment` replying to the 50 comments in turn.

The counts go on from run to run (`WRITES_OFFSET`), so the votes keep changing. Before the
timing, one request of each kind is sent to both and their answers compared with ids and
times set aside (tests/bench/test_reference_writes.py compares the rows they leave).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from bench import run, versus
from moot.db import models as m
from moot.db.engine import Database
from moot.db.statement_count import counting
from moot.db.types import utcnow
from moot.federation.objects.common import instance_id_for

MEMBERS, POSTS, PARENTS = 16, 100, 50
KINDS = ("like", "comment", "reply")


@dataclass
class Scene:
    tokens: list[str]
    community_id: int
    post_ids: list[int]
    parents: list[tuple[int, int]]  # (comment id, its post id)


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _ok(response: httpx.Response) -> dict[str, Any]:
    if response.status_code != 200:
        raise RuntimeError(f"{response.request.url}: {response.status_code} {response.text}")
    data: dict[str, Any] = response.json()
    return data


async def make_scene(
    api: str,
    database_url: str,
    members: int = MEMBERS,
    posts: int = POSTS,
    parents: int = PARENTS,
) -> Scene:
    """Members, a community followed from elsewhere, posts and comments, through moot."""
    async with httpx.AsyncClient(base_url=api, timeout=120) as client:
        admin = await run.lift_rate_limits(client)
        await _ok(await client.put("/site", json={"registration_mode": "Open"}, headers=admin))
        stamp = datetime.now(UTC).strftime("%H%M%S%f")
        tokens = []
        for i in range(members):
            name = f"w{stamp}_{i}"
            password = "writes-bench-1"
            body: dict[str, Any] = {
                "username": name,
                "password": password,
                "password_verify": password,
            }
            tokens.append(str((await _ok(await client.post("/user/register", json=body)))["jwt"]))
        name = f"writes{stamp}"
        made = await _ok(
            await client.post("/community", json={"name": name, "title": name}, headers=admin)
        )
        community_id = int(made["community_view"]["community"]["id"])
        post_ids = []
        for i in range(posts):
            body = {"name": f"Writes {i}", "community_id": community_id}
            made = await _ok(
                await client.post("/post", json=body, headers=_auth(tokens[i % members]))
            )
            post_ids.append(int(made["post_view"]["post"]["id"]))
        replied: list[tuple[int, int]] = []
        for i in range(parents):
            post_id = post_ids[i % len(post_ids)]
            body = {"post_id": post_id, "content": f"Parent {i}"}
            made = await _ok(
                await client.post("/comment", json=body, headers=_auth(tokens[(i + 1) % members]))
            )
            replied.append((int(made["comment_view"]["comment"]["id"]), post_id))
    await remote_follower(database_url, community_id, f"{name}.example")
    return Scene(tokens, community_id, post_ids, replied)


async def remote_follower(database_url: str, community_id: int, domain: str) -> None:
    """A person on another instance follows the community (with the subscriber count moved
    as a follow moves it, so that a recount finds nothing to correct)."""
    db = Database(database_url)
    await db.connect(size=2)
    try:
        async with db.transaction() as tx:
            person_id = await tx.scalar(
                sa.insert(m.person)
                .values(
                    name="reader",
                    local=False,
                    actor_id=f"http://{domain}/u/reader",
                    inbox_url=f"http://{domain}/u/reader/inbox",
                    shared_inbox_url=f"http://{domain}/inbox",
                    instance_id=await instance_id_for(tx, domain),
                    published=utcnow(),
                )
                .returning(m.person.c.id)
            )
            await tx.execute(
                sa.insert(m.community_follower).values(
                    community_id=community_id, person_id=person_id, published=utcnow()
                )
            )
            c = m.community.c
            await tx.execute(
                sa.update(m.community)
                .where(c.id == community_id)
                .values(subscribers=c.subscribers + 1)
            )
    finally:
        await db.close()


def _lua_list(items: Sequence[Any]) -> str:
    return "{" + ", ".join(json.dumps(x) if isinstance(x, str) else str(x) for x in items) + "}"


def lua_script(scene: Scene, kind: str) -> str:
    """wrk's script for one kind of request; request k of the run is number
    WRITES_OFFSET + k of the kind."""
    head = (
        f"local tokens = {_lua_list(scene.tokens)}\n"
        f"local posts = {_lua_list(scene.post_ids)}\n"
        f"local parents = {_lua_list([c for c, _ in scene.parents])}\n"
        f"local parent_posts = {_lua_list([p for _, p in scene.parents])}\n"
        'local offset = tonumber(os.getenv("WRITES_OFFSET")) or 0\n'
        "local i = 0\n"
        "request = function()\n"
        "  local k = offset + i\n"
        "  i = i + 1\n"
        '  local headers = {["Content-Type"] = "application/json"}\n'
    )
    if kind == "like":
        body = (
            "  local pairs_n = #tokens * #posts\n"
            "  local pair = k % pairs_n\n"
            "  local pass = math.floor(k / pairs_n)\n"
            "  local score = (pass % 2 == 0) and 1 or -1\n"
            '  headers["Authorization"] = "Bearer " .. tokens[pair % #tokens + 1]\n'
            "  local post = posts[math.floor(pair / #tokens) + 1]\n"
            '  local body = string.format(\'{"post_id":%d,"score":%d}\', post, score)\n'
            '  return wrk.format("POST", "/api/v3/post/like", headers, body)\n'
        )
    elif kind == "comment":
        # By another member than the post's author (posts go to the members in turn).
        body = (
            '  headers["Authorization"] = "Bearer " .. tokens[(k + 1) % #tokens + 1]\n'
            "  local post = posts[k % #posts + 1]\n"
            "  local body = string.format("
            '\'{"post_id":%d,"content":"Bench comment %d"}\', post, k)\n'
            '  return wrk.format("POST", "/api/v3/comment", headers, body)\n'
        )
    else:
        body = (
            '  headers["Authorization"] = "Bearer " .. tokens[k % #tokens + 1]\n'
            "  local j = k % #parents + 1\n"
            "  local body = string.format("
            '\'{"post_id":%d,"parent_id":%d,"content":"Bench reply %d"}\', '
            "parent_posts[j], parents[j], k)\n"
            '  return wrk.format("POST", "/api/v3/comment", headers, body)\n'
        )
    return head + body + "end\n"


def first_request(scene: Scene, kind: str, k: int) -> tuple[str, dict[str, Any], str]:
    """Request number `k` of a kind, as the Lua script makes it: (path, body, token)."""
    tokens, posts = scene.tokens, scene.post_ids
    if kind == "like":
        pairs = len(tokens) * len(posts)
        pair, passed = k % pairs, k // pairs
        body: dict[str, Any] = {
            "post_id": posts[pair // len(tokens)],
            "score": 1 if passed % 2 == 0 else -1,
        }
        return "/post/like", body, tokens[pair % len(tokens)]
    if kind == "comment":
        return (
            "/comment",
            {"post_id": posts[k % len(posts)], "content": f"Bench comment {k}"},
            tokens[(k + 1) % len(tokens)],
        )
    comment_id, post_id = scene.parents[k % len(scene.parents)]
    body = {"post_id": post_id, "parent_id": comment_id, "content": f"Bench reply {k}"}
    return "/comment", body, tokens[k % len(tokens)]


async def same_as_read(
    client: httpx.AsyncClient, api: str, response: httpx.Response, token: str
) -> str | None:
    """None when a write's answer is what moot's read of the same item answers the writer
    (`GET /post` or `GET /comment`), byte for byte; else what differs."""
    if response.status_code != 200:
        return f"HTTP {response.status_code}: {response.text}"
    data = response.json()
    if "post_view" in data:
        read = await client.get(
            f"{api}/post", params={"id": data["post_view"]["post"]["id"]}, headers=_auth(token)
        )
        read_data = {"post_view": read.json()["post_view"]}
    else:
        read = await client.get(
            f"{api}/comment",
            params={"id": data["comment_view"]["comment"]["id"]},
            headers=_auth(token),
        )
        read_data = read.json()
    if json.dumps(read_data) != json.dumps(data):
        return f"{response.text} != {json.dumps(read_data)}"
    return None


async def moot_statements(
    database_url: str, scene: Scene, offsets: dict[str, int]
) -> dict[str, int]:
    """Statements of one request of each kind, counted by moot itself
    (moot.db.statement_count) around its app run in this process on the database, as
    bench/versus.py counts the reads'; the second of two, the process's caches loaded."""
    counts: dict[str, int] = {}
    async with versus.in_process_api(database_url) as client:
        for kind in KINDS:
            for _ in range(2):
                path, body, token = first_request(scene, kind, offsets[kind])
                offsets[kind] += 1
                with counting() as seen:
                    response = await client.post(path, json=body, headers=_auth(token))
                response.raise_for_status()
            counts[kind] = len(seen)
    return counts


async def versus_writes(args: argparse.Namespace) -> dict[str, Any]:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    load_before = versus.loadavg()
    server_pin = versus.pin(args.server_cpu)
    moot = run.Server(
        args.database_url, run.free_port(), prefix=server_pin, options=["--no-workers"]
    )
    reference: versus.Reference | None = None
    folder = Path(tempfile.mkdtemp(prefix="moot-versus-writes-"))
    rows = [versus.Row(kind, kind) for kind in KINDS]
    mismatches: list[str] = []
    try:
        await asyncio.to_thread(moot.start)
        scene = await make_scene(moot.api, args.database_url)
        offsets = dict.fromkeys(KINDS, 0)
        counted = await moot_statements(args.database_url, scene, offsets)
        for row in rows:
            row.statements["moot"] = counted[row.name]
        reference = await asyncio.to_thread(versus.Reference, args.database_url, server_pin)
        bases = {"moot": moot.api, "ref": reference.api}
        scripts = {}
        for row in rows:
            scripts[row.name] = folder / f"{row.name}.lua"
            scripts[row.name].write_text(lua_script(scene, row.name))
            # One request of the kind to each; each answer must be what moot's read of
            # the same item answers the writer then, byte for byte.
            async with httpx.AsyncClient(timeout=60) as client:
                for server in ("moot", "ref"):
                    path, body, token = first_request(scene, row.name, offsets[row.name])
                    offsets[row.name] += 1
                    response = await client.post(
                        bases[server] + path, json=body, headers=_auth(token)
                    )
                    problem = await same_as_read(client, moot.api, response, token)
                    if problem:
                        mismatches.append(f"{server} {row.name}: {problem}")
                    if server == "ref":
                        row.statements["ref"] = int(response.headers["x-statements"])
        assert moot.process is not None and reference.process is not None
        roots = {"moot": moot.process.pid, "ref": reference.process.pid}
        for round_no in range(-1, args.rounds):  # round -1: the warm-up, not kept
            order = ("moot", "ref") if round_no % 2 == 0 else ("ref", "moot")
            for row in rows:
                for server in order:
                    env = {"WRITES_OFFSET": str(offsets[row.name])}
                    sample = await asyncio.to_thread(
                        versus.measure,
                        roots[server],
                        bases[server].removesuffix("/api/v3") + "/",
                        args,
                        scripts[row.name],
                        env,
                    )
                    # The requests in flight at the end were sent too.
                    offsets[row.name] += sample.requests + args.connections
                    if round_no < 0:
                        continue
                    row.samples[server].append(sample)
                    versus.console.print(
                        f"round {round_no + 1} {server:<4} {row.name:<8} "
                        f"{sample.cpu_ms:7.3f} ms CPU/req {sample.rps:8.1f} req/s "
                        f"p50 {sample.p50_ms:7.2f} p99 {sample.p99_ms:7.2f} errors {sample.errors}"
                    )
    finally:
        if reference is not None:
            reference.stop()
        moot.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return {
        "database": "postgresql" if args.database_url.startswith("postgres") else "sqlite",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": versus.machine(),
        "facts": {"counts": {"members": MEMBERS, "posts": POSTS, "parents": PARENTS}},
        "settings": {
            k: getattr(args, k)
            for k in ("rounds", "seconds", "connections", "server_cpu", "client_cpu")
        },
        "identical": not mismatches,
        "mismatches": mismatches,
        "load_average_before": load_before,
        "load_average_after": versus.loadavg(),
        "rows": [
            {
                "name": r.name,
                "path": r.path,
                "statements": r.statements,
                "samples": {
                    k: [s.__dict__ | {"cpu_ms": s.cpu_ms} for s in v] for k, v in r.samples.items()
                },
            }
            for r in rows
        ],
        "summary": [versus.summary(r) for r in rows],
    }


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        prog="python -m bench.versus_writes", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--database-url", required=True)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=4)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--server-cpu", type=int, default=0)
    ap.add_argument("--client-cpu", type=int, default=1)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--markdown", type=Path)
    args = ap.parse_args(argv)
    url = args.database_url
    if url.endswith("/moot_bench") or url.endswith("/tmp/bench/full.sqlite3"):
        raise SystemExit("that database is read-only for benchmarks: make one of your own")
    report = asyncio.run(versus_writes(args))
    report["settings"]["limit"] = None
    text = versus.markdown(report)
    versus.console.print(text, markup=False, highlight=False)
    for problem in report["mismatches"]:
        versus.console.print(f"[red]not identical: {problem}")
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    if args.markdown is not None:
        args.markdown.write_text(text + "\n")


if __name__ == "__main__":
    main()
