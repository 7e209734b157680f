"""Federation's HTTP front door: discovery, actors and objects as JSON, inboxes."""

from __future__ import annotations

from litestar import Router

from moot.federation.inbox.receive import inbox
from moot.federation.routes import actors, content, discovery, feeds
from moot.federation.routes.signed_fetch import check_signed_fetch

# Actors, objects and collections: a signature, when sent, is checked (and may be required).
guarded = Router(
    path="/",
    route_handlers=[*actors.HANDLERS, *content.HANDLERS, *feeds.HANDLERS],
    guards=[check_signed_fetch],
    include_in_schema=False,
)
router = Router(
    path="/",
    route_handlers=[*discovery.HANDLERS, *actors.OPEN, inbox, guarded],
    include_in_schema=False,
)
