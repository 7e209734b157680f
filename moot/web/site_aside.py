"""The site's own words on its front page, as Lemmy shows them: its sidebar (the rules) and
one of its taglines, picked at random on each visit.

Both are Markdown an admin wrote; they are rendered once per state of the site and kept with
it (`SiteState.shaped`, forgotten when an admin changes the site), not on every visit.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from moot.actions import site_state
from moot.db.engine import Connection
from moot.text.markdown import render_markdown

_KEY = "web_site_aside"


@dataclass(frozen=True)
class SiteAside:
    sidebar_html: str | None
    taglines_html: tuple[str, ...]

    def tagline(self) -> str | None:
        return random.choice(self.taglines_html) if self.taglines_html else None


async def site_aside(conn: Connection) -> SiteAside:
    state = await site_state.current(conn)
    kept = state.shaped.get(_KEY)
    if kept is None:
        sidebar = state.site["sidebar"]
        kept = state.shaped[_KEY] = SiteAside(
            sidebar_html=render_markdown(sidebar) if sidebar else None,
            taglines_html=tuple(render_markdown(str(t["content"])) for t in state.taglines),
        )
    aside: SiteAside = kept
    return aside
