"""The migrations build exactly the schema models.py declares, on both databases."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

import pytest
from alembic import command

from moot.db.migrate import alembic_config, upgrade
from tests.servers import drop_database, new_database_url


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migrations_match_the_models(backend: str) -> None:
    folder = Path(tempfile.mkdtemp(prefix="moot-migrations-"))
    url = new_database_url(backend, folder)
    try:
        upgrade(url)
        # Raises if autogenerate would find anything to add, drop or alter.
        command.check(alembic_config(url))
    finally:
        drop_database(url)
        shutil.rmtree(folder, ignore_errors=True)


# Triggers the migrations make (0013's scores, 0014/0021's notices on SQLite's view), by
# backend: a later migration that rebuilds a table (an Alembic batch on SQLite copies it
# into a new one) must not leave one behind.
TRIGGERS = {
    "sqlite": {"comment_notice_insert", "comment_score_to_creator", "post_score_to_creator"},
    "postgresql": {"comment_score_to_creator", "post_score_to_creator"},
}


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_every_trigger_survives_the_later_migrations(backend: str) -> None:
    folder = Path(tempfile.mkdtemp(prefix="moot-migrations-"))
    url = new_database_url(backend, folder)
    try:
        upgrade(url)
        assert _triggers(url) == TRIGGERS[backend]
    finally:
        drop_database(url)
        shutil.rmtree(folder, ignore_errors=True)


def _triggers(url: str) -> set[str]:
    if url.startswith("sqlite"):
        with sqlite3.connect(url.split("///", 1)[1]) as db:
            rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            return {str(name) for (name,) in rows}
    sql = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    listed = subprocess.run(["psql", url, "-qAtc", sql], check=True, capture_output=True, text=True)
    return set(listed.stdout.split())
