"""Where a moot process's log lines go: standard error, one line each, at MOOT_LOG_LEVEL,
each with the id of the request it was written for ("-" outside one)."""

from __future__ import annotations

import logging

from moot.config import Settings
from moot.request_id import RequestIdFilter


def configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s",
    )
    # On the handlers, not a logger: a logger's filters skip records its children send up.
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RequestIdFilter) for f in handler.filters):
            handler.addFilter(RequestIdFilter())
