"""How the web pages name people and communities, as Lemmy's web interface does: `name`
when local, `name@host[:port]` when not (the host as the actor's URL writes it), so links to
a remote actor open moot's copy of it rather than a local namesake, and every remote person
or community shown carries its host."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import jinja2
from markupsafe import Markup

from moot.federation import urls
from moot.web.format import escaped

Actor = Mapping[str, Any]


def _remote(actor: Actor) -> bool:
    return not actor.get("local", True) and bool(actor.get("actor_id"))


# A page names the same few servers again and again, and parsing a URL for its host costs
# more than the rest of a person's link: parsed once per server (the URL up to its path).
_server_authority = lru_cache(maxsize=1024)(urls.authority)


def _authority(actor_id: str) -> str:
    path = actor_id.find("/", actor_id.find("//") + 2)
    return _server_authority(actor_id if path < 0 else actor_id[:path])


def handle(actor: Actor) -> str:
    name = str(actor["name"])
    if not _remote(actor):
        return name
    return f"{name}@{_authority(str(actor['actor_id']))}"


def person_label(person: Actor) -> str:
    """The display name (else the name); a remote person's handle with its host after it."""
    shown = str(person.get("display_name") or person["name"])
    if not _remote(person):
        return shown
    full = handle(person)
    return f"{shown} ({full})" if person.get("display_name") else full


def community_label(community: Actor) -> str:
    """The title; a remote community's `!name@host` after it."""
    title = str(community["title"])
    return f"{title} (!{handle(community)})" if _remote(community) else title


_ADMIN = ' <abbr class="badge" title="Admin">A</abbr>'
_MODERATOR = ' <abbr class="badge" title="Moderator">M</abbr>'


def person_link(person: Actor, admin: bool = False, mod: bool = False) -> Markup:
    """A link to a person's page, with the admin and moderator badges asked for (a function
    rather than a template macro: a thread's page shows hundreds)."""
    return Markup(person_link_html(person, admin, mod))


def person_link_html(
    person: Actor, admin: bool = False, mod: bool = False, full: str | None = None
) -> str:
    """`person_link`'s HTML as a plain string, for functions that write many: joined as
    strings and marked safe once (`str + Markup` would escape the str). `full`: the
    person's `handle`, when the caller has it already."""
    remote = _remote(person)
    name = str(person["name"])
    if full is None:
        full = f"{name}@{_authority(str(person['actor_id']))}" if remote else name
    shown = str(person.get("display_name") or name)
    if remote:
        shown = f"{shown} ({full})" if person.get("display_name") else full
    link = f'<a class="who" href="/u/{escaped(full)}">{escaped(shown)}</a>'
    return link + (_ADMIN if admin else "") + (_MODERATOR if mod else "")


def register_names(env: jinja2.Environment) -> None:
    env.globals["person_link"] = person_link
    env.filters["handle"] = handle
    env.filters["person_label"] = person_label
    env.filters["community_label"] = community_label
