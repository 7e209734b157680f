"""axe-core over the moderation, report, message and admin pages, each with something on it
and its controls open, as the admin sees them (light), and some in the dark theme: no
serious or critical finding. Every report is kept in test-artifacts/."""

from __future__ import annotations

import json
from collections.abc import Callable

from playwright.sync_api import Browser

from tests.servers import ADMIN_NAME
from tests.web.axe import axe_findings
from tests.web.people import Person
from tests.web.staff import Crew, T, browser_for, reveal_comment_tools


def _content(crew: Crew) -> dict[str, object]:
    """A reported post with a reported comment, a message, a reply and a mention for the
    admin's inbox, a ban, an emoji and a known instance to show."""
    community, community_id = crew.community_of_mod()
    post_id = crew.post()
    comment_id = crew.comment(post_id)
    crew.helper_api.ok("POST", "/post/report", {"post_id": post_id, "reason": "Spam"})
    crew.helper_api.ok("POST", "/comment/report", {"comment_id": comment_id, "reason": "Rude"})
    admin_id = crew.admin_api.ok("GET", "/site")["my_user"]["local_user_view"]["person"]["id"]
    crew.member_api.ok(
        "POST", "/private_message", {"recipient_id": admin_id, "content": "Hi there"}
    )
    admin_post = crew.post(crew.admin_api)
    crew.comment(admin_post)
    crew.member_api.ok(
        "POST",
        "/comment",
        {"post_id": post_id, "content": f"Thanks @{ADMIN_NAME}@{crew.server.hostname}"},
    )
    crew.mod_api.ok(
        "POST",
        "/community/ban_user",
        {"community_id": community_id, "person_id": crew.helper_id, "ban": True},
    )
    crew.admin_api.ok(
        "POST",
        "/custom_emoji",
        {
            "shortcode": f"axe{post_id}",
            "image_url": f"{crew.server.url}/static/icon.svg",
            "alt_text": "an axe",
            "category": "tools",
            "keywords": [],
        },
    )
    # An instance made known (by listing it once) gives the federation page a row.
    crew.admin_api.ok("PUT", "/site", {"blocked_instances": [f"axe{post_id}.example"]})
    crew.admin_api.ok("PUT", "/site", {"blocked_instances": []})
    return {"post": post_id, "comment": comment_id, "community": community}


def _open_post_tools(person: Person, t: T) -> None:
    person.page.locator(f"#mp{t['post']} > summary").click()
    reveal_comment_tools(person, t)


def _open_admin_tools(person: Person, t: T) -> None:
    person.page.locator("#admin-tools > summary").click()


Opener = Callable[[Person, T], None] | None
# (name, page, what to open on it first, colour scheme)
PAGES: list[tuple[str, Callable[[Crew, T], str], Opener, str]] = [
    ("post-tools", lambda crew, t: f"/post/{t['post']}", _open_post_tools, "light"),
    ("comment-moderate", lambda crew, t: f"/comment/{t['comment']}/moderate", None, "light"),
    ("community-moderation", lambda crew, t: f"/c/{t['community']}/moderation", None, "light"),
    ("reports", lambda crew, t: "/reports?kind=posts", None, "light"),
    ("report-form", lambda crew, t: f"/post/{t['post']}/report", None, "light"),
    ("messages", lambda crew, t: "/messages", None, "light"),
    ("inbox-replies", lambda crew, t: "/messages?view=replies&show=all", None, "light"),
    ("inbox-mentions", lambda crew, t: "/messages?view=mentions&show=unread", None, "dark"),
    ("message-form", lambda crew, t: f"/u/{crew.member.name}/message", None, "light"),
    ("admin", lambda crew, t: "/admin", None, "light"),
    ("admin-site", lambda crew, t: "/admin/site", None, "light"),
    ("admin-applications", lambda crew, t: "/admin/applications?show=all", None, "light"),
    ("admin-people", lambda crew, t: "/admin/people", None, "light"),
    ("admin-emoji", lambda crew, t: "/admin/emoji", None, "light"),
    ("admin-federation", lambda crew, t: "/admin/federation", None, "light"),
    ("modlog", lambda crew, t: "/modlog", None, "light"),
    ("profile-admin-tools", lambda crew, t: f"/u/{crew.helper}", _open_admin_tools, "light"),
    ("dark-post-tools", lambda crew, t: f"/post/{t['post']}", _open_post_tools, "dark"),
    ("dark-moderation", lambda crew, t: f"/c/{t['community']}/moderation", None, "dark"),
    ("dark-reports", lambda crew, t: "/reports?kind=comments", None, "dark"),
    ("dark-modlog", lambda crew, t: "/modlog", None, "dark"),
]


def test_staff_pages(crew: Crew, browser: Browser) -> None:
    """The templates are the same on both backends, so each checks every other page: one
    run checks them all once."""
    t = _content(crew)
    # axe runs as a script in the page, so this browser has JavaScript on both backends.
    admin = browser_for(browser, crew.server, crew.admin_api, crew.admin.name, True)
    half = 0 if crew.server.backend == "sqlite" else 1
    try:
        for label, path, opener, scheme in PAGES[half::2]:
            admin.page.emulate_media(color_scheme=scheme)
            admin.open(path(crew, t))
            if opener is not None:
                opener(admin, t)
            found = axe_findings(admin.page, f"staff-{label}-{crew.server.backend}")
            assert found == [], f"{label}: {json.dumps(found, indent=1)}"
    finally:
        admin.context.close()
