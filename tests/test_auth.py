"""Password hashing stays off the event loop: sign-ups and log-ins do not stall the process."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from moot import auth
from moot.actions import accounts
from moot.actions.bootstrap import bootstrap
from moot.config import Settings
from moot.db.engine import Database
from moot.db.migrate import upgrade
from moot.errors import ApiError, ErrorCode
from moot.login_throttle import LoginThrottle
from moot.thread_priority import STEP
from tests.servers import drop_database, new_database_url

PASSWORD = "password-123"


@pytest.fixture(params=["sqlite", "postgresql"])
async def db(request: pytest.FixtureRequest) -> AsyncIterator[tuple[Database, Settings]]:
    folder = Path(tempfile.mkdtemp(prefix="moot-auth-"))
    url = new_database_url(request.param, folder)
    await asyncio.to_thread(upgrade, url)
    settings = Settings(data_dir=folder, database_url=url, hostname="auth.test")
    database = Database(url)
    await database.connect()
    await bootstrap(database, settings)
    try:
        yield database, settings
    finally:
        await database.close()
        drop_database(url)
        shutil.rmtree(folder, ignore_errors=True)


async def _longest_stall(work: asyncio.Future[object]) -> float:
    """The longest the event loop went without running a 5 ms ticker while `work` ran."""
    longest, last = 0.0, time.perf_counter()
    while not work.done():
        await asyncio.sleep(0.005)
        now = time.perf_counter()
        longest, last = max(longest, now - last), now
    work.result()
    return longest


async def test_sign_ups_and_log_ins_leave_the_loop_free(db: tuple[Database, Settings]) -> None:
    database, settings = db
    start = time.perf_counter()
    auth.hash_password(PASSWORD)
    one_hash = time.perf_counter() - start

    def form(name: str) -> accounts.Registration:
        return accounts.Registration(username=name, password=PASSWORD, password_verify=PASSWORD)

    names = ["hasher1", "hasher2", "hasher3"]
    sign_ups = asyncio.gather(
        *(accounts.register(database, settings, form(n), None, None) for n in names)
    )
    # Each hash holds the CPU for `one_hash`; run on the loop, it stalls the ticker that long.
    assert await _longest_stall(sign_ups) < one_hash / 2
    log_ins = asyncio.gather(
        *(
            accounts.login(database, settings, n, PASSWORD, None, None, LoginThrottle())
            for n in names
        )
    )
    assert await _longest_stall(log_ins) < one_hash / 2
    assert all(result.jwt for result in log_ins.result())

    with pytest.raises(ApiError) as refused:
        await accounts.login(
            database, settings, "hasher1", "wrong-password", None, None, LoginThrottle()
        )
    assert refused.value.code == ErrorCode.INCORRECT_LOGIN
    with pytest.raises(ApiError) as taken:
        await accounts.register(database, settings, form("hasher2"), None, None)
    assert taken.value.code == ErrorCode.USER_ALREADY_EXISTS


async def test_passwords_hash_at_a_lower_priority() -> None:
    def niceness() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    hashing = await asyncio.get_running_loop().run_in_executor(auth._HASHERS, niceness)
    assert hashing == min(19, niceness() + STEP)


def test_hashes_are_lemmys_unless_the_instance_sets_a_cost() -> None:
    assert auth.hash_password(PASSWORD).startswith("$2b$12$")  # Lemmy's DEFAULT_COST
    auth.use_hash_cost(4)
    try:
        cheap = auth.hash_password(PASSWORD)
    finally:
        auth.use_hash_cost(12)
    assert cheap.startswith("$2b$04$")
    # The cost is in the hash: a hash of either cost verifies whatever the setting.
    assert auth.verify_password(PASSWORD, cheap)
    assert not auth.verify_password("wrong-password", cheap)
