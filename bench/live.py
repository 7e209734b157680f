"""Shared by the write-path benchmark and the crash drill: real `moot serve` processes (the
ones tests/servers.py starts), run by any checkout's interpreter, and the API set-up both
need (rate limits lifted, open registration, members, a community, posts).

A server can be run by another interpreter than this one because the write-path benchmark
compares the working tree with an older revision installed in a virtualenv of its own.
"""

from __future__ import annotations

import asyncio
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from tests.servers import (
    ADMIN_NAME,
    ADMIN_PASSWORD,
    Server,
    drop_database,
    free_port,
    new_database_url,
)

MEMBER_PASSWORD = "bench-member-password"
# Every bucket moot limits, raised out of reach: the benchmarks measure moot, not its limiter.
LIMITED = ("message", "post", "register", "image", "comment", "search")


@dataclass
class VersionServer(Server):
    """A `moot serve` of the checkout whose virtualenv holds `python` (default: this one)."""

    python: str = sys.executable

    def start(self) -> None:
        """As tests.servers.Server.start, with this server's interpreter."""
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [self.python, "-m", "moot", "serve", "--port", str(self.port)],
                env=self.env(**self.start_env),
                cwd=self.data_dir,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"moot serve exited:\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.api}/site", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"moot serve did not start:\n{self.log_tail()}")

    def moot(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """A `moot` command of this server's checkout, on its database."""
        return subprocess.run(
            [self.python, "-m", "moot", *args],
            env=self.env(),
            cwd=self.data_dir,
            capture_output=True,
            text=True,
            check=check,
            timeout=600,
        )

    def kill9(self) -> None:
        """SIGKILL, no clean-up of any kind: what the OOM killer or a power cut leaves."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()
        self.process = None

    def recount(self) -> int:
        """`moot admin recount` on this server's database: the rows it had to correct."""
        out = self.moot("admin", "recount").stdout
        found = re.search(r"recounted: (\d+) rows corrected", out)
        if found is None:
            raise RuntimeError(f"unexpected recount output: {out!r}")
        return int(found.group(1))


def new_server(
    backend: str, python: str = sys.executable, prefix: str = "moot-bench-"
) -> VersionServer:
    """A stopped server on a fresh database (SQLite file or new PostgreSQL database)."""
    data_dir = Path(tempfile.mkdtemp(prefix=f"{prefix}{backend}-"))
    url = new_database_url(backend, data_dir)
    return VersionServer(
        backend,
        url,
        data_dir,
        free_port(),
        "localhost",
        # No rank refresh during a run: it would compete with the requests measured.
        start_env={"MOOT_RANK_REFRESH_SECONDS": "86400", "MOOT_LOG_LEVEL": "WARNING"},
        python=python,
    )


def destroy(server: VersionServer) -> None:
    server.stop()
    drop_database(server.database_url)
    shutil.rmtree(server.data_dir, ignore_errors=True)


# The site ---------------------------------------------------------------------------------


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def ok(response: httpx.Response) -> dict[str, Any]:
    if response.status_code != 200:
        raise RuntimeError(
            f"{response.request.method} {response.request.url}: "
            f"HTTP {response.status_code}: {response.text[:500]}"
        )
    body: dict[str, Any] = response.json()
    return body


async def open_site(client: httpx.AsyncClient) -> str:
    """Log the admin in, open registration and lift every rate limit; the admin's token.
    (As tests/conftest.py's `server` fixture; a question is sent along because some
    revisions refuse any site edit while RequireApplication has none.)"""
    login = await ok(
        await client.post(
            "/user/login", json={"username_or_email": ADMIN_NAME, "password": ADMIN_PASSWORD}
        )
    )
    token = str(login["jwt"])
    settings: dict[str, Any] = {
        "registration_mode": "Open",
        "application_question": "Why do you want to join?",
    }
    for bucket in LIMITED:
        settings[f"rate_limit_{bucket}"] = 10_000_000
        settings[f"rate_limit_{bucket}_per_second"] = 1
    await ok(await client.put("/site", json=settings, headers=auth(token)))
    return token


async def register(client: httpx.AsyncClient, names: list[str], parallel: int = 4) -> list[str]:
    """Members signed up (open registration), in the order of `names`; their tokens."""
    gate = asyncio.Semaphore(parallel)

    async def one(name: str) -> str:
        async with gate:
            body = {
                "username": name,
                "password": MEMBER_PASSWORD,
                "password_verify": MEMBER_PASSWORD,
            }
            return str((await ok(await client.post("/user/register", json=body)))["jwt"])

    return list(await asyncio.gather(*(one(n) for n in names)))


async def community(client: httpx.AsyncClient, token: str, name: str) -> int:
    body = {"name": name, "title": name.title()}
    created = await ok(await client.post("/community", json=body, headers=auth(token)))
    return int(created["community_view"]["community"]["id"])


async def posts(
    client: httpx.AsyncClient, authors: list[str], community_id: int, count: int
) -> list[int]:
    """`count` posts, written one after the other (same ids on every run), by the authors in
    turn."""
    ids = []
    for i in range(count):
        body = {"name": f"Bench post {i}", "community_id": community_id, "body": "Text."}
        token = authors[i % len(authors)]
        created = await ok(await client.post("/post", json=body, headers=auth(token)))
        ids.append(int(created["post_view"]["post"]["id"]))
    return ids


# The machine ------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """What the figures depend on, and how busy the (shared) machine was."""
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


def describe_tree(root: Path) -> str:
    """The working tree's commit, with the last commit that changed moot itself when that is
    an older one, and `+dirty` when moot/ has uncommitted changes."""
    head = git("rev-parse", "--short", "HEAD", cwd=root)
    code = git("log", "-1", "--format=%h", "--", "moot", "pyproject.toml", cwd=root)
    dirty = git("status", "--porcelain", "--", "moot", "pyproject.toml", cwd=root)
    name = head if code == head else f"{head} (moot/ as of {code})"
    return f"{name} +dirty" if dirty else name


def elapsed(start: float) -> str:
    return f"{time.monotonic() - start:.0f} s"
