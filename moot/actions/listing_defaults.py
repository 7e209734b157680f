"""How Lemmy fills in a listing's type and sort when the client leaves them out."""

from __future__ import annotations

from moot.auth import Viewer
from moot.db.engine import Row


def listing_type(
    requested: str | None, viewer: Viewer | None, local_site: Row, *, in_community: bool
) -> str:
    if in_community:
        return "All"
    if requested is not None:
        # Anonymous readers have no subscriptions or moderated communities to list.
        if viewer is None and requested in ("Subscribed", "ModeratorView"):
            return "Local"
        return requested
    if viewer is not None:
        return str(viewer.local_user["default_listing_type"])
    return str(local_site["default_post_listing_type"])


def post_sort(requested: str | None, viewer: Viewer | None, local_site: Row) -> str:
    if requested is not None:
        return requested
    if viewer is not None:
        return str(viewer.local_user["default_sort_type"])
    return str(local_site["default_sort_type"])
