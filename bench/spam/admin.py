"""The admin's side of the drill, all through the API: setting the site up, seeding a few
real members and their posts, the mistaken approvals during the wave, and the clean-up.

The admin works from one address under the same rate limits as everyone (Lemmy's limiter
knows addresses, not accounts): a refused request is retried after a second, and counted.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.spam.tally import Outcome, send

ADMIN_ADDRESS = "192.0.2.1"
QUESTION = "What brings you to this instance?"
DENY_REASON = "Spam wave"
MEMBER_PASSWORD = "member-password-1"


def member_address(index: int) -> str:
    return f"192.0.2.{10 + index}"


class DrillError(RuntimeError):
    """A step the drill needs (the admin's, a member's) was refused."""


@dataclass
class Admin:
    client: httpx.AsyncClient
    token: str
    requests: int = 0
    rate_limited: int = 0

    @classmethod
    async def log_in(cls, client: httpx.AsyncClient, name: str, password: str) -> Admin:
        form = {"username_or_email": name, "password": password}
        outcome = await send(client, "POST", "/user/login", ADMIN_ADDRESS, json=form)
        if not outcome.ok:
            raise DrillError(f"admin log-in: {outcome.label}")
        return cls(client, str(outcome.body["jwt"]))

    async def call(
        self,
        method: str,
        path: str,
        json: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
    ) -> Outcome:
        while True:
            self.requests += 1
            outcome = await send(self.client, method, path, ADMIN_ADDRESS, self.token, json, params)
            if outcome.label != "rate_limit_error":
                return outcome
            self.rate_limited += 1
            await asyncio.sleep(1)

    async def ok(
        self,
        method: str,
        path: str,
        json: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        outcome = await self.call(method, path, json, params)
        if not outcome.ok:
            raise DrillError(f"{method} {path}: {outcome.label} {outcome.body}")
        return outcome.body

    async def pending_applications(self, limit: int = 50) -> list[dict[str, Any]]:
        """The newest undecided applications, one page."""
        params = {"unread_only": "true", "limit": limit, "page": 1}
        body = await self.ok("GET", "/admin/registration_application/list", params=params)
        return list(body["registration_applications"])

    async def decide(self, application_id: int, approve: bool) -> None:
        form: dict[str, Any] = {"id": application_id, "approve": approve}
        if not approve:
            form["deny_reason"] = DENY_REASON
        await self.ok("PUT", "/admin/registration_application/approve", form)


@dataclass
class Seeded:
    community_id: int
    members: list[str]
    post_ids: list[int]


async def set_up_site(admin: Admin) -> dict[str, Any]:
    """Applications required, with a question; the rate limits are left as they are."""
    form = {"registration_mode": "RequireApplication", "application_question": QUESTION}
    body = await admin.ok("PUT", "/site", form)
    local_site: dict[str, Any] = body["site_view"]["local_site"]
    limits: dict[str, Any] = body["site_view"]["local_site_rate_limit"]
    return {"registration_mode": local_site["registration_mode"], "rate_limits": limits}


async def seed(admin: Admin, members: int, member_posts: int) -> Seeded:
    """A community, members who applied and were approved, and their posts."""
    community = await admin.ok(
        "POST", "/community", {"name": "drill_commons", "title": "Drill commons"}
    )
    community_id = int(community["community_view"]["community"]["id"])
    names = [f"member{i + 1}" for i in range(members)]
    for i, name in enumerate(names):
        form = {
            "username": name,
            "password": MEMBER_PASSWORD,
            "password_verify": MEMBER_PASSWORD,
            "answer": "I run the local bike repair café and want to post our hours.",
        }
        outcome = await send(admin.client, "POST", "/user/register", member_address(i), json=form)
        if not outcome.ok:
            raise DrillError(f"member sign-up: {outcome.label}")
    for application in await admin.pending_applications():
        await admin.decide(int(application["registration_application"]["id"]), approve=True)
    post_ids = []
    for i, name in enumerate(names):
        form = {"username_or_email": name, "password": MEMBER_PASSWORD}
        login = await send(admin.client, "POST", "/user/login", member_address(i), json=form)
        if not login.ok:
            raise DrillError(f"member log-in after approval: {login.label}")
        for k in range(member_posts):
            post = {"name": f"{name}'s post {k + 1}", "community_id": community_id,
                    "body": "Opening hours this week: Tuesday to Saturday."}  # fmt: skip
            outcome = await send(
                admin.client, "POST", "/post", member_address(i), str(login.body["jwt"]), post
            )
            if not outcome.ok:
                raise DrillError(f"member post: {outcome.label}")
            post_ids.append(int(outcome.body["post_view"]["post"]["id"]))
    return Seeded(community_id, names, post_ids)


async def approve_by_mistake(
    admin: Admin, count: int, rng: random.Random, until: float
) -> list[dict[str, Any]]:
    """The admin, fooled by plausible answers, approves `count` pending applications (waiting
    until that many exist, or `until` on the monotonic clock); returns their creators."""
    pending: list[dict[str, Any]] = []
    while count and time.monotonic() < until:
        pending = await admin.pending_applications()
        if len(pending) >= count:
            break
        await asyncio.sleep(0.5)
    chosen = rng.sample(pending, min(count, len(pending)))
    for application in chosen:
        await admin.decide(int(application["registration_application"]["id"]), approve=True)
    return [dict(application["creator"]) for application in chosen]


@dataclass
class CleanUp:
    denied: int = 0
    deny_seconds: float = 0.0
    banned: list[int] = field(default_factory=list)
    ban_seconds: float = 0.0
    admin_requests: int = 0
    admin_rate_limited: int = 0


async def clean_up(admin: Admin, spammers: set[int]) -> CleanUp:
    """Deny every pending application, then site-ban each spammer who got in, removing what
    they posted (remove_data)."""
    result = CleanUp()
    requests, limited = admin.requests, admin.rate_limited
    start = time.monotonic()
    while pending := await admin.pending_applications():
        for application in pending:
            await admin.decide(int(application["registration_application"]["id"]), approve=False)
            result.denied += 1
    result.deny_seconds = round(time.monotonic() - start, 2)
    start = time.monotonic()
    for person_id in sorted(spammers):
        form = {"person_id": person_id, "ban": True, "remove_data": True, "reason": DENY_REASON}
        await admin.ok("POST", "/user/ban", form)
        result.banned.append(person_id)
    result.ban_seconds = round(time.monotonic() - start, 2)
    result.admin_requests = admin.requests - requests
    result.admin_rate_limited = admin.rate_limited - limited
    return result
