"""Where a moot process's log lines go: standard error, one line each, at MOOT_LOG_LEVEL."""

from __future__ import annotations

import logging

from moot.config import Settings


def configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
