"""The spammers: bots behind many client addresses that sign up, try to log in, and post.

Each bot is one address. Its share of the sign-ups and post attempts is spread at random over
the wave. A sign-up that the server takes (an application, pending) is followed by a log-in
attempt, to get a token; before a post attempt, a bot without a token tries again to log in
(one of its accounts in turn, at most every tenth of the wave), then posts with whatever token
it holds, or with none. A sign-up refused by the rate limiter is retried with the same name;
a share of sign-ups reuse a name another bot already tried, as bots working from one list do.
"""

from __future__ import annotations

import asyncio
import ipaddress
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from bench.spam.tally import Outcome, Tally, send

SIGN_UP, LOG_IN = "sign-up", "log-in"
POST_NO_TOKEN, POST_WITH_TOKEN = "post (no token)", "post (with a token)"
KINDS = (SIGN_UP, LOG_IN, POST_NO_TOKEN, POST_WITH_TOKEN)
# Answers a token means nothing: refusals that show the bot its session is over.
_TOKEN_DEAD = {"site_ban", "incorrect_login", "not_logged_in", "deleted"}
_WORDS = ("deals", "crypto", "pills", "promo", "bonus", "casino", "loans", "seo")
_ANSWERS = (
    "I love this community and want to share great offers!",
    "Hello, I am a real person, please approve.",
    "Check out my profile for amazing deals.",
)


@dataclass(frozen=True)
class Scale:
    signups: int
    posts: int
    addresses: int
    duration: float  # seconds the wave's attempts are spread over
    calm: float  # seconds the reader reads alone, before and after the wave
    reader_rps: float
    members: int  # legitimate, approved members seeded before the wave
    member_posts: int  # posts each member writes (the post limit is 6 per address)
    fooled: int  # applications the admin approves by mistake during the wave
    name_reuse: float  # share of sign-ups that reuse a name another bot tried
    login_sample: int  # pending accounts whose log-in the audit tries through the API
    seed: int


FULL = Scale(
    signups=1000, posts=5000, addresses=50, duration=600, calm=60, reader_rps=2.0, members=4,
    member_posts=3, fooled=10, name_reuse=0.05, login_sample=5, seed=1,
)  # fmt: skip
QUICK = Scale(
    signups=100, posts=500, addresses=10, duration=60, calm=10, reader_rps=2.0, members=3,
    member_posts=2, fooled=2, name_reuse=0.05, login_sample=3, seed=1,
)  # fmt: skip


def spammer_address(index: int) -> str:
    """Addresses from 198.18.0.0/15, the range set aside for benchmarks."""
    return str(ipaddress.IPv4Address("198.18.0.1") + index)


@dataclass
class Bot:
    address: str
    password: str
    accounts: list[str] = field(default_factory=list)
    retry_name: str | None = None
    token: str | None = None
    next_log_in: float = 0.0
    log_in_turn: int = 0


class Wave:
    def __init__(
        self,
        client: httpx.AsyncClient,
        scale: Scale,
        community_id: int,
        rng: random.Random,
        on_attempt: Callable[[], None] = lambda: None,
    ) -> None:
        self.client = client
        self.scale = scale
        self.community_id = community_id
        self.rng = rng
        self.on_attempt = on_attempt
        self.tally = Tally()
        self.bots = [
            Bot(spammer_address(i), f"spam-password-{i:04d}") for i in range(scale.addresses)
        ]
        self.names_tried: list[str] = []
        self.registered: set[str] = set()  # accounts whose sign-up the server took
        self.spam_posts: dict[int, int] = {}  # post id -> creator person id
        self._serial = 0
        self._log_in_every = max(0.5, scale.duration / 10)

    def schedule(self) -> list[tuple[float, str, Bot]]:
        """Every attempt with its second into the wave, addresses taking turns."""
        n = len(self.bots)
        plan = [(SIGN_UP, self.bots[i % n]) for i in range(self.scale.signups)]
        plan += [("post", self.bots[i % n]) for i in range(self.scale.posts)]
        timed = [(self.rng.uniform(0, self.scale.duration), kind, bot) for kind, bot in plan]
        return sorted(timed, key=lambda item: item[0])

    async def run(self) -> float:
        """Sends every attempt at its time, waits for the answers; returns the wave's seconds."""
        start = time.monotonic()
        running: set[asyncio.Task[None]] = set()
        for at, kind, bot in self.schedule():
            delay = start + at - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            act = self._sign_up(bot) if kind == SIGN_UP else self._post(bot)
            task = asyncio.create_task(act)
            running.add(task)
            task.add_done_callback(running.discard)
        await asyncio.gather(*running)
        return time.monotonic() - start

    def _new_name(self) -> str:
        if self.names_tried and self.rng.random() < self.scale.name_reuse:
            return self.rng.choice(self.names_tried)
        self._serial += 1
        name = f"{self.rng.choice(_WORDS)}_{self._serial:05d}"
        self.names_tried.append(name)
        return name

    async def _sign_up(self, bot: Bot) -> None:
        name, bot.retry_name = bot.retry_name or self._new_name(), None
        form = {
            "username": name,
            "password": bot.password,
            "password_verify": bot.password,
            "answer": self.rng.choice(_ANSWERS),
        }
        outcome = await send(self.client, "POST", "/user/register", bot.address, json=form)
        self._count(SIGN_UP, outcome)
        if outcome.label == "rate_limit_error":
            bot.retry_name = name
        elif outcome.ok:
            self.registered.add(name)
            bot.accounts.append(name)
            if outcome.body.get("jwt"):  # only if the site were open
                bot.token = str(outcome.body["jwt"])
            else:
                await self._log_in(bot, name)

    async def _log_in(self, bot: Bot, name: str) -> None:
        bot.next_log_in = time.monotonic() + self._log_in_every
        form = {"username_or_email": name, "password": bot.password}
        outcome = await send(self.client, "POST", "/user/login", bot.address, json=form)
        self.tally.add(LOG_IN, outcome)
        if outcome.ok and outcome.body.get("jwt"):
            bot.token = str(outcome.body["jwt"])

    async def _post(self, bot: Bot) -> None:
        if bot.token is None and bot.accounts and time.monotonic() >= bot.next_log_in:
            name = bot.accounts[bot.log_in_turn % len(bot.accounts)]
            bot.log_in_turn += 1
            await self._log_in(bot, name)
        token = bot.token
        self._serial += 1
        form = {
            "name": f"Amazing {self.rng.choice(_WORDS)} offer {self._serial}",
            "community_id": self.community_id,
            "body": f"Best prices, visit spam dot example slash {self._serial}",
        }
        outcome = await send(self.client, "POST", "/post", bot.address, token=token, json=form)
        self._count(POST_WITH_TOKEN if token else POST_NO_TOKEN, outcome)
        if outcome.ok:
            view = outcome.body["post_view"]
            self.spam_posts[int(view["post"]["id"])] = int(view["creator"]["id"])
        elif token is not None and outcome.label in _TOKEN_DEAD and bot.token == token:
            bot.token = None

    def _count(self, kind: str, outcome: Outcome) -> None:
        self.tally.add(kind, outcome)
        self.on_attempt()
