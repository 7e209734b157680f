"""How the web pages name people and communities: `name` when local, `name@host` when not,
so links to a remote actor open moot's copy of it rather than a local namesake."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jinja2

from moot.federation import urls


def handle(actor: Mapping[str, Any]) -> str:
    name = str(actor["name"])
    if actor.get("local", True) or not actor.get("actor_id"):
        return name
    return f"{name}@{urls.domain(str(actor['actor_id']))}"


def register_names(env: jinja2.Environment) -> None:
    env.filters["handle"] = handle
