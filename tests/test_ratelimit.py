"""Token buckets per IP group (reference § 7), driven by a clock the test moves by hand."""

import pytest

from moot.ratelimit import (
    DEFAULT_LIMITS,
    LEMMY_BUCKETS,
    BucketConfig,
    RateLimitBucket,
    RateLimiter,
    parse_client_ip,
)

POST = RateLimitBucket.POST


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def limiter(clock: FakeClock, capacity: int = 6, interval: int = 600) -> RateLimiter:
    return RateLimiter({POST: BucketConfig(capacity, interval)}, clock=clock)


def take(rl: RateLimiter, n: int, ip: str, bucket: RateLimitBucket = POST) -> list[bool]:
    return [rl.check(bucket, ip) for _ in range(n)]


def test_defaults_are_lemmys() -> None:
    assert {
        RateLimitBucket.MESSAGE: BucketConfig(180, 60),
        RateLimitBucket.POST: BucketConfig(6, 600),
        RateLimitBucket.REGISTER: BucketConfig(10, 3600),
        RateLimitBucket.IMAGE: BucketConfig(6, 3600),
        RateLimitBucket.COMMENT: BucketConfig(6, 600),
        RateLimitBucket.SEARCH: BucketConfig(60, 600),
        RateLimitBucket.IMPORT_USER_SETTINGS: BucketConfig(1, 86400),
        RateLimitBucket.RENDITION: BucketConfig(60, 600),  # moot's own
    } == DEFAULT_LIMITS
    assert [b.value for b in LEMMY_BUCKETS] == [
        "message",
        "post",
        "register",
        "image",
        "comment",
        "search",
        "import_user_settings",
    ]


def test_bucket_starts_full_and_empties(clock: FakeClock) -> None:
    rl = limiter(clock)
    assert take(rl, 7, "1.2.3.4") == [True] * 6 + [False]
    assert not rl.check(POST, "1.2.3.4")  # a refused request takes nothing and gets nothing


def test_refill_is_linear_in_whole_seconds(clock: FakeClock) -> None:
    rl = limiter(clock)  # 6 per 600 s: one token per 100 s
    take(rl, 6, "1.2.3.4")
    clock.now += 99.9
    assert not rl.check(POST, "1.2.3.4")
    clock.now += 0.1  # 100 whole seconds since the bucket was emptied
    assert rl.check(POST, "1.2.3.4")
    assert not rl.check(POST, "1.2.3.4")
    clock.now += 250
    assert take(rl, 3, "1.2.3.4") == [True, True, False]


def test_partial_refill_is_not_lost_to_frequent_checks(clock: FakeClock) -> None:
    rl = limiter(clock)
    take(rl, 6, "1.2.3.4")
    # Knocking every 50 s: each knock alone earns half a token, two knocks earn one.
    results = []
    for _ in range(4):
        clock.now += 50
        results.append(rl.check(POST, "1.2.3.4"))
    assert results == [False, True, False, True]


def test_whole_seconds_are_counted_on_the_clock_not_between_calls(clock: FakeClock) -> None:
    rl = limiter(clock, capacity=1, interval=1)
    clock.now = 10.9
    assert rl.check(POST, "1.2.3.4")
    clock.now = 11.0  # a tenth of a second later, but a new whole second
    assert rl.check(POST, "1.2.3.4")


def test_refill_stops_at_capacity(clock: FakeClock) -> None:
    rl = limiter(clock)
    take(rl, 1, "1.2.3.4")
    clock.now += 10 * 86400
    assert take(rl, 7, "1.2.3.4") == [True] * 6 + [False]


def test_addresses_and_kinds_are_separate(clock: FakeClock) -> None:
    rl = limiter(clock)
    take(rl, 6, "1.2.3.4")
    assert rl.check(POST, "1.2.3.5")
    assert rl.check(RateLimitBucket.COMMENT, "1.2.3.4")


def test_missing_kinds_keep_the_defaults(clock: FakeClock) -> None:
    rl = limiter(clock)
    assert take(rl, 11, "1.2.3.4", RateLimitBucket.REGISTER) == [True] * 10 + [False]
    assert take(rl, 2, "1.2.3.4", RateLimitBucket.IMPORT_USER_SETTINGS) == [True, False]


def test_ipv6_groups_share_capacity_by_prefix(clock: FakeClock) -> None:
    rl = limiter(clock, capacity=2, interval=600)
    # The /64 gets 2 tokens, its /56 gets 8 and its /48 gets 32.
    assert take(rl, 3, "2001:db8:0:0::1") == [True, True, False]
    assert take(rl, 2, "2001:db8:0:0::2") == [False, False]  # same /64
    for subnet in range(1, 4):  # three more /64s in the same /56 use its remaining 6
        assert take(rl, 2, f"2001:db8:0:{subnet}::1") == [True, True]
    assert not rl.check(POST, "2001:db8:0:4::1")  # the /56 is empty
    # Another /56 in the same /48 is still open; 24 of the /48's 32 tokens remain.
    spent = sum(take(rl, 2, f"2001:db8:0:{block:x}00::1").count(True) for block in range(1, 20))
    assert spent == 24
    assert rl.check(POST, "2001:db9::1")  # a different /48


def test_ipv6_refusal_does_not_drain_the_wider_groups(clock: FakeClock) -> None:
    rl = limiter(clock, capacity=1, interval=600)
    assert rl.check(POST, "2001:db8::1")
    for _ in range(50):  # hammering from an exhausted /64
        assert not rl.check(POST, "2001:db8::1")
    assert take(rl, 3, "2001:db8:0:1::1") == [True, False, False]  # its own /64 limit only
    assert take(rl, 2, "2001:db8:0:2::1") == [True, False]


def test_ipv6_refills_every_level(clock: FakeClock) -> None:
    rl = limiter(clock, capacity=1, interval=60)
    assert rl.check(POST, "2001:db8::1")
    assert not rl.check(POST, "2001:db8::1")
    clock.now += 60
    assert rl.check(POST, "2001:db8::1")


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        ("1.2.3.4", "1.2.3.4"),
        (" 1.2.3.4 ", "1.2.3.4"),
        ("1.2.3.4:5678", "1.2.3.4"),
        ("2001:db8::1", "2001:db8::1"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("::ffff:1.2.3.4", "1.2.3.4"),
        ("", "127.0.0.1"),
        ("unknown", "127.0.0.1"),
        ("1.2.3.4, 5.6.7.8", "127.0.0.1"),
        ("999.1.1.1", "127.0.0.1"),
    ],
)
def test_parse_client_ip(raw: str, parsed: str) -> None:
    assert str(parse_client_ip(raw)) == parsed


def test_unparsable_addresses_share_the_loopback_bucket(clock: FakeClock) -> None:
    rl = limiter(clock, capacity=2)
    assert take(rl, 2, "garbage") == [True, True]
    assert not rl.check(POST, "127.0.0.1")
    assert not rl.check(POST, "")


def test_ipv4_mapped_ipv6_counts_as_ipv4(clock: FakeClock) -> None:
    rl = limiter(clock, capacity=1)
    assert rl.check(POST, "::ffff:10.0.0.1")
    assert not rl.check(POST, "10.0.0.1")


def test_set_limits_applies_at_runtime(clock: FakeClock) -> None:
    rl = limiter(clock, capacity=6)
    take(rl, 6, "1.2.3.4")  # empty
    rl.set_limits({POST: BucketConfig(6, 600)})  # unchanged: the bucket stays empty
    assert not rl.check(POST, "1.2.3.4")
    rl.set_limits({POST: BucketConfig(2, 600)})  # changed: every bucket starts full again
    assert take(rl, 3, "1.2.3.4") == [True, True, False]
    rl.set_limits({POST: BucketConfig(10, 10)})  # one token a second
    assert take(rl, 11, "1.2.3.4") == [True] * 10 + [False]
    clock.now += 5
    assert take(rl, 6, "1.2.3.4") == [True] * 5 + [False]


def test_zero_capacity_refuses_everything_and_zero_interval_is_safe(clock: FakeClock) -> None:
    rl = limiter(clock, capacity=0, interval=0)
    assert not rl.check(POST, "1.2.3.4")
    clock.now += 100
    assert not rl.check(POST, "1.2.3.4")
    rl.set_limits({POST: BucketConfig(1, 0)})  # treated as one second
    assert rl.check(POST, "1.2.3.4")  # a changed limit starts the bucket full
    assert not rl.check(POST, "1.2.3.4")
    clock.now += 1
    assert rl.check(POST, "1.2.3.4")
    clock.now += 1
    assert rl.check(POST, "1.2.3.4")


def test_collect_garbage_drops_only_full_buckets(clock: FakeClock) -> None:
    rl = limiter(clock)  # one token per 100 s
    take(rl, 1, "1.1.1.1")
    take(rl, 6, "2.2.2.2")
    take(rl, 1, "2001:db8::1")  # three nested buckets
    assert rl.bucket_count() == 5
    assert rl.collect_garbage() == 0
    clock.now += 100  # 1.1.1.1 and the IPv6 groups are full again; 2.2.2.2 has 1 of 6
    assert rl.collect_garbage() == 4
    assert rl.bucket_count() == 1
    clock.now += 500
    assert rl.collect_garbage() == 1
    assert rl.bucket_count() == 0


def test_collect_garbage_keeps_the_count(clock: FakeClock) -> None:
    rl = limiter(clock)
    take(rl, 6, "1.2.3.4")
    clock.now += 150  # 1.5 tokens earned: the half must survive a collection
    assert rl.collect_garbage() == 0
    clock.now += 50
    assert take(rl, 3, "1.2.3.4") == [True, True, False]


def test_default_clock_is_monotonic() -> None:
    rl = RateLimiter(DEFAULT_LIMITS)
    assert rl.check(RateLimitBucket.MESSAGE, "1.2.3.4")
