"""The `moot` commands that move or keep a whole instance: `db copy`, `backup`, `restore`."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from moot.config import Settings


def cli_settings() -> Settings:
    from moot.cli import _settings

    return _settings()


@click.group()
def db() -> None:
    """The database itself: copy it to PostgreSQL."""


@db.command("copy")
@click.option(
    "--to",
    "target",
    required=True,
    metavar="postgresql://USER:PASSWORD@HOST/DATABASE",
    help="An empty PostgreSQL database (made with CREATE DATABASE; migrated or not).",
)
@click.option(
    "--batch-size",
    default=5000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Rows written per transaction.",
)
# Tests: the process kills itself in the middle of this batch (an interrupted copy).
@click.option("--kill-after-batches", type=int, hidden=True)
def db_copy(target: str, batch_size: int, kill_after_batches: int | None) -> None:
    """Copy this SQLite instance, every table of it, to a PostgreSQL database.

    Stop moot first. Everything is copied: accounts and login tokens, the site's and the
    actors' keys, votes, follows, blocks, saved/read/hidden, private messages, reports,
    the modlog, the federation queues and their positions, the pictures' records. Tables
    are copied in foreign key order, in batches, with a progress bar each; then every
    table's row count and checksum are compared on both sides, the id sequences are set
    past the copied ids, and the line to change in the settings is printed. Pictures stay
    where they are (MOOT_DATA_DIR/media or the S3 store).

    A target holding anything but an earlier copy of this instance is refused. Interrupted,
    it can be run again: it goes on where it stopped and ends verified; run again after it
    finished, it only verifies.
    """
    from moot.portability.copying import CopyRefused, copy_database
    from moot.portability.progress import TableBars

    settings = cli_settings()
    source = settings.resolved_database_url
    if not source.startswith("sqlite:///"):
        raise click.UsageError(f"the copy reads a SQLite instance; MOOT_DATABASE_URL is {source}")
    if not target.startswith(("postgresql://", "postgres://")):
        raise click.UsageError("--to takes a postgresql:// URL")
    try:
        with TableBars() as bars:
            copied = asyncio.run(
                copy_database(
                    Path(source.split(":///", 1)[1]),
                    target,
                    bars,
                    batch_size=batch_size,
                    kill_after_batches=kill_after_batches,
                )
            )
    except CopyRefused as exc:
        raise click.ClickException(str(exc)) from exc
    rows = sum(t.rows for t in copied.verified.values())
    click.echo(
        f"copied {sum(copied.written.values())} rows now; verified {len(copied.verified)} "
        f"tables, {rows} rows, the same on both sides"
    )
    click.echo("To run on the copy, change this setting (environment or moot.toml):")
    click.echo(f"  MOOT_DATABASE_URL={_without_password(target)}")
    click.echo(
        f"Keep MOOT_DATA_DIR={settings.data_dir} (local pictures and caches live there) and "
        "the other settings as they are."
    )


def _without_password(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":PASSWORD@", 1)
    return parts._replace(netloc=netloc).geturl()


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def backup_(file: Path) -> None:
    """Write a backup of this instance to FILE (a tar file), while it runs.

    It holds the whole database as of one moment (SQLite: its online backup; PostgreSQL:
    pg_dump of an exported snapshot), every table's row count and checksum at that
    moment, and the pictures kept in MOOT_DATA_DIR/media (pictures on an S3 store are
    named, not copied: back the bucket up with the store's tools). Restore it with
    `moot restore FILE` (docs/deployment.md, "Backups").
    """
    from moot.portability.backup import backup
    from moot.portability.copying import CopyRefused

    settings = cli_settings()
    try:
        manifest = backup(settings, file)
    except CopyRefused as exc:
        raise click.ClickException(str(exc)) from exc
    rows = sum(t["rows"] for t in manifest["tables"].values())
    pictures = manifest["pictures"]
    kept = (
        f"{pictures['files']} picture files"
        if "files" in pictures
        else f"pictures left in bucket {pictures['s3_bucket']}"
    )
    click.echo(
        f"backed up {manifest['backend']} at {manifest['revision']}: "
        f"{len(manifest['tables'])} tables, {rows} rows, {kept} -> {file}"
    )


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_(file: Path) -> None:
    """Restore the backup FILE into this instance's database, which must be new and empty
    (SQLite: no database file yet in MOOT_DATA_DIR; PostgreSQL: a database just made with
    CREATE DATABASE), and its pictures into MOOT_DATA_DIR/media; then check every table
    against the backup's checksums. Start moot on it afterwards.
    """
    from moot.portability.backup import restore
    from moot.portability.copying import CopyRefused

    settings = cli_settings()
    try:
        manifest = restore(settings, file)
    except CopyRefused as exc:
        raise click.ClickException(str(exc)) from exc
    checked = (
        f"verified {manifest['verified']} tables against the backup's checksums"
        if manifest["verified"]
        else f"not verified (the backup is of revision {manifest['revision']}; "
        "`moot migrate` brings it forward)"
    )
    click.echo(f"restored {file} (made {manifest['created']}): {checked}")
