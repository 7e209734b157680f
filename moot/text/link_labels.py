"""markdown-it's link label scan, with the same answers in linear time.

To find where a ``[`` closes, markdown-it walks the text token by token, counting
brackets. At every ``[`` on the way it first asks (through ``skipToken``) whether that
bracket opens a link, which starts the same walk again from there, and only the
``maxNesting`` limit (100 deep) cuts it short. So a text of ``[<``, ``[``, ``![``, ``[^``
or ``^[`` repeated costs about 100 walks of up to 100 steps per bracket: 10 kB took 1-3 s
of pure CPU, and the server rendered on its event loop.

Each walk is a pure function of where it starts and where the inline run ends, once the
positions it passes are in markdown-it's own ``state.cache`` (they are, after the first
walk). So we remember every walk's answer, and when an outer walk meets a text ``[``
whose own walk is known, it jumps straight to where that one closed (the bracket count
there is the same as before the ``[``) or, if it never closed, gives up at once (the
outer count can never fall back to zero either). The ``skipToken`` calls that remain
are the ones markdown-it would make, at the same positions and nesting depth, so its
cache fills exactly as before and the rendered HTML is identical; the differential
test in ``tests/test_markdown_budget.py`` holds us to that.
"""

from __future__ import annotations

from typing import TypeAlias

import markdown_it.helpers
import mdit_py_plugins.footnote.index
from markdown_it.rules_inline import StateInline

__all__ = ["install", "parse_link_label"]

# A walk asked not to cross a nested link stopped at one: where it closes is unknown.
_STOPPED = -2
# Key of the per-render memo in markdown-it's ``env`` (one ``env`` per render call).
_MEMO_KEY = "moot_link_label_walks"

_Walks: TypeAlias = dict[tuple[int, int], tuple[int, bool]]


def parse_link_label(state: StateInline, start: int, disable_nested: bool = False) -> int:
    """Position of the ``]`` closing the ``[`` at ``start``, or -1; as markdown-it's."""
    walks = _walks(state)
    key = (start, state.posMax)
    known = walks.get(key)
    if known is not None:
        end, crosses_link = known
        if end != _STOPPED:
            return -1 if disable_nested and crosses_link else end
        if disable_nested:
            return -1
    end, crosses_link = _walk(state, start, disable_nested, walks)
    walks[key] = (end, crosses_link)
    return -1 if end == _STOPPED or (disable_nested and crosses_link) else end


def _walk(state: StateInline, start: int, disable_nested: bool, walks: _Walks) -> tuple[int, bool]:
    """(end, whether a nested link was crossed); end is -1 if unclosed, _STOPPED if cut."""
    old_pos = state.pos
    state.pos = start + 1
    level = 1
    end = -1
    crosses_link = False
    skip = state.md.inline.skipToken
    while state.pos < state.posMax:
        marker = state.src[state.pos]
        if marker == "]":
            level -= 1
            if level == 0:
                end = state.pos
                break
        before = state.pos
        skip(state)
        if marker != "[":
            continue
        if state.pos != before + 1:  # the "[" opened a token (a link): not a bracket
            crosses_link = True
            if disable_nested:
                end = _STOPPED
                break
            continue
        inner = walks.get((before, state.posMax))
        if inner is not None and inner[0] == _STOPPED and disable_nested:
            # That walk met a link before its bracket closed; so will ours.
            end = _STOPPED
            crosses_link = True
            break
        if inner is None or inner[0] == _STOPPED:
            level += 1  # unknown: count it, as markdown-it does
            continue
        inner_end, inner_crosses = inner
        crosses_link = crosses_link or inner_crosses
        if inner_end < 0:  # that bracket never closes, so ours cannot either
            break
        if disable_nested and inner_crosses:
            end = _STOPPED
            break
        # Resume at its "]", which brings the count back to where it was; markdown-it
        # would skip over that "]" too, so do.
        state.pos = inner_end
        skip(state)
    state.pos = old_pos
    return end, crosses_link


def _walks(state: StateInline) -> _Walks:
    # StateInline has __slots__, and nested parses (footnotes) make new states that
    # share one env, so the memo lives in env, per state; holding the state keeps its
    # id from being reused while the render lasts.
    memos: dict[int, tuple[StateInline, _Walks]] = state.env.setdefault(_MEMO_KEY, {})
    entry = memos.get(id(state))
    if entry is None or entry[0] is not state:
        entry = (state, {})
        memos[id(state)] = entry
    return entry[1]


def install() -> None:
    """Put ``parse_link_label`` where markdown-it and the footnote plugin look it up.

    Both look up a module attribute (``state.md.helpers`` is the ``markdown_it.helpers``
    module; the footnote plugin imported the name), so the swap is process-wide; it is
    safe because the answers are the same.
    """
    markdown_it.helpers.parseLinkLabel = parse_link_label  # type: ignore[assignment]
    mdit_py_plugins.footnote.index.parseLinkLabel = parse_link_label  # type: ignore[attr-defined,assignment]
