"""`moot db copy`: a SQLite instance filled through its API, copied to PostgreSQL.

The copy is checked independently of its own verification: every table the SQLite file
holds (listed from the file, not from the models) has the same row count on PostgreSQL,
moot started on the copy answers every route as the original did, with the same login
tokens, and new rows get fresh ids. An interrupted copy (the process killed in the
middle of a batch) run again ends in the same verified state.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from moot.portability.tables import copy_order
from tests.portability.answers import answers, differences, on
from tests.portability.fill import Filled, fill, upload
from tests.servers import Server, destroy, drop_database, make_server, new_database_url


@dataclasses.dataclass
class Original:
    server: Server
    filled: Filled
    answers: dict[str, Any]


@pytest.fixture(scope="module")
def original() -> Iterator[Original]:
    """A SQLite instance filled through its API, its answers recorded, then stopped."""
    server = make_server("sqlite")
    try:
        server.start()
        filled = fill(server)
        recorded = answers(filled, server)
        server.stop()
        yield Original(server, filled, recorded)
    finally:
        destroy(server)


@pytest.fixture
def target(original: Original) -> Iterator[str]:
    """A new, empty PostgreSQL database (not migrated: the copy migrates it)."""
    url = new_database_url("postgresql", original.server.data_dir)
    try:
        yield url
    finally:
        drop_database(url)


def copy(server: Server, url: str, *options: str) -> subprocess.CompletedProcess[str]:
    return server.moot("db", "copy", "--to", url, *options, check=False)


def sqlite_counts(server: Server) -> dict[str, int]:
    """Every table of the SQLite file and its rows, from the file itself."""
    with sqlite3.connect(server.database_url.split("///", 1)[1]) as conn:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' AND name != 'alembic_version'"
            )
        ]
        return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


def postgresql_counts(url: str, names: list[str]) -> dict[str, int]:
    sql = " UNION ALL ".join(f"SELECT '{n}', count(*) FROM \"{n}\"" for n in names)
    out = subprocess.run(
        ["psql", url, "-qAtF", ",", "-c", sql], check=True, capture_output=True, text=True
    ).stdout
    return {name: int(n) for name, n in (line.split(",") for line in out.split())}


def test_every_table_is_copied_and_moot_runs_on_the_copy(original: Original, target: str) -> None:
    src = original.server
    result = copy(src, target)
    assert result.returncode == 0, result.stderr
    assert "the same on both sides" in result.stdout
    assert "MOOT_DATABASE_URL=" + target in result.stdout
    counts = sqlite_counts(src)
    # A table the migrations make but the models do not declare would not be copied.
    assert set(counts) == {t.name for t in copy_order()}
    assert postgresql_counts(target, list(counts)) == counts
    filled_tables = {n for n, rows in counts.items() if rows}
    for carried in (
        "post_like",
        "comment_like",
        "community_follower",
        "private_message",
        "post_report",
        "comment_report",
        "private_message_report",
        "modlog",
        "person_block",
        "community_block",
        "post_saved",
        "comment_saved",
        "post_read",
        "post_hide",
        "local_image",
        "login_token",
        "secret",
    ):
        assert carried in filled_tables

    copied = dataclasses.replace(src, database_url=target, process=None)
    try:
        copied.start()
        assert differences(original.answers, answers(original.filled, copied)) == []
        # The pictures' records and files: the copy serves the picture the original stored.
        assert (
            on(original.filled.alice, copied)
            .http.get(f"{copied.url}/pictrs/image/{original.filled.picture}")
            .status_code
            == 200
        )
        # The sequences are past the copied ids: new rows get new ids.
        bob = on(original.filled.bob, copied)
        post = bob.ok(
            "POST",
            "/post",
            {"name": "after the copy", "community_id": original.filled.community_id},
        )["post_view"]["post"]
        assert post["id"] > max(p["post"]["id"] for p in original.answers["posts"]["posts"])
        upload(copied, bob)
    finally:
        copied.stop()


def test_an_interrupted_copy_run_again_ends_verified(original: Original, target: str) -> None:
    src = original.server
    counts = sqlite_counts(src)
    # Killed (SIGKILL) in the middle of its 40th batch of 3 rows: some tables are whole,
    # one is cut short, the others are empty.
    killed = copy(src, target, "--batch-size", "3", "--kill-after-batches", "40")
    assert killed.returncode == -9, killed.stderr
    partial = postgresql_counts(target, list(counts))
    assert 0 < sum(partial.values()) < sum(counts.values())
    assert any(0 < partial[n] < counts[n] for n in counts) or partial != counts
    # Killed again, further on: the second run resumed rather than started over.
    again = copy(src, target, "--batch-size", "3", "--kill-after-batches", "40")
    assert again.returncode == -9, again.stderr
    further = postgresql_counts(target, list(counts))
    assert sum(further.values()) > sum(partial.values())

    finished = copy(src, target, "--batch-size", "3")
    assert finished.returncode == 0, finished.stderr
    assert "the same on both sides" in finished.stdout
    assert postgresql_counts(target, list(counts)) == counts
    # Run again once finished: nothing to copy, everything verified.
    idle = copy(src, target)
    assert idle.returncode == 0, idle.stderr
    assert idle.stdout.startswith(f"copied 0 rows now; verified {len(counts)} tables")


def test_a_target_holding_other_rows_is_refused(original: Original, target: str) -> None:
    src = original.server
    assert copy(src, target).returncode == 0
    # The copy, changed since (as an instance running on it would): no longer this
    # instance's rows, so nothing is written to it.
    subprocess.run(
        ["psql", target, "-qAtc", "UPDATE person SET bio = 'changed' WHERE id = 2"], check=True
    )
    refused = copy(src, target)
    assert refused.returncode == 1
    assert "the target database is not empty: table person holds" in refused.stderr
    other = new_database_url("postgresql", src.data_dir)
    try:
        subprocess.run(["psql", other, "-qAtc", "CREATE TABLE notes (x int)"], check=True)
        refused = copy(src, other)
        assert refused.returncode == 1
        assert "holds tables (notes) but no moot schema" in refused.stderr
    finally:
        drop_database(other)


def test_a_running_instance_is_not_copied(original: Original, target: str) -> None:
    src = original.server
    src.start()
    try:
        refused = copy(src, target)
    finally:
        src.stop()
    assert refused.returncode == 1
    assert "moot still runs on this database" in refused.stderr
    # Refused before anything was done to the target.
    tables = subprocess.run(
        ["psql", target, "-qAtc", "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert tables.strip() == "0"


def test_not_postgresql_is_a_usage_error(original: Original) -> None:
    refused = copy(original.server, "mysql://somewhere/db")
    assert refused.returncode == 2
    assert "--to takes a postgresql:// URL" in refused.stderr


def test_export_and_import_say_what_they_carry(original: Original) -> None:
    for command in ("export", "import"):
        text = " ".join(original.server.moot(command, "--help").stdout.split())
        assert "Carries: " in text
        assert "Does not carry: " in text and "private messages" in text
        assert "`moot db copy` or `moot backup` / `moot restore`" in text
