"""Federation's HTTP front door: discovery, actors and objects as JSON, inboxes."""

from __future__ import annotations

from litestar import Router

from moot.federation.inbox.receive import inbox
from moot.federation.routes import actors, content, discovery

router = Router(
    path="/",
    route_handlers=[*discovery.HANDLERS, *actors.HANDLERS, *content.HANDLERS, inbox],
    include_in_schema=False,
)
