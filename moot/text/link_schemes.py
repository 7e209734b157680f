"""markdown-it's look-back for a bare link's scheme, with the same answers in linear time.

At every ``://`` the linkify rule searches all the text gathered since the last token
(``state.pending``) for a scheme at its very end, with a regular expression that tries
each word start in turn: on ``http://a`` repeated that is quadratic (40 kB took 5 s).
Only the trailing run of scheme characters can match, so we search just that run: a
match can start nowhere else, since a start inside the run has a scheme character
before it and the expression wants a start of text or a non-scheme character there.
"""

from __future__ import annotations

import re
from importlib import import_module

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline, linkify

__all__ = ["install"]

# By module path: the package re-exports the rule function under the same name.
_LINKIFY_RULE = import_module("markdown_it.rules_inline.linkify")

# markdown-it's own expression, kept as is (with IGNORECASE, [a-z] also takes the Kelvin
# sign and the long s; the character test below uses the same class for that reason).
_SCHEME: re.Pattern[str] = _LINKIFY_RULE.SCHEME_RE
_SCHEME_CHAR = re.compile(r"[a-z0-9.+-]", re.IGNORECASE)


class _TrailingScheme:
    """Stands in for ``SCHEME_RE``: only ``search`` is used, and only ``group(1)``."""

    def search(self, text: str) -> re.Match[str] | None:
        start = len(text)
        while start and _SCHEME_CHAR.match(text, start - 1):
            start -= 1
        return _SCHEME.search(text[start:])


def _linkify_forward(state: StateInline, silent: bool) -> bool:
    """The linkify rule, refusing a "link" that would move backwards.

    While a link label is scanned (silently, far ahead of the tokens made so far),
    ``state.pending`` still holds the text before the scan, so the rule can take a
    scheme from there and measure the link from the wrong place; markdown-it then
    raises (seen on ``httphttp[<http://a.b/[>://``). No link there is the right answer.
    """
    start = state.pos
    if linkify(state, silent):
        if state.pos > start:
            return True
        state.pos = start
    return False


def install(md: MarkdownIt) -> None:
    """Swap the expression where the linkify rule looks it up (process-wide, same answers),
    and guard ``md``'s linkify rule."""
    _LINKIFY_RULE.SCHEME_RE = _TrailingScheme()  # type: ignore[attr-defined]
    md.inline.ruler.at("linkify", _linkify_forward)
