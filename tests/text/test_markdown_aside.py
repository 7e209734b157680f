"""What members and peers write is rendered beside the server: a long text in a worker
process with a hard time limit, so other work goes on while it renders, a render that goes
wrong is stopped, and the result is the same HTML."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import AsyncIterator

import pytest

from moot.text import render_pool
from moot.text.markdown import INLINE_CHARS, Emoji, render_markdown, render_markdown_aside
from moot.text.render_pool import RenderPool, plain_text
from moot.thread_priority import STEP

FLOOD = "*a " * 15_000 + "[<" * 10_000  # the length limit of a post body, and a flood


@pytest.fixture
async def pool() -> AsyncIterator[RenderPool]:
    pool = RenderPool(workers=1)
    yield pool
    pool.close()


def _niceness(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as stat:
        return int(stat.read().rsplit(")", 1)[1].split()[16])


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def test_a_long_text_renders_in_a_lower_priority_process_of_its_own() -> None:
    text = "hello *there* [<" * 100
    assert len(text) > INLINE_CHARS
    assert await render_markdown_aside(text) == render_markdown(text)
    (pid,) = render_pool.POOL.process_ids()[:1]
    assert pid != os.getpid()
    assert _niceness(pid) == min(19, _niceness(os.getpid()) + STEP)


async def test_the_loop_goes_on_while_a_long_text_renders() -> None:
    turns = 0
    rendering = asyncio.ensure_future(render_markdown_aside(FLOOD))
    while not rendering.done():
        turns += 1  # another request's turn on the loop
        await asyncio.sleep(0.001)
    assert turns > 10, "the loop did not run while the text rendered"
    assert await rendering == render_markdown(FLOOD)


async def test_a_render_past_the_time_limit_is_stopped_and_the_text_kept_plain(
    pool: RenderPool, caplog: pytest.LogCaptureFixture
) -> None:
    await pool.render("warm up: the worker is started")
    (slow_worker,) = pool.process_ids()
    pool.time_limit = 0.05
    with caplog.at_level(logging.WARNING, "moot.security"):
        html = await pool.render(FLOOD + "\n\n<script>alert(1)</script>")
    assert html == plain_text(FLOOD + "\n\n<script>alert(1)</script>")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "kept as plain text" in caplog.text and "no answer within 0.05 s" in caplog.text
    assert not _running(slow_worker), "the slow render was not stopped"

    pool.time_limit = render_pool.TIME_LIMIT
    assert await pool.render(FLOOD) == render_markdown(FLOOD)
    assert pool.process_ids() != [slow_worker]


async def test_a_worker_killed_between_texts_is_replaced(pool: RenderPool) -> None:
    await pool.render("first")
    (first,) = pool.process_ids()
    os.kill(first, signal.SIGKILL)
    await asyncio.sleep(0.1)
    assert await pool.render("*second*") == render_markdown("*second*")
    assert pool.process_ids() != [first]


async def test_a_worker_killed_while_rendering_leaves_the_text_plain(
    pool: RenderPool, caplog: pytest.LogCaptureFixture
) -> None:
    await pool.render("warm up")
    (worker,) = pool.process_ids()
    rendering = asyncio.ensure_future(pool.render(FLOOD * 4))
    await asyncio.sleep(0.2)
    os.kill(worker, signal.SIGKILL)
    with caplog.at_level(logging.WARNING, "moot.security"):
        assert await rendering == plain_text(FLOOD * 4)
    assert "the worker died" in caplog.text
    assert await pool.render("*next*") == render_markdown("*next*")


async def test_texts_beyond_the_workers_wait_their_turn(pool: RenderPool) -> None:
    texts = [f"text {n} " + "[<" * 2_000 for n in range(4)]
    answers = await asyncio.gather(*(pool.render(text) for text in texts))
    assert answers == [render_markdown(text) for text in texts]
    assert len(pool.process_ids()) == 1


def test_plain_text_keeps_paragraphs_and_escapes_everything() -> None:
    text = "one <b>\nline two\n\n\n  \n& three \ud800"
    assert plain_text(text) == "<p>one &lt;b&gt;<br>\nline two</p>\n<p>&amp; three ?</p>\n"


async def test_the_sites_custom_emoji_reach_the_worker() -> None:
    """Short or long, a text shows the site's emoji as the same renderer draws them."""
    smile = Emoji("smile", "https://pics.example/smile.png", "a grin")
    short = "Hello :smile:"
    long = "Hello :smile: " + "words " * INLINE_CHARS
    for text in (short, long):
        html = await render_markdown_aside(text, {"smile": smile})
        assert html == render_markdown(text, {"smile": smile})
        assert 'class="emoji" src="https://pics.example/smile.png"' in html
