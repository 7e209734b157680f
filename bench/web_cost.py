"""What a web page costs the server beside the API calls that give the same data (issue 12).

    .venv/bin/python -m bench.web_cost --database-url URL [--rounds 3] [--signed-in]

Starts one `moot serve --no-workers` on the database (filled by bench/generate.py), pinned to
CPU 0 with taskset, and measures as bench/versus.py does: `wrk -t1 -c8 -d4s` on CPU 1, the
server's CPU (utime + stime from /proc, its children's included) over the run divided by the
requests wrk completed. Each page is measured beside the API requests that give the data it
shows, alternately (the page first in even rounds, the API first in odd ones):

- the front page `/` beside `GET /api/v3/post/list` with the type and sort the page picks
  when none is asked for (the site's defaults, or the member's), `limit=20`;
- the front page again beside every API request that gives what it shows: the listing,
  `GET /site` (name, sidebar, tagline), `GET /community/list?sort=TopAll&limit=10` (its
  largest communities) and, signed in, the menu's counts (`/user/unread_count`, and for
  an admin `/user/report_count` and `/admin/registration_application/count`);
- a community's page `/c/NAME` (the community with the most posts) beside `GET /community`
  (its sidebar) plus `GET /post/list?community_name=NAME` (its posts);
- a post's page `/post/ID` (the generated big thread) beside `GET /post` plus
  `GET /comment/list?max_depth=6&sort=Hot` (the tree the page shows, 300 comments at most).

The API's side is the sum of its requests' CPU. The ratio, web / API, is the median of the
rounds' ratios. Each request carries the cookies a browser would send back after its first
visit (the CSRF cookie the server set); `--signed-in` adds the bench admin's session: the
`jwt` cookie to the pages, `Authorization: Bearer` to the API. Signed in, both the page and
`GET /post` mark the post read (a write): keep `--signed-in` to databases of your own.
On SQLite the database works inside the server process and is counted; PostgreSQL's own
processes are not.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import sqlalchemy as sa
from rich.console import Console

from bench import run, versus
from moot.db import models as m
from moot.db.engine import Database

console = Console()

# Sent with every request by wrk: the cookies and authorization of the viewer measured.
_LUA = """
local cookie, auth = os.getenv("WEB_COST_COOKIE"), os.getenv("WEB_COST_AUTH")
if cookie ~= nil and cookie ~= "" then wrk.headers["Cookie"] = cookie end
if auth ~= nil and auth ~= "" then wrk.headers["Authorization"] = auth end
"""


@dataclass
class Case:
    """One page and the API requests that give its data, for one viewer."""

    page: str
    viewer: str
    web: str
    api: list[str]
    web_ms: list[float] = field(default_factory=list)
    api_ms: list[float] = field(default_factory=list)  # the sum of the API requests'
    web_rps: list[float] = field(default_factory=list)
    errors: int = 0

    def ratios(self) -> list[float]:
        return sorted(w / a for w, a in zip(self.web_ms, self.api_ms, strict=True))


@dataclass(frozen=True)
class Viewer:
    name: str
    cookie: str  # to the pages
    auth: str  # to the API


async def _scene(database_url: str) -> tuple[str, int]:
    """The community with the most posts, and the generated big thread."""
    db = Database(database_url)
    await db.connect(size=1)
    try:
        async with db.connection() as conn:
            community = await conn.scalar(
                sa.select(m.community.c.name).order_by(m.community.c.posts.desc()).limit(1)
            )
            big = await conn.scalar(
                sa.select(m.post.c.id).where(m.post.c.name == run.BIG_THREAD_NAME).limit(1)
            )
    finally:
        await db.close()
    if community is None or big is None:
        raise SystemExit("no big thread post: fill the database with bench/generate.py")
    return str(community), int(big)


async def _cases(base: str, viewer: Viewer, community: str, post_id: int) -> list[Case]:
    """The pages and their API requests, with the listing type and sort the pages pick."""
    headers = {"Authorization": viewer.auth} if viewer.auth else {}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as client:
        site = (await client.get("/api/v3/site")).raise_for_status().json()
    if viewer.auth:
        defaults = site["my_user"]["local_user_view"]["local_user"]
        type_, sort = defaults["default_listing_type"], defaults["default_sort_type"]
    else:
        local = site["site_view"]["local_site"]
        type_, sort = local["default_post_listing_type"], local["default_sort_type"]
    name = quote(community)
    listing = f"/api/v3/post/list?type_={type_}&sort={sort}&limit=20"
    # Everything the front page shows: the site (its name, sidebar, tagline), the largest
    # communities beside the posts, and a member's menu counts (an admin's: also the open
    # reports and the registration applications), each what an app asks the API for.
    shown = [listing, "/api/v3/site", "/api/v3/community/list?type_=All&sort=TopAll&limit=10"]
    if viewer.auth:
        shown += ["/api/v3/user/unread_count"]
        if site["admins"] and any(
            a["person"]["id"] == site["my_user"]["local_user_view"]["person"]["id"]
            for a in site["admins"]
        ):
            shown += ["/api/v3/user/report_count", "/api/v3/admin/registration_application/count"]
    return [
        Case("front page", viewer.name, "/", [listing]),
        Case("front page, all it shows", viewer.name, "/", shown),
        Case(
            "community page",
            viewer.name,
            f"/c/{name}",
            [
                f"/api/v3/community?name={name}",
                f"/api/v3/post/list?type_=All&sort={sort}&community_name={name}&limit=20",
            ],
        ),
        Case(
            "post page",
            viewer.name,
            f"/post/{post_id}",
            [
                f"/api/v3/post?id={post_id}",
                f"/api/v3/comment/list?post_id={post_id}&max_depth=6&sort=Hot&type_=All",
            ],
        ),
    ]


async def _viewers(base: str, signed_in: bool) -> list[Viewer]:
    async with (
        httpx.AsyncClient(base_url=base, timeout=60) as client,
        httpx.AsyncClient(base_url=base + "/api/v3", timeout=60) as api,
    ):
        admin = await run.lift_rate_limits(api)
        # The CSRF cookie the server sets on a first visit, which a browser sends back.
        await client.get("/about")
        csrf = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    viewers = [Viewer("anonymous", csrf, "")]
    if signed_in:
        token = admin["Authorization"].split()[1]
        viewers.append(Viewer("signed in (admin)", f"{csrf}; jwt={token}", admin["Authorization"]))
    return viewers


def _sample(root: int, url: str, viewer: Viewer, args: argparse.Namespace) -> versus.Sample:
    """One wrk run. A run that completed no request at all (wrk could not connect, seen on
    a machine busy with other work) is run again, at most twice, and said."""
    env = {"WEB_COST_COOKIE": viewer.cookie, "WEB_COST_AUTH": viewer.auth}
    for _ in range(3):
        sample = versus.measure(root, url, args, args.lua, env)
        if sample.requests > 0:
            return sample
        console.print(f"[yellow]wrk completed no request on {url}: again")
    raise SystemExit(f"wrk completed no request on {url}, three times")


def _check(base: str, case: Case, viewer: Viewer) -> None:
    headers = {"Cookie": viewer.cookie} | ({"Authorization": viewer.auth} if viewer.auth else {})
    for path in [case.web, *case.api]:
        answer = httpx.get(base + path, headers=headers, timeout=60)
        if answer.status_code != 200:
            raise SystemExit(f"{path} answered {answer.status_code}: {answer.text[:300]}")


def measure_all(args: argparse.Namespace) -> dict[str, Any]:
    community, post_id = asyncio.run(_scene(args.database_url))
    load_before = versus.loadavg()
    server = run.Server(
        args.database_url,
        run.free_port(),
        prefix=versus.pin(args.server_cpu),
        options=["--no-workers"],
    )
    cases: list[Case] = []
    try:
        server.start()
        assert server.process is not None
        root = server.process.pid
        base = f"http://127.0.0.1:{server.port}"
        viewers = asyncio.run(_viewers(base, args.signed_in))
        by_viewer = {v.name: v for v in viewers}
        for viewer in viewers:
            cases += asyncio.run(_cases(base, viewer, community, post_id))
        for case in cases:  # answers 200, and warms up caches and prepared statements
            _check(base, case, by_viewer[case.viewer])
            for path in [case.web, *case.api]:
                _sample(root, base + path, by_viewer[case.viewer], args | {"seconds": 1})
        for round_no in range(args.rounds):
            for case in cases:
                viewer = by_viewer[case.viewer]
                sides = ("web", "api") if round_no % 2 == 0 else ("api", "web")
                for side in sides:
                    if side == "web":
                        sample = _sample(root, base + case.web, viewer, args)
                        case.web_ms.append(sample.cpu_ms)
                        case.web_rps.append(sample.rps)
                        case.errors += sample.errors
                    else:
                        samples = [_sample(root, base + p, viewer, args) for p in case.api]
                        case.api_ms.append(sum(s.cpu_ms for s in samples))
                        case.errors += sum(s.errors for s in samples)
                console.print(
                    f"round {round_no + 1} {case.page:<15} {case.viewer:<18} "
                    f"web {case.web_ms[-1]:6.3f} ms  API {case.api_ms[-1]:6.3f} ms  "
                    f"x{case.web_ms[-1] / case.api_ms[-1]:.2f}"
                )
    finally:
        server.stop()
    return {
        "database": "postgresql" if args.database_url.startswith("postgres") else "sqlite",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": versus.machine(),
        "settings": {
            k: getattr(args, k) for k in ("rounds", "seconds", "connections", "server_cpu")
        },
        "load_average_before": load_before,
        "load_average_after": versus.loadavg(),
        "cases": [
            {
                "page": c.page,
                "viewer": c.viewer,
                "web": c.web,
                "api": c.api,
                "web_ms": c.web_ms,
                "api_ms": c.api_ms,
                "web_rps": c.web_rps,
                "errors": c.errors,
            }
            for c in cases
        ],
    }


def markdown(report: dict[str, Any]) -> str:
    mach, s = report["machine"], report["settings"]
    lines = [
        f"**{report['database']}**, {report['date']}; {mach['nproc']} x {mach['cpu']}; "
        f"{s['rounds']} rounds of `wrk -t1 -c{s['connections']} -d{s['seconds']}s` per request, "
        f"page and API alternately; load average before {report['load_average_before']}, "
        f"after {report['load_average_after']}.",
        "",
        "| page | viewer | web CPU ms/req | API CPU ms (requests) | web / API (rounds) "
        "| web req/s |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for c in report["cases"]:
        ratios = sorted(w / a for w, a in zip(c["web_ms"], c["api_ms"], strict=True))
        api_paths = " + ".join(p.split("?")[0].removeprefix("/api/v3") for p in c["api"])
        errors = f" (errors: {c['errors']})" if c["errors"] else ""
        lines.append(
            f"| {c['page']} `{c['web']}`{errors} | {c['viewer']} "
            f"| {statistics.median(c['web_ms']):.3f} "
            f"| {statistics.median(c['api_ms']):.3f} ({api_paths}) "
            f"| **{statistics.median(ratios):.2f}x** ({ratios[0]:.2f}-{ratios[-1]:.2f}) "
            f"| {statistics.median(c['web_rps']):.0f} |"
        )
    return "\n".join(lines)


class _Args(argparse.Namespace):
    """The options, and a copy with some changed (`args | {"seconds": 1}`)."""

    def __or__(self, changes: dict[str, Any]) -> _Args:
        copy = _Args(**vars(self))
        for key, value in changes.items():
            setattr(copy, key, value)
        return copy


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        prog="python -m bench.web_cost", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--database-url")
    ap.add_argument("--render", type=Path, help="print the Markdown of a saved --json, only")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=4, help="of wrk per request")
    ap.add_argument("--connections", type=int, default=8, help="wrk -c")
    ap.add_argument("--server-cpu", type=int, default=0, help="taskset CPU of the server")
    ap.add_argument("--client-cpu", type=int, default=1, help="taskset CPU of wrk")
    ap.add_argument("--no-pin", action="store_true", help="run without taskset")
    ap.add_argument("--signed-in", action="store_true", help="also as the bench admin")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--markdown", type=Path)
    args = ap.parse_args(argv, namespace=_Args())
    if args.render is not None:
        print(markdown(json.loads(args.render.read_text())))
        return
    if args.database_url is None:
        ap.error("--database-url is required")
    if args.no_pin or (os.cpu_count() or 1) < 2:
        args.server_cpu = args.client_cpu = None
    with tempfile.TemporaryDirectory(prefix="web-cost-") as folder:
        args.lua = Path(folder) / "viewer.lua"
        args.lua.write_text(_LUA)
        report = measure_all(args)
    text = markdown(report)
    print(text)
    for target, content in ((args.json, json.dumps(report, indent=2)), (args.markdown, text)):
        if target is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content + "\n")
    if any(c["errors"] for c in report["cases"]):
        sys.exit(1)


if __name__ == "__main__":
    main()
