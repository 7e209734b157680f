"""Password hashing stays off the event loop: sign-ups and log-ins do not stall the process."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import bcrypt
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


async def test_sign_ups_and_log_ins_leave_the_loop_free(
    db: tuple[Database, Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every bcrypt call of a sign-up or a log-in runs in a hashing thread, never on the
    event loop's, where each would hold every other request for its whole cost. A count of
    where the real calls ran, not a timing."""
    database, settings = db
    loop_thread = threading.get_ident()
    ran_on: dict[str, list[bool]] = {"hashpw": [], "checkpw": []}

    def watched(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any) -> Any:
            ran_on[name].append(threading.get_ident() == loop_thread)
            return real(*args)

        return call

    monkeypatch.setattr(bcrypt, "hashpw", watched("hashpw", bcrypt.hashpw))
    monkeypatch.setattr(bcrypt, "checkpw", watched("checkpw", bcrypt.checkpw))

    def form(name: str) -> accounts.Registration:
        return accounts.Registration(username=name, password=PASSWORD, password_verify=PASSWORD)

    names = ["hasher1", "hasher2", "hasher3"]
    await asyncio.gather(
        *(accounts.register(database, settings, form(n), None, None) for n in names)
    )
    log_ins = await asyncio.gather(
        *(
            accounts.login(database, settings, n, PASSWORD, None, None, LoginThrottle())
            for n in names
        )
    )
    assert all(result.jwt for result in log_ins)
    assert len(ran_on["hashpw"]) == len(names) and len(ran_on["checkpw"]) >= len(names)
    assert not any(ran_on["hashpw"] + ran_on["checkpw"]), ran_on

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
