"""Schema migrations (Alembic), run by `moot migrate` and on every `moot serve` start."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

_HERE = Path(__file__).parent / "migrations"


def async_url(url: str) -> str:
    """The SQLAlchemy URL of the async driver moot uses for a plain database URL."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url.split(":///", 1)[1]
    return url


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_HERE))
    cfg.set_main_option("sqlalchemy.url", async_url(url))
    return cfg


def upgrade(url: str) -> None:
    """Bring the database at `url` to the newest schema. Must not run inside an event loop."""
    command.upgrade(alembic_config(url), "head")
