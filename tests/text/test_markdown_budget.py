"""Rendering costs linear work on bracket floods, and the HTML is what markdown-it gives.

`moot.text.link_labels` replaces markdown-it's link label scan. The differential tests
render each input twice, with ours and with markdown-it's own scan, and want identical
HTML; the cost tests count markdown-it's token steps (never time).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import markdown_it.helpers
import mdit_py_plugins.footnote.index
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it.helpers.parse_link_label import parseLinkLabel as markdown_it_scan
from markdown_it.parser_inline import ParserInline
from markdown_it.rules_inline import StateInline

from moot.text import link_schemes
from moot.text.link_labels import parse_link_label
from moot.text.markdown import render_markdown
from tests.text.test_markdown import EMOJIS, FRAGMENTS, _seed_comments


@contextmanager
def _markdown_it_own_scan() -> Iterator[None]:
    markdown_it.helpers.parseLinkLabel = markdown_it_scan
    mdit_py_plugins.footnote.index.parseLinkLabel = markdown_it_scan
    ours = link_schemes._LINKIFY_RULE.SCHEME_RE
    link_schemes._LINKIFY_RULE.SCHEME_RE = link_schemes._SCHEME
    try:
        yield
    finally:
        link_schemes._LINKIFY_RULE.SCHEME_RE = ours
        markdown_it.helpers.parseLinkLabel = parse_link_label  # type: ignore[assignment]
        mdit_py_plugins.footnote.index.parseLinkLabel = parse_link_label  # type: ignore[attr-defined]


def _assert_same_html(source: str) -> None:
    ours = render_markdown(source, EMOJIS)
    with _markdown_it_own_scan():
        try:
            reference = render_markdown(source, EMOJIS)
        except (RuntimeError, IndexError):
            return  # a markdown-it or plugin bug (see below); ours must only not raise
    assert ours == reference, source


def test_a_spoiler_in_a_quote_ending_on_an_empty_line_renders() -> None:
    # The container plugin raised IndexError here (a 500 before).
    expected = "<blockquote>\n<details><summary>x</summary>\n</details>\n</blockquote>\n"
    assert render_markdown("> ::: spoiler x\n>") == expected
    assert render_markdown("> ::: spoiler x\n> ") == expected


def test_a_linkify_scheme_from_stale_text_is_no_link() -> None:
    # markdown-it raised "inline rule didn't increment state.pos" here (a 500 before).
    assert render_markdown("httphttp[<http://a.b/[>://") == (
        '<p>httphttp[<a href="http://a.b/%5B" rel="nofollow ugc noopener">http://a.b/[</a>://</p>\n'
    )


def test_our_scan_is_installed() -> None:
    assert markdown_it.helpers.parseLinkLabel is parse_link_label
    assert mdit_py_plugins.footnote.index.parseLinkLabel is parse_link_label
    assert isinstance(link_schemes._LINKIFY_RULE.SCHEME_RE, link_schemes._TrailingScheme)


# Bracket-heavy pieces: every way a "[" can open, close, nest or be swallowed by a token.
BRACKETS = [
    "[", "]", "![", "[^", "^[", "](", ")", "(", "<", ">", "`", "\\", "a", " ", "\n",
    "*", "_", "[a]", "[a](b)", "![a](b)", "[^1]", "[^1]: x\n\n", "<http://a.b/[>", "`[`",
    "\\[", "\\]", "> ", "[a]: /u\n\n", "https://x.y/[", "::: spoiler [\n", ":::\n",
    "://", "http", "http://a", "a+b.c-d", "1a", "\u017f", "\u212a", "-", ".", "+", "*", ":",
]  # fmt: skip
bracketish = st.lists(st.sampled_from(BRACKETS + FRAGMENTS), max_size=60).map("".join)


@settings(max_examples=1500, deadline=None, database=None)
@given(source=bracketish)
def test_same_html_as_markdown_it_on_bracket_soup(source: str) -> None:
    _assert_same_html(source)


# Long floods cross markdown-it's nesting limit (100), where its answers change shape.
FLOODS = [
    "http://a",
    "a://",
    "http://[",
    "[<",
    "[",
    "![",
    "[^",
    "^[",
    "> [",
    "[a",
    "![[",
    "*[",
    "[`",
    "[[a]",
    "[a](",
]


@pytest.mark.parametrize("unit", FLOODS)
@pytest.mark.parametrize("count", [99, 100, 101, 250])
def test_same_html_as_markdown_it_on_floods(unit: str, count: int) -> None:
    _assert_same_html(unit * count)
    _assert_same_html(unit * count + "]" * (count // 2) + "(/x)")
    _assert_same_html("[" * count + "a" + "]" * count + "(/x)")


def test_same_html_as_markdown_it_on_real_comments() -> None:
    for content in _seed_comments().values():
        _assert_same_html(content)


# --- cost --------------------------------------------------------------------------------


def _token_steps(source: str, monkeypatch: pytest.MonkeyPatch) -> int:
    """How many times markdown-it stepped over one inline token while rendering."""
    steps = 0
    skip = ParserInline.skipToken

    def counted(self: ParserInline, state: StateInline) -> None:
        nonlocal steps
        steps += 1
        skip(self, state)

    with monkeypatch.context() as patch:
        patch.setattr(ParserInline, "skipToken", counted)
        render_markdown(source)
    return steps


# The probe's comment was 10 kB of "[<"; markdown-it's own scan takes ~100 steps a
# character on each of these, ours about one.
@pytest.mark.parametrize("unit", ["[<", "[", "![", "[^", "^[", "> [", "*[", "[`"])
def test_bracket_floods_cost_linear_steps(unit: str, monkeypatch: pytest.MonkeyPatch) -> None:
    size = 10_000
    source = unit * (size // len(unit))
    assert _token_steps(source, monkeypatch) <= 2 * size
    closed = "[" * (size // 2) + "]" * (size // 2)
    assert _token_steps(closed, monkeypatch) <= 2 * size


class _CountingPattern:
    """The scheme expression, counting the characters it is asked to search."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.searched = 0

    def search(self, text: str) -> re.Match[str] | None:
        self.searched += len(text)
        return self.pattern.search(text)


def test_bare_link_flood_costs_linear_search(monkeypatch: pytest.MonkeyPatch) -> None:
    # markdown-it searches everything since the last token at every "://": on this
    # 10 kB text that was ~6 million characters (0.35 s; 40 kB took 5 s).
    counting = _CountingPattern(link_schemes._SCHEME)
    monkeypatch.setattr(link_schemes, "_SCHEME", counting)
    size = 10_000
    render_markdown("http://a" * (size // 8))
    assert 0 < counting.searched <= 2 * size
