"""The `moot` command: serve, worker, migrate, admin, import, export, db, backup, restore."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from moot.config import Settings, load_settings
from moot.log_setup import configure_logging

T = TypeVar("T")


def _settings() -> Settings:
    from moot.auth import use_hash_cost

    settings = load_settings()
    configure_logging(settings)
    use_hash_cost(settings.password_hash_cost)
    return settings


def _prepare(settings: Settings) -> None:
    """Create the data folder and bring the schema up to date."""
    from moot.db.migrate import upgrade

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.resolved_database_url)


def _check_trusted_proxies(settings: Settings) -> None:
    from moot.client_address import trusted_networks

    try:
        trusted_networks(settings.trusted_proxies)
    except ValueError as exc:
        raise click.UsageError(f"MOOT_TRUSTED_PROXIES: {exc}") from None


def _with_db(settings: Settings, work: Callable[..., Awaitable[T]]) -> T:
    """Run `work(db)` on a connected database, after migrations and the site bootstrap."""
    from moot.actions.bootstrap import bootstrap
    from moot.db.engine import Database

    async def main() -> T:
        db = Database(settings.resolved_database_url)
        await db.connect()
        try:
            await bootstrap(db, settings)
            return await work(db)
        finally:
            await db.close()

    _prepare(settings)
    return asyncio.run(main())


@click.group()
@click.version_option(package_name="moot")
def main() -> None:
    """moot: a federated link aggregator that speaks Lemmy's API.

    Settings come from MOOT_* environment variables (or ./moot.toml): MOOT_DATABASE_URL
    (default: SQLite in ./moot-data/), MOOT_DATABASE_REPLICA_URL and
    MOOT_REPLICA_MAX_LAG_SECONDS (a streaming replica for anonymous listings), MOOT_DATA_DIR,
    MOOT_HOSTNAME, MOOT_SETUP_ADMIN_NAME, MOOT_SETUP_ADMIN_PASSWORD, MOOT_TRUSTED_PROXIES
    (reverse proxies whose X-Forwarded-For names the client); outgoing mail: MOOT_SMTP_HOST,
    MOOT_SMTP_PORT, MOOT_SMTP_USER, MOOT_SMTP_PASSWORD, MOOT_SMTP_FROM, MOOT_SMTP_TLS (none,
    starttls, tls); pictures on an S3-compatible store: MOOT_S3_ENDPOINT, MOOT_S3_BUCKET,
    MOOT_S3_ACCESS_KEY, MOOT_S3_SECRET_KEY, MOOT_S3_REGION, MOOT_S3_PUBLIC_URL.
    """


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8536, show_default=True, help="Port (8536 is Lemmy's).")
@click.option(
    "--workers/--no-workers",
    default=True,
    show_default=True,
    help="Run the background work (inbox, delivery, periodic jobs) in this process too; "
    "with --no-workers, run `moot worker` beside it.",
)
@click.option(
    "--processes",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Processes answering requests on the one port (PostgreSQL only). They share "
    "rate limits and failed-login counts in Redis (MOOT_REDIS_URL), or else in the database.",
)
def serve(host: str, port: int, workers: bool, processes: int) -> None:
    """Start the instance: migrate the database, then serve the API.

    On first start this creates ./moot-data/ with a SQLite database and the site; with
    MOOT_SETUP_ADMIN_NAME and MOOT_SETUP_ADMIN_PASSWORD set it also creates that admin.
    Without MOOT_HOSTNAME the public address (ids, picture links) is http://HOST:PORT;
    federation needs a domain name served over https.
    """
    import os

    import uvicorn

    from moot.app import create_app

    settings = _settings().listening_on(host, port)
    if not workers:
        from dataclasses import replace

        settings = replace(settings, run_workers=False)
    _check_trusted_proxies(settings)
    if processes > 1 and settings.resolved_database_url.startswith("sqlite"):
        raise click.UsageError("--processes needs PostgreSQL: set MOOT_DATABASE_URL")
    _prepare(settings)
    click.echo(f"moot: listening on http://{host}:{port}", err=True)
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": "warning",
        # moot logs each request itself (moot/request_log.py), with its id and client.
        "access_log": False,
        # moot reads X-Forwarded-For itself, from MOOT_TRUSTED_PROXIES only.
        "proxy_headers": False,
        "server_header": False,
    }
    if processes == 1:
        from moot import heap

        app = create_app(settings)
        heap.settle()
        uvicorn.run(app, **options)
        return
    # Each process builds the app from the environment, as this command decided it.
    os.environ.update(
        MOOT_SERVE_LISTEN=f"{host}:{port}",
        MOOT_RUN_WORKERS=str(workers).lower(),
        # Without Redis they share limits and the site's changes through the database.
        MOOT_SEVERAL_PROCESSES="true",
    )
    uvicorn.run("moot.app:app_from_environment", factory=True, workers=processes, **options)


@main.command()
def worker() -> None:
    """Run the background work without serving: the inbox, delivery to other instances and
    the periodic jobs (rank refresh, expired bans, the NodeInfo check).

    Any number of workers may run, on any machine that reaches the database (PostgreSQL
    when there are several machines), beside `moot serve --no-workers`. Each piece of work
    runs in one process at a time under a lease: deliveries to one instance keep their
    order and each period's jobs run once. A worker stopped with SIGTERM gives its work up
    at once; the work of one that died moves to the others within 30 seconds.
    """
    from moot.workers.standalone import run_worker

    settings = _settings()
    _prepare(settings)
    asyncio.run(run_worker(settings))


@main.command()
def migrate() -> None:
    """Create or upgrade the database schema to the newest version, then exit."""
    settings = _settings()
    _prepare(settings)
    click.echo(f"database is up to date: {settings.resolved_database_url}")


@main.group()
def admin() -> None:
    """Operator tasks: create an admin account, rebuild counters."""


@admin.command("create")
@click.argument("name")
@click.password_option(
    "--password",
    envvar="MOOT_ADMIN_PASSWORD",
    help="The new admin's password (asked for if not given).",
)
def admin_create(name: str, password: str) -> None:
    """Create the admin account NAME (and mark the site as set up)."""
    from moot.actions.accounts import create_admin
    from moot.errors import ApiError

    settings = _settings()

    async def work(db: object) -> None:
        from moot.db.engine import Database

        assert isinstance(db, Database)
        async with db.transaction() as tx:
            await create_admin(tx, settings, name, password)

    try:
        _with_db(settings, work)
    except ApiError as exc:
        raise click.ClickException(f"could not create {name!r}: {exc.code.value}") from exc
    click.echo(f"created admin {name!r}")


@admin.command("set-password")
@click.argument("name")
@click.password_option(
    "--password", envvar="MOOT_ADMIN_PASSWORD", help="The new password (asked for if not given)."
)
def admin_set_password(name: str, password: str) -> None:
    """Set the password of the local account NAME and log it out everywhere.

    Imported accounts start with an unusable password: this is how they get one.
    """
    from moot.actions.accounts import set_password
    from moot.db.engine import Database
    from moot.errors import ApiError

    settings = _settings()

    async def work(db: Database) -> None:
        async with db.transaction() as tx:
            await set_password(tx, name, password)

    try:
        _with_db(settings, work)
    except ApiError as exc:
        raise click.ClickException(
            f"could not set the password of {name!r}: {exc.code.value}"
        ) from exc
    click.echo(f"set the password of {name!r}")


@admin.command("recount")
def admin_recount() -> None:
    """Rebuild every counter (scores, comment counts, subscribers, …) from the rows."""
    from moot.db.recount import recount

    settings = _settings()
    changed = _with_db(settings, recount)
    click.echo(f"recounted: {changed} rows corrected")


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_(file: Path) -> None:
    """Load site data (a JSON file with "records", or JSON Lines) into this instance.

    Carries: persons (name, display name, bio, avatar, banner, bot, deleted), communities
    (title, description, creator, nsfw), posts and comments (text, links, thread, flags,
    times). Everything imported becomes local to this instance; each post and comment
    gets its creator's own upvote, each community its creator as moderator and follower.

    Does not carry: passwords and logins, other votes, other subscriptions, blocks,
    saved/read/hidden, private messages, reports, the modlog, admin rights, site
    settings, pictures' files, keys.

    To move a whole instance use `moot db copy` or `moot backup` / `moot restore`.

    A record that breaks a rule is reported with its position, and nothing of the file is
    loaded. Imported persons get an unusable password: they cannot log in until an admin
    sets one with `moot admin set-password NAME`.
    """
    from moot.portability import import_file

    settings = _settings()
    try:
        counts = _with_db(settings, lambda db: import_file(db, settings, file))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo("imported " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))


@main.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def export(file: Path) -> None:
    """Write this instance's site data as JSON Lines, for `moot import` on another instance.

    Carries: this instance's own persons, communities, posts and comments (the fields
    `moot import` reads back; see its --help).

    Does not carry: accounts' passwords, emails and logins, votes, subscriptions, blocks,
    saved/read/hidden, private messages, reports, the modlog, admin rights, site settings,
    pictures, the actors' keys (federation identity), content from other instances.

    To move or keep a whole instance use `moot db copy` or `moot backup` / `moot restore`.
    """
    from moot.portability import export_file

    settings = _settings()
    counts = _with_db(settings, lambda db: export_file(db, file))
    click.echo("exported " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))


@admin.command("refresh-ranks")
def admin_refresh_ranks() -> None:
    """Recompute hot ranks and age tiers of posts and comments now (the scheduler's job)."""
    from moot.workers.scheduler import refresh_age_tiers, refresh_ranks

    settings = _settings()
    moved = _with_db(settings, refresh_age_tiers)
    changed = _with_db(settings, refresh_ranks)
    click.echo(f"refreshed ranks of {changed} posts and comments; {moved} changed age tier")


@main.group()
def media() -> None:
    """Uploaded pictures: where they are kept."""


@media.command("migrate-to-s3")
@click.option(
    "--keep-local",
    is_flag=True,
    help="Leave each file on disk after copying it (by default it is removed once the "
    "store holds it).",
)
def media_migrate_to_s3(keep_local: bool) -> None:
    """Move this instance's pictures from MOOT_DATA_DIR/media to the object store.

    Needs MOOT_S3_ENDPOINT, MOOT_S3_BUCKET, MOOT_S3_ACCESS_KEY, MOOT_S3_SECRET_KEY and
    MOOT_S3_REGION set as `moot serve` will use them, and the bucket made. Every picture
    and every kept rendition (thumbnails, other formats) goes to the same name in the
    bucket; a file is removed from disk only after the store answered with its checksum.

    It can be stopped at any point and run again: files the store already holds with the
    same bytes are not sent twice, and a run with nothing left to move changes nothing.
    Stop `moot serve` first, or restart it with the S3 settings right after: an instance
    still on disk keeps writing there.
    """
    from rich.progress import Progress

    from moot.media.move_to_s3 import local_files, move_to_s3
    from moot.media.s3 import S3Storage, StorageError

    settings = _settings()
    if not settings.s3_endpoint:
        raise click.UsageError("MOOT_S3_ENDPOINT is not set: there is no store to move to")
    pictures, renditions = local_files(settings.media_dir)
    total = len(pictures) + len(renditions)

    async def run() -> None:
        store = S3Storage.from_settings(settings)
        try:
            with Progress(transient=False) as progress:
                task = progress.add_task("moving pictures", total=total)
                moved = await move_to_s3(
                    store, settings.media_dir, keep_local, lambda: progress.advance(task)
                )
        finally:
            await store.close()
        click.echo(
            f"{total} files in {settings.media_dir}: {moved.sent} sent to the store, "
            f"{moved.already} were there already, {moved.dropped} renditions of deleted "
            "pictures dropped"
        )

    try:
        asyncio.run(run())
    except* StorageError as group:
        raise click.ClickException(str(group.exceptions[0])) from None


def _whole_instance_commands() -> None:
    from moot.cli_instance import backup_, db, restore_

    for command in (db, backup_, restore_):
        main.add_command(command)


_whole_instance_commands()
