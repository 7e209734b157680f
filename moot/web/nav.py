"""The counts the navigation shows a member: unread replies, mentions and private messages,
open reports (for moderators and admins) and undecided registration applications (for
admins). Each is the count the API answers with (`/user/unread_count`, `/user/report_count`,
`/admin/registration_application/count`), read through the same queries."""

from __future__ import annotations

from dataclasses import dataclass

from moot.actions.reports import moderates_something, open_reports
from moot.auth import Viewer
from moot.db import applications
from moot.db.engine import Connection, Row
from moot.db.notifications import Unread, unread_counts


@dataclass(frozen=True)
class Nav:
    unread: Unread
    moderates: bool  # moderates at least one community
    open_reports: int | None  # None: not a moderator or admin, no reports page
    applications: int | None  # None: not an admin

    @property
    def inbox_path(self) -> str:
        """The inbox opens on the first of its views with something unread."""
        views = (
            ("replies", self.unread.replies),
            ("mentions", self.unread.mentions),
            ("moderators", self.unread.moderators),
        )
        for view, count in views:
            if count:
                return f"/messages?view={view}&show=unread"
        if self.unread.private_messages or not self.unread.subscribed:
            return "/messages?show=unread" if self.unread.private_messages else "/messages"
        return "/messages?view=subscribed&show=unread"


async def nav_counts(conn: Connection, viewer: Viewer, local_site: Row) -> Nav:
    moderates = await moderates_something(conn, viewer.person_id)
    staff = moderates or viewer.is_admin
    return Nav(
        unread=await unread_counts(conn, viewer.person_id),
        moderates=moderates,
        open_reports=await open_reports(conn, viewer) if staff else None,
        applications=await applications.count_pending(conn, local_site)
        if viewer.is_admin
        else None,
    )
