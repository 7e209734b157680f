"""Per-IP token buckets, in memory, as Lemmy 0.19 limits its API (reference § 7).

Each (action type, address group) pair has a bucket that starts full, refills `capacity`
tokens every `interval_seconds` and gives one token per request. IPv4 addresses are limited
one by one. An IPv6 holder usually has a whole /64 or more, so IPv6 is limited by prefix:
the /64 gets the configured capacity, its /56 four times that, its /48 sixteen times; a
request needs a token at all three levels.

Here in memory, each `moot serve` process counting on its own; not locked: the event loop
calls it from one thread. Shared by several processes: in Redis (moot/shared_limits.py)
or in PostgreSQL (moot/db_limits.py), with the same arithmetic.
"""

import asyncio
import functools
import ipaddress
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from moot.errors import ApiError, ErrorCode
from moot.refusal_log import RefusalLog

log = logging.getLogger("moot.ratelimit")

# How often the server should call `collect_garbage` (Lemmy's interval).
GC_INTERVAL_SECONDS = 120

# Every unparsable client address shares one group, so broken proxies cannot dodge limits.
_FALLBACK_IP = ipaddress.IPv4Address("127.0.0.1")

# (prefix length, capacity multiplier) of the nested IPv6 groups.
_IPV6_GROUPS = ((48, 16), (56, 4), (64, 1))
_FACTOR_BY_PREFIX = {32: 1, **dict(_IPV6_GROUPS)}  # 32: an IPv4 address on its own


class RateLimitBucket(StrEnum):
    MESSAGE = "message"
    POST = "post"
    REGISTER = "register"
    IMAGE = "image"
    COMMENT = "comment"
    SEARCH = "search"
    IMPORT_USER_SETTINGS = "import_user_settings"
    # moot's own: renders of a picture in another format or size (GET /pictrs/image/…
    # ?format=&thumbnail=, /api/v3/image_proxy). Lemmy leaves these to pict-rs unlimited;
    # here each costs a decode, so it has a bucket, not admin-editable (no Lemmy column).
    RENDITION = "rendition"


# The buckets Lemmy has, each with its `local_site_rate_limit` columns.
LEMMY_BUCKETS = tuple(bucket for bucket in RateLimitBucket if bucket != RateLimitBucket.RENDITION)


@dataclass(frozen=True)
class BucketConfig:
    capacity: int
    interval_seconds: int  # Lemmy's `X_per_second` column: seconds to refill a full bucket


DEFAULT_LIMITS: dict[RateLimitBucket, BucketConfig] = {
    RateLimitBucket.MESSAGE: BucketConfig(180, 60),
    RateLimitBucket.POST: BucketConfig(6, 600),
    RateLimitBucket.REGISTER: BucketConfig(10, 3600),
    RateLimitBucket.IMAGE: BucketConfig(6, 3600),
    RateLimitBucket.COMMENT: BucketConfig(6, 600),
    RateLimitBucket.SEARCH: BucketConfig(60, 600),
    RateLimitBucket.IMPORT_USER_SETTINGS: BucketConfig(1, 86400),
    # Enough for a first look at a page of new thumbnails; cached renditions take none.
    RateLimitBucket.RENDITION: BucketConfig(60, 600),
}

# A group key: (IP version, prefix length, the address's top `prefix length` bits).
_GroupKey = tuple[int, int, int]


@dataclass(slots=True)
class _Bucket:
    tokens: int
    # Refill earned but not yet a whole token, in 1/interval_seconds of a token. Lemmy drops
    # this on every check, so a client polling faster than one token's worth of time would
    # never be refilled; carrying it makes the rate exactly capacity per interval.
    credit: int
    last_checked: int  # whole seconds on the limiter's clock

    def refill(self, now: int, capacity: int, interval: int) -> None:
        earned = max(0, now - self.last_checked) * capacity + self.credit
        self.tokens += earned // interval
        self.credit = earned % interval
        if self.tokens >= capacity:  # a full bucket stores no extra
            self.tokens, self.credit = capacity, 0
        self.last_checked = now

    def is_full(self, capacity: int) -> bool:
        return self.tokens >= capacity


def parse_client_ip(ip: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """The client address from a header or the peer, with or without a port.

    An IPv4-mapped IPv6 address (::ffff:a.b.c.d, from dual-stack sockets) counts as the
    IPv4 address it carries, so one client is not split across two kinds of limit.
    """
    candidates = [ip.strip()]
    host, sep, port = candidates[0].rpartition(":")
    if sep and port.isdigit():  # "1.2.3.4:5678" or "[2001:db8::1]:443"
        candidates.append(host.removeprefix("[").removesuffix("]"))
    for candidate in candidates:
        try:
            address = ipaddress.ip_address(candidate)
        except ValueError:
            continue
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            return address.ipv4_mapped
        return address
    return _FALLBACK_IP


@functools.lru_cache(maxsize=16384)
def _groups(ip: str) -> tuple[tuple[_GroupKey, int], ...]:
    """The groups an address is limited in, each with its capacity multiplier. Kept for the
    addresses seen lately: parsing one costs more than the rest of a request's limiting."""
    address = parse_client_ip(ip)
    if isinstance(address, ipaddress.IPv4Address):
        return (((4, 32, int(address)), 1),)
    value = int(address)
    return tuple(((6, bits, value >> (128 - bits)), factor) for bits, factor in _IPV6_GROUPS)


class RateLimiter:
    """The buckets of one process, for every action type and address group."""

    def __init__(
        self,
        limits: Mapping[RateLimitBucket, BucketConfig],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        self._refusals = RefusalLog()
        self._limits: dict[RateLimitBucket, BucketConfig] = {}
        self._buckets: dict[RateLimitBucket, dict[_GroupKey, _Bucket]] = {
            kind: {} for kind in RateLimitBucket
        }
        self.set_limits(limits)

    def set_limits(self, limits: Mapping[RateLimitBucket, BucketConfig]) -> None:
        """Admins change limits at runtime; kinds missing from `limits` keep Lemmy's defaults.

        Buckets of a kind whose limit changed start again full at the new capacity, as they
        would for a new client: otherwise raising a limit leaves everyone who came before
        the change stuck at the old, smaller capacity until the slow refill catches up.
        """
        new = {**DEFAULT_LIMITS, **limits}
        for kind, config in new.items():
            if self._limits.get(kind) != config:
                self._buckets[kind].clear()
        self._limits = new

    def _now(self) -> int:
        # Whole seconds, as Lemmy counts: the refill is integer math on elapsed seconds.
        return int(self._clock())

    def _shape(self, kind: RateLimitBucket, factor: int) -> tuple[int, int]:
        config = self._limits[kind]
        # An interval below one second would divide by zero; treat it as one second.
        return max(0, config.capacity * factor), max(1, config.interval_seconds)

    async def take(self, bucket: RateLimitBucket, ip: str) -> bool:
        """`check`, awaited as the limiter shared between processes (moot/shared_limits.py)
        answers it."""
        return self.check(bucket, ip)

    async def admit(self, bucket: RateLimitBucket, ip: str, what: str) -> None:
        """Takes a token, or refuses `what` (a path) with `rate_limit_error`, in the log
        too (`RefusalLog`)."""
        if not await self.take(bucket, ip):
            self._refusals.refused(bucket.value, ip, what)
            raise ApiError(ErrorCode.RATE_LIMIT_ERROR)

    def shaped_groups(self, bucket: RateLimitBucket, ip: str) -> list[tuple[str, int, int]]:
        """The groups `ip` is limited in for `bucket`: a name for each, its capacity and its
        refill interval."""
        shaped = []
        for (version, bits, value), factor in _groups(ip):
            capacity, interval = self._shape(bucket, factor)
            shaped.append((f"{bucket}:{version}:{bits}:{value:x}", capacity, interval))
        return shaped

    def check(self, bucket: RateLimitBucket, ip: str) -> bool:
        """Takes a token for this request; False (reject) when any of its groups is empty.

        Tokens are taken only when every group has one, so requests refused at the /64
        do not drain the /56 and /48 shared with its neighbours.
        """
        now = self._now()
        table = self._buckets[bucket]
        held: list[_Bucket] = []
        for key, factor in _groups(ip):
            capacity, interval = self._shape(bucket, factor)
            state = table.get(key)
            if state is None:
                state = table[key] = _Bucket(tokens=capacity, credit=0, last_checked=now)
            state.refill(now, capacity, interval)
            held.append(state)
        if any(state.tokens < 1 for state in held):
            return False
        for state in held:
            state.tokens -= 1
        return True

    def collect_garbage(self) -> int:
        """Drops buckets that have refilled to full: a new one would be identical.

        Returns how many were dropped.
        """
        now = self._now()
        dropped = 0
        for kind, table in self._buckets.items():
            for key in list(table):
                capacity, interval = self._shape(kind, _FACTOR_BY_PREFIX[key[1]])
                table[key].refill(now, capacity, interval)
                if table[key].is_full(capacity):
                    del table[key]
                    dropped += 1
        return dropped

    async def purge(self) -> int:
        """`collect_garbage`, awaited as the limiters that keep buckets elsewhere do it."""
        return self.collect_garbage()

    def bucket_count(self) -> int:
        """How many buckets are held; for tests and the admin's view of memory use."""
        return sum(len(table) for table in self._buckets.values())


async def collect_garbage_forever(limiter: RateLimiter) -> None:
    """Every process forgets its full buckets (in memory), or the database's (each process
    does, so it goes on whichever processes run: deleting what another deleted is nothing)."""
    while True:
        await asyncio.sleep(GC_INTERVAL_SECONDS)
        try:
            await limiter.purge()
        except Exception:  # the database away for a moment: the next round will do
            log.exception("full rate-limit buckets could not be dropped")
