"""`moot backup FILE` and `moot restore FILE`, on either backend, while the instance runs.

A backup is one tar file:

- `manifest.json`: the backend, the schema revision, when, where the pictures are, and
  every table's row count and checksum (moot/portability/tables.py) in the snapshot;
- `database.sqlite3` (SQLite's online backup API: one step, so one read transaction, a
  consistent copy that writers in WAL mode do not wait for) or `database.pgdump`
  (pg_dump's custom format, of a snapshot exported from a repeatable-read transaction
  in which the checksums are computed too, so the dump and the manifest see the same rows);
- `media/…`: the pictures kept on disk (MOOT_DATA_DIR/media), copied after the database
  snapshot so that every picture the snapshot names is there. Pictures on an S3 store are
  referenced (endpoint and bucket in the manifest), not copied: back the bucket up with
  the store's own tools.

Restoring needs a new, empty database of the same backend, and checks every table against
the manifest before saying it is done (when the backup is of this moot's schema revision;
an older one is restored as it is and brought forward by `moot migrate`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from moot.config import Settings
from moot.portability.copying import CopyRefused, head_revision
from moot.portability.tables import Tally, copy_order, postgresql_tally, shape, sqlite_tally

MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"


def _tallies_json(tallies: dict[str, Tally]) -> dict[str, dict[str, Any]]:
    return {n: {"rows": t.rows, "checksum": t.checksum} for n, t in tallies.items()}


def _sqlite_path(url: str) -> Path:
    return Path(url.split(":///", 1)[1])


def _sqlite_tallies(path: Path) -> tuple[str, dict[str, Tally]]:
    """The schema revision and every table's tally of the SQLite database at `path`."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    try:
        conn.execute("BEGIN")
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        return str(revision), {t.name: sqlite_tally(conn, shape(t)) for t in copy_order()}
    finally:
        conn.close()


async def _postgresql_snapshot(url: str, dump: Path) -> tuple[str, dict[str, Tally]]:
    """pg_dump of one snapshot into `dump`; the schema revision and tallies of the same rows."""
    conn: asyncpg.Connection = await asyncpg.connect(url)
    try:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            snapshot = await conn.fetchval("SELECT pg_export_snapshot()")
            dumping = await asyncio.create_subprocess_exec(
                "pg_dump",
                "--format=custom",
                f"--snapshot={snapshot}",
                f"--file={dump}",
                "--no-owner",
                "--no-privileges",
                url,
                stderr=asyncio.subprocess.PIPE,
            )
            revision = await conn.fetchval("SELECT version_num FROM alembic_version")
            tallies = {
                t.name: await postgresql_tally(conn, shape(t), in_transaction=True)
                for t in copy_order()
            }
            _, err = await dumping.communicate()
            if dumping.returncode != 0:
                raise CopyRefused(f"pg_dump failed: {err.decode(errors='replace').strip()}")
            return str(revision), tallies
    finally:
        await conn.close()


def _media_files(settings: Settings) -> list[Path]:
    """The pictures (and their renditions) on disk; none when they live on an S3 store."""
    media = settings.media_dir
    if settings.s3_endpoint or not media.is_dir():
        return []
    return sorted(p for p in media.rglob("*") if p.is_file())


def backup(settings: Settings, file: Path) -> dict[str, Any]:
    """Write the backup of this instance to `file`; returns its manifest."""
    url = settings.resolved_database_url
    unfinished = file.with_name(f".{file.name}.partial")
    with tempfile.TemporaryDirectory(dir=file.parent, prefix=".moot-backup-") as work:
        if url.startswith("sqlite"):
            database = Path(work) / SQLITE_FILE
            source = sqlite3.connect(_sqlite_path(url))
            target = sqlite3.connect(database)
            try:
                source.backup(target)  # all pages in one step: one consistent snapshot
            finally:
                target.close()
                source.close()
            revision, tallies = _sqlite_tallies(database)
            backend = "sqlite"
        else:
            database = Path(work) / PG_FILE
            revision, tallies = asyncio.run(_postgresql_snapshot(url, database))
            backend = "postgresql"
        # After the snapshot: every picture it names is on disk by now.
        pictures = _media_files(settings)
        manifest: dict[str, Any] = {
            "moot_backup": 1,
            "backend": backend,
            "revision": revision,
            "created": datetime.now(UTC).isoformat(),
            "hostname": settings.hostname,
            "pictures": (
                {"s3_endpoint": settings.s3_endpoint, "s3_bucket": settings.s3_bucket}
                if settings.s3_endpoint
                else {"files": len(pictures)}
            ),
            "tables": _tallies_json(tallies),
        }
        (Path(work) / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        try:
            with tarfile.open(unfinished, "w") as archive:
                archive.add(Path(work) / MANIFEST, arcname=MANIFEST)
                archive.add(database, arcname=database.name)
                for path in pictures:
                    name = f"media/{path.relative_to(settings.media_dir)}"
                    # Deleted since it was listed: nothing left to keep.
                    with contextlib.suppress(FileNotFoundError):
                        archive.add(path, arcname=name, recursive=False)
            unfinished.replace(file)
        finally:
            unfinished.unlink(missing_ok=True)
    return manifest


def read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    member = archive.extractfile(MANIFEST)
    if member is None:
        raise CopyRefused("not a moot backup: no manifest.json in it")
    manifest: dict[str, Any] = json.loads(member.read())
    if manifest.get("moot_backup") != 1:
        raise CopyRefused("not a moot backup this moot can read")
    return manifest


def restore(settings: Settings, file: Path) -> dict[str, Any]:
    """Restore the backup `file` into this instance's (new, empty) database and data folder;
    returns its manifest, with "verified": the number of tables checked against it."""
    url = settings.resolved_database_url
    backend = "sqlite" if url.startswith("sqlite") else "postgresql"
    with tarfile.open(file, "r") as archive, tempfile.TemporaryDirectory() as work:
        manifest = read_manifest(archive)
        if manifest["backend"] != backend:
            raise CopyRefused(
                f"this backup is of a {manifest['backend']} database and MOOT_DATABASE_URL is "
                f"{backend}: restore it on {manifest['backend']} (then `moot db copy` moves a "
                "SQLite instance to PostgreSQL)"
            )
        name = SQLITE_FILE if backend == "sqlite" else PG_FILE
        archive.extract(name, work, filter="data")
        if backend == "sqlite":
            _restore_sqlite(Path(work) / name, _sqlite_path(url))
        else:
            _restore_postgresql(Path(work) / name, url)
        media = [m for m in archive.getmembers() if m.name.startswith("media/") and m.isfile()]
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        for member in media:
            if not (settings.data_dir / member.name).exists():
                archive.extract(member, settings.data_dir, filter="data")
    manifest["verified"] = 0
    if manifest["revision"] == head_revision():
        expected = manifest["tables"]
        if backend == "sqlite":
            found = _tallies_json(_sqlite_tallies(_sqlite_path(url))[1])
        else:
            found = _tallies_json(asyncio.run(_postgresql_tallies(url)))
        wrong = [n for n in expected if found.get(n) != expected[n]]
        if wrong:
            raise CopyRefused(
                "the restored database does not match the backup's checksums: " + ", ".join(wrong)
            )
        manifest["verified"] = len(expected)
    return manifest


def _restore_sqlite(database: Path, path: Path) -> None:
    if path.exists() and path.stat().st_size > 0:
        raise CopyRefused(
            f"{path} exists: restore into a new data folder (MOOT_DATA_DIR) or move it away"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    unfinished = path.with_name(f".{path.name}.partial")
    shutil.copyfile(database, unfinished)
    unfinished.replace(path)


def _restore_postgresql(dump: Path, url: str) -> None:
    if asyncio.run(_table_count(url)):
        raise CopyRefused(
            "the database is not empty: restore into a new one (CREATE DATABASE, and "
            "MOOT_DATABASE_URL naming it)"
        )
    restoring = [
        "pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
        "--single-transaction", f"--dbname={url}", str(dump),
    ]  # fmt: skip
    done = subprocess.run(restoring, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise CopyRefused(f"pg_restore failed: {done.stderr.strip()}")


async def _table_count(url: str) -> int:
    conn: asyncpg.Connection = await asyncpg.connect(url)
    try:
        count: int = await conn.fetchval(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        )
        return count
    finally:
        await conn.close()


async def _postgresql_tallies(url: str) -> dict[str, Tally]:
    conn: asyncpg.Connection = await asyncpg.connect(url)
    try:
        return {t.name: await postgresql_tally(conn, shape(t)) for t in copy_order()}
    finally:
        await conn.close()
