"""Real `moot serve` processes for tests, on SQLite or on a fresh PostgreSQL database."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from moot.actions.bootstrap import bootstrap
from moot.config import Settings
from moot.db.engine import Database
from moot.db.migrate import upgrade

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_ADMIN_URL = os.environ.get(
    "MOOT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)
ADMIN_NAME = "admin"
ADMIN_PASSWORD = "admin-password-1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _psql(sql: str) -> None:
    subprocess.run(
        ["psql", POSTGRES_ADMIN_URL, "-qAtc", sql], check=True, capture_output=True, text=True
    )


def new_database_url(backend: str, data_dir: Path) -> str:
    """A fresh, empty database of the given backend."""
    if backend == "sqlite":
        return f"sqlite:///{data_dir / 'moot.sqlite3'}"
    name = f"moot_test_{uuid.uuid4().hex[:12]}"
    _psql(f"CREATE DATABASE {name}")
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def drop_database(url: str) -> None:
    if url.startswith("postgresql"):
        name = url.rsplit("/", 1)[1]
        _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@dataclass
class Server:
    """A running `moot serve`; `url` is its base (http://127.0.0.1:PORT)."""

    backend: str
    database_url: str
    data_dir: Path
    port: int
    hostname: str
    process: subprocess.Popen[bytes] | None = None
    log_path: Path = field(init=False)
    # Environment the server starts with, over the defaults of `env()`.
    start_env: dict[str, str] = field(default_factory=dict)
    # Options of `moot serve` (e.g. --no-workers).
    serve_options: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.log_path = self.data_dir / "server.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api(self) -> str:
        return f"{self.url}/api/v3"

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            MOOT_DATABASE_URL=self.database_url,
            MOOT_DATA_DIR=str(self.data_dir),
            MOOT_HOSTNAME=self.hostname,
            MOOT_SETUP_ADMIN_NAME=ADMIN_NAME,
            MOOT_SETUP_ADMIN_PASSWORD=ADMIN_PASSWORD,
            MOOT_FEDERATION_TEST_MODE="1",
            # bcrypt at its least cost: the suite signs up and logs in thousands of times.
            MOOT_PASSWORD_HASH_COST="4",
            MOOT_RANK_REFRESH_SECONDS="3600",
            # The tests stand for a proxy on loopback: their X-Forwarded-For names the client.
            MOOT_TRUSTED_PROXIES="127.0.0.1",
        )
        env.update(extra)
        return env

    def moot(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run a `moot` command against this server's database."""
        return subprocess.run(
            [sys.executable, "-m", "moot", *args],
            env=self.env(),
            cwd=self.data_dir,
            capture_output=True,
            text=True,
            check=check,
            timeout=600,
        )

    def make_remote(self, *statements: str) -> None:
        """Turn local rows into another server's, as federation would have left them: the
        statements, then a recount, since the site's counters count only local content
        (federation never counts remote rows in; flipping the flag afterwards would)."""
        for statement in statements:
            self.sql(statement)
        self.moot("admin", "recount")

    def sql(self, statement: str) -> None:
        """Change the database behind the API's back (for states no API makes yet)."""
        if self.backend == "sqlite":
            with sqlite3.connect(self.database_url.split("///", 1)[1]) as conn:
                conn.execute(statement)
        else:
            subprocess.run(
                ["psql", self.database_url, "-qAtc", statement], check=True, capture_output=True
            )

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moot", "serve", "--port", str(self.port), *self.serve_options],
            env=self.env(**self.start_env),
            cwd=self.data_dir,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"moot serve exited:\n{self.log_path.read_text()}")
            try:
                if httpx.get(f"{self.api}/site", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"moot serve did not start:\n{self.log_path.read_text()}")

    def start_worker(self, name: str) -> subprocess.Popen[bytes]:
        """A `moot worker` on this server's database, logging to `name`.log beside it."""
        log = (self.data_dir / f"{name}.log").open("ab")
        return subprocess.Popen(
            [sys.executable, "-m", "moot", "worker"],
            env=self.env(**self.start_env),
            cwd=self.data_dir,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def make_server(backend: str, hostname: str = "localhost") -> Server:
    data_dir = Path(tempfile.mkdtemp(prefix=f"moot-{backend}-"))
    return Server(backend, new_database_url(backend, data_dir), data_dir, free_port(), hostname)


def destroy(server: Server) -> None:
    server.stop()
    drop_database(server.database_url)
    shutil.rmtree(server.data_dir, ignore_errors=True)


@contextlib.asynccontextmanager
async def migrated_database(backend: str, hostname: str | None = None) -> AsyncIterator[Database]:
    """A fresh database of `backend` at the newest schema, connected (and with the site
    bootstrapped for `hostname`, if given); dropped afterwards."""
    folder = Path(tempfile.mkdtemp(prefix=f"moot-{backend}-db-"))
    url = new_database_url(backend, folder)
    await asyncio.to_thread(upgrade, url)  # Alembic runs its own event loop
    database = Database(url)
    await database.connect()
    try:
        if hostname is not None:
            settings = Settings(data_dir=folder, database_url=url, hostname=hostname)
            await bootstrap(database, settings)
        yield database
    finally:
        await database.close()
        drop_database(url)
        shutil.rmtree(folder, ignore_errors=True)
