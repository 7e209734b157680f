"""The migrations build exactly the schema models.py declares, on both databases."""

from __future__ import annotations

import shutil
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
