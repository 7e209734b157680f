"""A real PostgreSQL primary and a streaming replica of it, in a temporary folder.

Not a base backup of the machine's server: that one holds every test database (hundreds of
megabytes), so a small cluster of our own is made instead, and copied with
`pg_basebackup -R` (the copy starts as a standby of it, no replication slot). About two
seconds on this machine. The servers run as the `postgres` system user, as initdb wants,
on free loopback ports with their sockets in the folder.
"""

from __future__ import annotations

import glob
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.servers import free_port


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} is not installed")
    return found[-1]


def _as_postgres(*command: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", *command], check=True, capture_output=True)


@dataclass
class StreamingPair:
    folder: Path
    primary_port: int
    replica_port: int

    def url(self, port: int, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{port}/{database}"

    def psql(self, port: int, sql: str, database: str = "postgres") -> str:
        result = subprocess.run(
            ["psql", self.url(port, database), "-qAtc", sql],
            check=True,
            capture_output=True,
            text=True,
        )
        return result.stdout.strip()

    def pg_ctl(self, which: str, action: str) -> None:
        _as_postgres(
            _bin("pg_ctl"),
            "-D",
            str(self.folder / which),
            "-l",
            str(self.folder / f"{which}.log"),
            "-m",
            "fast",
            "-w",
            action,
        )

    def destroy(self) -> None:
        for which in ("replica", "primary"):
            if (self.folder / which / "postmaster.pid").exists():
                folder = str(self.folder / which)
                _as_postgres(_bin("pg_ctl"), "-D", folder, "-m", "immediate", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


def start_pair() -> StreamingPair:
    folder = Path(tempfile.mkdtemp(prefix="moot-standby-"))
    shutil.chown(folder, "postgres")
    pair = StreamingPair(folder, free_port(), free_port())
    try:
        primary = folder / "primary"
        _as_postgres(
            _bin("initdb"), "-D", str(primary), "-U", "postgres", "-A", "trust", "--no-sync"
        )
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(pair.primary_port),
            "unix_socket_directories": f"'{folder}'",
            "fsync": "off",
            "shared_buffers": "16MB",
            "wal_level": "replica",
            "max_wal_senders": "4",
        }
        with (primary / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        with (primary / "pg_hba.conf").open("a") as hba:
            hba.write("host replication all 127.0.0.1/32 trust\n")
        pair.pg_ctl("primary", "start")
        _as_postgres(
            _bin("pg_basebackup"),
            *("-h", "127.0.0.1", "-p", str(pair.primary_port), "-U", "postgres"),
            *("-D", str(folder / "replica"), "-R", "-X", "stream", "-c", "fast", "--no-sync"),
        )
        with (folder / "replica" / "postgresql.conf").open("a") as conf:
            conf.write(f"port = {pair.replica_port}\n")
        pair.pg_ctl("replica", "start")
    except BaseException:
        pair.destroy()
        raise
    return pair
