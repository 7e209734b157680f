"""What members and peers write is rendered beside the event loop: other work goes on while
a long text renders, and the result is the same HTML."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator, Mapping

from moot.text.markdown import Emoji, render_markdown, render_markdown_aside


class _Watched(Mapping[str, Emoji]):
    """The site's emoji, noting which threads the renderer looked them up from."""

    def __init__(self) -> None:
        self.threads: set[int] = set()
        self._emoji = {"wave": Emoji("wave", "https://example.com/wave.png", "wave")}

    def __getitem__(self, key: str) -> Emoji:
        self.threads.add(threading.get_ident())
        return self._emoji[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._emoji)

    def __len__(self) -> int:
        return len(self._emoji)


async def test_rendering_runs_off_the_event_loop_thread() -> None:
    emojis = _Watched()
    html = await render_markdown_aside("hello :wave:", emojis)
    assert emojis.threads and threading.get_ident() not in emojis.threads
    assert html == render_markdown("hello :wave:", _Watched())


async def test_the_loop_goes_on_while_a_long_text_renders() -> None:
    text = "*a " * 15_000 + "[<" * 10_000  # the length limit of a post body, and a flood
    turns = 0
    rendering = asyncio.ensure_future(render_markdown_aside(text))
    while not rendering.done():
        turns += 1  # another request's turn on the loop
        await asyncio.sleep(0)
    assert turns > 1, "the loop did not run while the text rendered"
    assert await rendering == render_markdown(text)
