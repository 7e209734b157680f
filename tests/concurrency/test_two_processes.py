"""The same bursts through two `moot serve` processes on one PostgreSQL database, the
requests alternating between them: what one process decides must hold against the other's
transactions too (no in-process lock can order them). A representative subset of the
routes: votes and a busy thread, marks, follows and blocks, bans, purges, messages,
reports, and a member's keyword filters and instance-person blocks."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from tests.concurrency import (
    test_marks,
    test_member_filters,
    test_messages,
    test_moderation,
    test_purge,
    test_reports,
    test_social,
    test_votes,
)
from tests.concurrency.world import World, make_world
from tests.conftest import Api
from tests.servers import ADMIN_NAME, ADMIN_PASSWORD, Server, destroy, free_port, make_server


@pytest.fixture(scope="module")
async def pair() -> AsyncIterator[World]:
    """Two processes on a fresh PostgreSQL database; the second shares the first's data
    folder and writes a log of its own."""
    first = make_server("postgresql")
    second = Server("postgresql", first.database_url, first.data_dir, free_port(), first.hostname)
    second.log_path = first.data_dir / "server2.log"
    try:
        first.start()
        token = Api(first).ok(
            "POST", "/user/login", {"username_or_email": ADMIN_NAME, "password": ADMIN_PASSWORD}
        )["jwt"]
        limits = {
            f"rate_limit_{b}": 100000
            for b in ("message", "post", "register", "image", "comment", "search")
        }
        Api(first, token).ok("PUT", "/site", {"registration_mode": "Open", **limits})
        second.start()  # after the site's limits are lifted: it reads them as it starts
        world = await make_world(first, bases=[first.api, second.api])
        world.others = [second]
        yield world
        await world.db.close()
    finally:
        second.stop()
        destroy(first)


async def _ban_with_data(world: World) -> None:
    await test_moderation.test_ban_from_site(world, remove_data=True)


ROUTES: dict[str, Callable[[World], Awaitable[None]]] = {
    "post_like": test_votes.test_post_like,
    "thread": test_votes.test_thread_grows_at_once,
    "save_post": test_marks.test_save_post,
    "hide_post": test_marks.test_hide_post,
    "mark_post_read": test_marks.test_mark_post_read,
    "follow": test_social.test_follow_community,
    "block_community": test_social.test_block_community,
    "ban_from_community": test_moderation.test_ban_from_community_with_data,
    "ban_from_site": _ban_with_data,
    "purge_post": test_purge.test_purge_post,
    "purge_person": test_purge.test_purge_person,
    "send_messages": test_messages.test_send_messages,
    "mark_all_read": test_messages.test_mark_all_read,
    "post_reports": test_reports.test_post_reports,
    "keyword_lists": test_member_filters.test_keyword_lists,
    "keyword_edits": test_member_filters.test_keyword_edits_at_once,
    "block_instance_persons": test_member_filters.test_block_instance_persons,
}


@pytest.mark.parametrize("route", list(ROUTES), ids=[f"postgresql-{r}" for r in ROUTES])
async def test_two_processes(pair: World, route: str) -> None:
    await ROUTES[route](pair)
