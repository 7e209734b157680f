"""The people and places of the concurrency tests, and the audit every route test ends with.

A `World` is an admin, a moderator and eight members on one database, reached through one
`moot serve` or, for the two-process tests, through two sharing the database (`bases`: the
bursts alternate between them). `Audit` gathers what went wrong over a route's rounds and,
whatever happened, ends with the recount: it must correct no row, or the route left a
counter wrong; the server log's errors of the route's time go into the failure message.

The recount is `moot admin recount`'s own function (`moot.db.recount.recount`) run from the
test process on the server's database: the CLI adds a migration check and the site
bootstrap around it, which cost 2-3 s a call, and the suite recounts after every route.

Members are written with moot's account code (`create_local_user`, `issue_token`, as the
registration route does) from the test process, with a cheap bcrypt hash: a registration
through the API spends a second on its cost-12 hash, and the ban and purge tests use up a
member a round.
"""

from __future__ import annotations

import itertools
import os
import re
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bcrypt

from moot import auth
from moot.actions.accounts import create_local_user
from moot.config import Settings
from moot.db.engine import Database
from moot.db.recount import recount
from tests.concurrency.burst import Answer, Call, judge, tally
from tests.conftest import Api, unique
from tests.servers import ADMIN_NAME, ADMIN_PASSWORD, Server

ROUNDS = 3  # each route: this many rounds of an identical burst, then a contradicting one
N = 8  # identical (or contradicting) requests in a burst: per sender, or in all (`toggle`)
PASSWORD = "password-123"
_CHEAP_HASH = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()


@dataclass(frozen=True)
class Member:
    name: str
    person_id: int
    token: str
    api: Api  # blocking client for set-up and checks (on the first server)


@dataclass
class World:
    server: Server  # the first server: set-up and checks go here
    db: Database  # the test process's own connection to the database, for set-up and recount
    admin: Member
    mod: Member
    members: list[Member]
    bases: list[str]  # where the bursts go, in turn
    others: list[Server] = field(default_factory=list)  # further processes on the database
    _turns: Iterator[int] = field(default_factory=itertools.count)

    # --- requests -------------------------------------------------------------------------

    def calls(
        self, who: Member, method: str, path: str, bodies: Sequence[dict[str, Any]]
    ) -> list[Call]:
        """One request per body, by `who`, each to the next server in turn."""
        return [Call(self._base(), who.token, method, path, body, who.name) for body in bodies]

    def _base(self) -> str:
        return self.bases[next(self._turns) % len(self.bases)]

    def same(self, who: Member, method: str, path: str, body: dict[str, Any]) -> list[Call]:
        """N identical requests."""
        return self.calls(who, method, path, [body] * N)

    # --- set-up ---------------------------------------------------------------------------

    async def new_member(self, prefix: str = "cc") -> Member:
        """A local member, logged in (see the module's note on why not through the API)."""
        name = unique(prefix)
        settings = Settings(
            data_dir=self.server.data_dir,
            database_url=self.server.database_url,
            hostname=self.server.hostname,
            federation_test_mode=True,
        )
        async with self.db.transaction() as tx:
            person_id, user_id = await create_local_user(tx, settings, name, _CHEAP_HASH)
            token = await auth.issue_token(tx, user_id, settings.hostname, None, "concurrency")
        return Member(name, person_id, token, Api(self.server, token))

    async def new_members(self, n: int, prefix: str = "cc") -> list[Member]:
        return [await self.new_member(prefix) for _ in range(n)]

    def community(self, owner: Member | None = None) -> int:
        made = (owner or self.mod).api.ok(
            "POST", "/community", {"name": unique("ccom"), "title": "Concurrency"}
        )
        return int(made["community_view"]["community"]["id"])

    def post(self, who: Member, community_id: int, title: str = "A post") -> int:
        made = who.api.ok("POST", "/post", {"name": title, "community_id": community_id})
        return int(made["post_view"]["post"]["id"])

    def comment(
        self, who: Member, post_id: int, text: str = "A comment", parent: int | None = None
    ) -> int:
        body: dict[str, Any] = {"post_id": post_id, "content": text}
        if parent is not None:
            body["parent_id"] = parent
        return int(who.api.ok("POST", "/comment", body)["comment_view"]["comment"]["id"])

    # --- reading state back ---------------------------------------------------------------

    def post_view(self, who: Member, post_id: int) -> dict[str, Any]:
        return dict(who.api.ok("GET", "/post", id=post_id)["post_view"])

    def comment_view(self, who: Member, comment_id: int) -> dict[str, Any]:
        return dict(who.api.ok("GET", "/comment", id=comment_id)["comment_view"])

    def community_view(self, who: Member, community_id: int) -> dict[str, Any]:
        return dict(who.api.ok("GET", "/community", id=community_id))

    def my_user(self, who: Member) -> dict[str, Any]:
        return dict(who.api.ok("GET", "/site")["my_user"])

    def person(self, person_id: int) -> dict[str, Any]:
        """The person's PersonView, as the admin sees it."""
        return dict(self.admin.api.ok("GET", "/user", person_id=person_id)["person_view"])

    def thread(self, post_id: int) -> list[dict[str, Any]]:
        """Every comment of the post, as the admin sees them: deleted and removed ones too
        (but a removed post's thread lists nothing: check threads of posts not removed)."""
        listed = self.admin.api.ok(
            "GET", "/comment/list", post_id=post_id, type_="All", sort="Old", limit=50
        )["comments"]
        assert len(listed) < 50, "the thread outgrew one page: the test counts it wrong"
        return list(listed)

    # --- the audit ------------------------------------------------------------------------

    @asynccontextmanager
    async def audit(self, route: str) -> AsyncIterator[Audit]:
        audit = Audit(route, [self.server, *self.others])
        failure: BaseException | None = None
        try:
            yield audit
        except Exception as exc:  # an unexpected answer while checking: still recount
            failure = exc
            audit.problems.append(f"stopped by {type(exc).__name__}: {exc}")
        await audit.recount(self.db)
        if audit.problems:
            raise AssertionError(audit.report()) from failure
        if os.environ.get("MOOT_CONCURRENCY_REPORT"):  # each route's bursts and timings (-s)
            print(f"\n{audit.report()}")


# The lines that say what failed: a logged error, or the last line of a traceback.
_EXCEPTION = re.compile(r"^[\w.]+(Error|Exception|Conflict|Violation)\b(:|$)")
_FRAME = re.compile(r'^File "(?:.*/)?((?:moot|litestar)/[^"]+)", line (\d+), in (\w+)')


def _exceptions(logged: list[str]) -> Counter[str]:
    """The exceptions the log shows, each with the last frame it was raised in."""
    found: Counter[str] = Counter()
    frame = ""
    for raw in logged:
        line = raw.strip()
        where = _FRAME.match(line)
        if where:
            frame = f"{where.group(1)}:{where.group(2)} {where.group(3)}"
        elif _EXCEPTION.match(line):
            found[f"{line[:160]}  [{frame}]" if frame else line[:160]] += 1
            frame = ""
    return found


class Audit:
    """What a route's rounds got wrong (`World.audit` recounts at the end and fails the test
    if anything did)."""

    def __init__(self, route: str, servers: list[Server]) -> None:
        self.route = route
        self.servers = servers
        self.problems: list[str] = []
        self.seen: list[str] = []  # the bursts' answers, for the failure message
        self._log_start = {id(s): _size(s.log_path) for s in servers}
        self._started = time.monotonic()
        self.burst_seconds = 0.0

    def answers(self, where: str, answers: list[Answer], allowed: Sequence[str] = ()) -> None:
        """Record the burst's answers; anything but 200 or an `allowed` Lemmy error is wrong."""
        self.seen.append(f"{where}: {tally(answers)}")
        self.burst_seconds += max((a.seconds for a in answers), default=0.0)
        self.problems += [f"{where}: {p}" for p in judge(answers, allowed)]

    def expect(self, ok: bool, what: str) -> bool:
        """A check of the end state: `what` describes the state that was wrong."""
        if not ok:
            self.problems.append(what)
        return ok

    async def recount(self, db: Database) -> None:
        """`moot admin recount` (its function): the rows it corrects are counters the
        route's rounds left wrong."""
        corrected = await recount(db)
        if corrected:
            self.problems.append(
                f"moot admin recount corrected {corrected} rows: the route's counters "
                "drifted from the rows they count"
            )

    def report(self) -> str:
        problems = Counter(self.problems)  # in the order first seen
        lines = [f"{self.route}: {len(problems)} problem(s)"]
        lines += [f"  - {p}" + (f" ({n} times)" if n > 1 else "") for p, n in problems.items()][:25]
        took = time.monotonic() - self._started
        lines.append(f"bursts ({self.burst_seconds:.1f} s of the route's {took:.1f} s):")
        lines += [f"  {s}" for s in self.seen]
        for s in self.servers:
            logged = _log_since(s.log_path, self._log_start[id(s)])
            races = sum("lost a race" in line for line in logged)
            tracebacks = sum(1 for line in logged if line.startswith("Traceback"))
            lines.append(
                f"server log {s.log_path} (port {s.port}): {races} lost races (replayed), "
                f"{tracebacks} tracebacks"
            )
            lines += [f"  | {n}x {e}" for e, n in _exceptions(logged).most_common(12)]
        return "\n".join(lines)


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def _log_since(path: Path, start: int) -> list[str]:
    if not path.exists():
        return []
    with path.open("rb") as f:
        f.seek(start)
        return f.read().decode(errors="replace").splitlines()


async def make_world(server: Server, bases: list[str] | None = None) -> World:
    """The cast on `server`'s database; close `world.db` when done."""
    token = Api(server).ok(
        "POST", "/user/login", {"username_or_email": ADMIN_NAME, "password": ADMIN_PASSWORD}
    )["jwt"]
    admin_api = Api(server, token)
    me = admin_api.ok("GET", "/site")["my_user"]["local_user_view"]["person"]["id"]
    admin = Member(ADMIN_NAME, int(me), token, admin_api)
    db = Database(server.database_url)
    await db.connect(size=2)
    world = World(server, db, admin, admin, [], bases or [server.api])
    world.mod = await world.new_member("ccmod")
    world.members = await world.new_members(N)
    return world
