"""The drill from start to end against a running moot: set-up and seed, the reader alone,
the wave, the reader alone again, the audit, the admin's clean-up, the audit again.

`run_drill` returns a report (plain data, JSON-ready) whose "checks" compare what the drill
counted with what the server says; each is a dict with the two numbers and whether they agree.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import asdict
from typing import Any

import httpx
from rich.progress import Progress, TaskID

from bench.spam.admin import Admin, approve_by_mistake, clean_up, seed, set_up_site
from bench.spam.audit import database_counts, spam_in_listing, try_log_ins
from bench.spam.tally import Latencies, send
from bench.spam.wave import LOG_IN, POST_NO_TOKEN, POST_WITH_TOKEN, SIGN_UP, Scale, Wave

READER_ADDRESS = "192.0.2.2"
READER_TIMEOUT = 10.0  # seconds; a slower answer counts as an error


class Reader:
    """A well-behaved client polling the front page at a steady rate from its own address.

    Requests start on a fixed schedule whatever the answers (a slow server does not slow the
    reader down), so queueing shows in the latencies. 2 per second stays under the 180 per
    minute that Lemmy's limiter gives one address for reads.
    """

    def __init__(self, client: httpx.AsyncClient, rps: float) -> None:
        self.client = client
        self.interval = 1 / rps
        self.phase = "before"
        self.phases: dict[str, Latencies] = {}
        self.empty_pages = 0
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task

    async def _run(self) -> None:
        running: set[asyncio.Task[None]] = set()
        next_at = time.monotonic()
        while not self._stop.is_set():
            task = asyncio.create_task(self._read(self.phase))
            running.add(task)
            task.add_done_callback(running.discard)
            next_at += self.interval
            with suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), max(0.0, next_at - time.monotonic()))
        await asyncio.gather(*running)

    async def _read(self, phase: str) -> None:
        params = {"type_": "All", "sort": "New", "limit": 20}
        outcome = await send(self.client, "GET", "/post/list", READER_ADDRESS, params=params)
        self.phases.setdefault(phase, Latencies()).add(outcome)
        if outcome.ok and not outcome.body.get("posts"):
            self.empty_pages += 1


class Stages:
    """The drill's progress bars, when it runs in a terminal (`progress` is None in tests)."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress

    @asynccontextmanager
    async def stage(self, label: str, total: float | None = None) -> AsyncIterator[TaskID | None]:
        if self.progress is None:
            yield None
            return
        task = self.progress.add_task(label, total=total)
        try:
            yield task
        finally:
            done = total if total is not None else 1
            self.progress.update(task, completed=done, total=done)

    def advance(self, task: TaskID | None, amount: float = 1) -> None:
        if self.progress is not None and task is not None:
            self.progress.advance(task, amount)

    async def wait(self, label: str, seconds: float) -> None:
        async with self.stage(label, seconds) as task:
            end = time.monotonic() + seconds
            while (left := end - time.monotonic()) > 0:
                await asyncio.sleep(min(0.5, left))
                if self.progress is not None and task is not None:
                    self.progress.update(task, completed=seconds - max(0.0, left))


def check(name: str, drill: int, server: int) -> dict[str, Any]:
    return {"check": name, "drill": drill, "server": server, "ok": drill == server}


async def run_drill(
    api_url: str,
    database_url: str,
    admin_name: str,
    admin_password: str,
    scale: Scale,
    progress: Progress | None = None,
) -> dict[str, Any]:
    rng = random.Random(scale.seed)
    stages = Stages(progress)
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    timeout = httpx.Timeout(60, pool=None)
    async with (
        httpx.AsyncClient(base_url=api_url, timeout=timeout, limits=limits) as client,
        httpx.AsyncClient(base_url=api_url, timeout=READER_TIMEOUT) as reader_client,
    ):
        async with stages.stage("set-up and seed"):
            admin = await Admin.log_in(client, admin_name, admin_password)
            site = await set_up_site(admin)
            seeded = await seed(admin, scale.members, scale.member_posts)
        reader = Reader(reader_client, scale.reader_rps)
        reader.start()
        await stages.wait("reader alone, before", scale.calm)

        reader.phase = "during"
        async with stages.stage("wave (attempts answered)", scale.signups + scale.posts) as bar:
            wave = Wave(client, scale, seeded.community_id, rng, lambda: stages.advance(bar))
            fooled_until = time.monotonic() + scale.duration
            await asyncio.sleep(0)  # the wave's clock starts before the admin's
            wave_task = asyncio.create_task(wave.run())
            await asyncio.sleep(scale.duration / 3)
            fooled = await approve_by_mistake(admin, scale.fooled, rng, fooled_until)
            wave_seconds = await wave_task

        reader.phase = "after"
        await stages.wait("reader alone, after", scale.calm)

        reader.phase = "audit"
        passwords = {name: bot.password for bot in wave.bots for name in bot.accounts}
        async with stages.stage("audit"):
            before = await _audit(admin, client, database_url, wave, fooled, passwords, scale, 0)

        reader.phase = "clean-up"
        async with stages.stage("admin's clean-up"):
            spammers = {int(person["id"]) for person in fooled} | set(wave.spam_posts.values())
            cleaned = await clean_up(admin, spammers)

        reader.phase = "audit"
        async with stages.stage("audit after the clean-up"):
            after = await _audit(admin, client, database_url, wave, fooled, passwords, scale, 32)
        await reader.stop()

    tally = wave.tally
    posts_ok = tally.count(POST_WITH_TOKEN, "ok") + tally.count(POST_NO_TOKEN, "ok")
    registered = tally.count(SIGN_UP, "ok")
    pending = registered - len(fooled)
    db, db_after = before["database"], after["database"]
    checks = [
        check("sign-up attempts made", scale.signups, tally.attempts(SIGN_UP)),
        check("post attempts made", scale.posts,
              tally.attempts(POST_NO_TOKEN) + tally.attempts(POST_WITH_TOKEN)),
        check("sign-ups accepted = spam accounts in the database", registered,
              db["spam accounts"]),
        check("pending (accepted - approved by mistake) = API count", pending,
              before["api pending applications"]),
        check("pending = spam applications pending in the database", pending,
              db["pending applications of spam accounts"]),
        check("approved by mistake = spam accounts that can log in", len(fooled),
              db["spam accounts that can log in"]),
        check("posts accepted = spam posts in the database", posts_ok, db["spam posts"]),
        check("posts accepted = spam posts listed", posts_ok,
              before["listing"]["spam posts listed"]),
        check("after clean-up: API pending count", 0, after["api pending applications"]),
        check("after clean-up: spam accounts that can log in", 0,
              db_after["spam accounts that can log in"]),
        check("after clean-up: spam posts listed", 0, after["listing"]["spam posts listed"]),
        check("after clean-up: spam posts not removed", 0, db_after["spam posts not removed"]),
        check("server errors (5xx, timeouts) answered to the spammers", 0, tally.server_errors()),
    ]  # fmt: skip
    return {
        "scale": asdict(scale),
        "site": site,
        "seeded": {"members": len(seeded.members), "posts": len(seeded.post_ids)},
        "wave": {
            "seconds": round(wave_seconds, 1),
            "attempts": tally.as_dict(),
            "log-in attempts": tally.attempts(LOG_IN),
            "accounts created": registered,
            "mistaken approvals": [person["name"] for person in fooled],
            "spam posts": posts_ok,
        },
        "reader": {phase: latencies.summary() for phase, latencies in reader.phases.items()},
        "reader empty pages": reader.empty_pages,
        "audit before clean-up": before,
        "clean-up": asdict(cleaned),
        "audit after clean-up": after,
        "checks": checks,
    }


async def _audit(
    admin: Admin,
    client: httpx.AsyncClient,
    database_url: str,
    wave: Wave,
    fooled: list[dict[str, Any]],
    passwords: dict[str, str],
    scale: Scale,
    address_offset: int,
) -> dict[str, Any]:
    count = await admin.ok("GET", "/admin/registration_application/count")
    approved = {str(person["name"]) for person in fooled}
    pending = sorted(set(passwords) - approved)[: scale.login_sample]
    sample = [(name, passwords[name]) for name in sorted(approved) + pending]
    log_ins = await try_log_ins(client, sample, address_offset)
    return {
        "api pending applications": int(count["registration_applications"]),
        "database": await database_counts(database_url, wave.registered),
        "listing": await spam_in_listing(client, wave.registered),
        "log-in sample": {"accounts": len(sample), "answers": dict(log_ins)},
    }
