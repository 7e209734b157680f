"""Render the Markdown Lemmy users write into safe HTML, the way lemmy-ui shows it.

lemmy-ui renders with markdown-it (JS) configured as ``{html: false, linkify: true,
typographer: true}`` plus sub/sup, footnotes, a ``::: spoiler`` container and custom
emoji. We use markdown-it-py, its Python port, with the same options and the matching
mdit-py-plugins, then pass the result through nh3 so that only the markup this renderer
itself produces can reach a browser, whatever the parser does with hostile input.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.subscript import sub_plugin
from mdit_py_plugins.superscript import superscript_plugin

from moot.text import link_labels, link_schemes, render_pool

__all__ = ["Emoji", "render_markdown", "render_markdown_aside"]


@dataclass(frozen=True)
class Emoji:
    """A site's custom emoji, written ``:shortcode:`` in Markdown."""

    shortcode: str  # without colons, lower-case
    image_url: str
    alt_text: str


# --- custom emoji ---------------------------------------------------------------------

# Shortcodes are word characters between colons; the lookup is case-insensitive because
# sites store them lower-case but people type them as they please.
_SHORTCODE = re.compile(r":([A-Za-z0-9_]+):")
# Fixed dimensions so the text does not jump about while the image loads.
_EMOJI_SIZE = "24"


def _emoji_rule(state: StateCore) -> None:
    """Core rule: swap known ``:shortcode:``s in text for emoji tokens.

    Runs on the finished inline token stream, so code spans and code blocks (which are
    not ``text`` tokens) are never touched, and skips the text of automatic links so a
    URL containing colons stays intact.
    """
    emojis: Mapping[str, Emoji] | None = state.env.get("emojis")
    if not emojis:
        return
    for block_token in state.tokens:
        if block_token.type == "inline" and block_token.children:
            block_token.children = _with_emojis(block_token.children, emojis)


def _with_emojis(children: list[Token], emojis: Mapping[str, Emoji]) -> list[Token]:
    result: list[Token] = []
    in_autolink = False
    for token in children:
        if token.type == "link_open" and token.info == "auto":
            in_autolink = True
        elif token.type == "link_close" and in_autolink:
            in_autolink = False
        if token.type == "text" and not in_autolink and ":" in token.content:
            result.extend(_split_text(token, emojis))
        else:
            result.append(token)
    return result


def _split_text(token: Token, emojis: Mapping[str, Emoji]) -> list[Token]:
    """Split one text token into text and emoji tokens."""
    text = token.content
    pieces: list[Token] = []
    copied_up_to = search_from = 0
    while match := _SHORTCODE.search(text, search_from):
        emoji = emojis.get(match.group(1).lower())
        if emoji is None:
            # The closing colon of an unknown code may open a known one (":x:smile:").
            search_from = match.end() - 1
            continue
        if match.start() > copied_up_to:
            pieces.append(_text_token(text[copied_up_to : match.start()], token))
        emoji_token = Token("custom_emoji", "img", 0, level=token.level)
        emoji_token.meta = {"emoji": emoji}
        pieces.append(emoji_token)
        copied_up_to = search_from = match.end()
    if not pieces:
        return [token]
    if copied_up_to < len(text):
        pieces.append(_text_token(text[copied_up_to:], token))
    return pieces


def _text_token(content: str, like: Token) -> Token:
    token = Token("text", "", 0, level=like.level)
    token.content = content
    return token


def _render_emoji(
    _renderer: Any, tokens: Sequence[Token], idx: int, _options: Any, _env: Any
) -> str:
    emoji: Emoji = tokens[idx].meta["emoji"]
    return (
        f'<img class="emoji" src="{escapeHtml(emoji.image_url)}"'
        f' alt="{escapeHtml(emoji.alt_text)}" title="{escapeHtml(emoji.shortcode)}"'
        f' loading="lazy" width="{_EMOJI_SIZE}" height="{_EMOJI_SIZE}">'
    )


# --- spoilers ---------------------------------------------------------------------------

_SPOILER = "spoiler"


def _is_spoiler(params: str, _markup: str) -> bool:
    """Lemmy's syntax is ``::: spoiler Title``; the first word must be ``spoiler``."""
    words = params.split(maxsplit=1)
    return bool(words) and words[0] == _SPOILER


def _render_spoiler(
    _renderer: Any, tokens: Sequence[Token], idx: int, _options: Any, _env: Any
) -> str:
    token = tokens[idx]
    if token.nesting != 1:
        return "</details>\n"
    title = token.info.strip()[len(_SPOILER) :].strip() or _SPOILER
    return f"<details><summary>{escapeHtml(title)}</summary>\n"


# --- the parser, built once -------------------------------------------------------------


def _build_parser() -> MarkdownIt:
    # "js-default" is markdown-it's own default preset (tables and strikethrough on),
    # which is what lemmy-ui starts from.
    md = MarkdownIt("js-default", {"html": False, "linkify": True, "typographer": True})
    # Same HTML as markdown-it's own scans, without their cost on "[" or "://" floods.
    link_labels.install()
    link_schemes.install(md)
    md.use(sub_plugin)
    md.use(superscript_plugin)
    md.use(footnote_plugin)
    md.use(container_plugin, name=_SPOILER, validate=_is_spoiler, render=_render_spoiler)
    # Before "replacements" so typography cannot rewrite a shortcode first.
    md.core.ruler.after("linkify", "custom_emoji", _emoji_rule)
    md.add_render_rule("custom_emoji", _render_emoji)
    return md


PARSER = _build_parser()


# --- the sanitiser, built once -----------------------------------------------------------

# Exactly the markup the parser above emits; anything else is stripped.
_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
    "em", "strong", "del", "s", "sub", "sup",
    "a", "img", "ul", "ol", "li", "blockquote", "pre", "code",
    "table", "thead", "tbody", "tr", "th", "td",
    "details", "summary", "section",
}  # fmt: skip
_ATTRIBUTES = {
    "a": {"href", "title", "id"},  # id: footnote reference anchors
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "li": {"id"},  # id: footnote targets
    "code": {"class"},  # "language-xxx" from fenced code info strings
    "th": {"style"},  # column alignment
    "td": {"style"},
}
# Fixed class vocabularies: the emoji marker and the footnote plugin's markup.
_CLASSES = {
    "img": {"emoji"},
    "hr": {"footnotes-sep"},
    "section": {"footnotes"},
    "ol": {"footnotes-list"},
    "li": {"footnote-item"},
    "sup": {"footnote-ref"},
    "a": {"footnote-backref"},
}

_SANITISER = nh3.Cleaner(
    tags=_TAGS,
    attributes=_ATTRIBUTES,
    allowed_classes=_CLASSES,
    filter_style_properties={"text-align"},
    # Every image, written or emoji, loads lazily.
    set_tag_attribute_values={"img": {"loading": "lazy"}},
    # User content must not pass search ranking on, nor get a handle on our window.
    link_rel="nofollow ugc noopener",
    url_schemes={"http", "https", "mailto", "magnet"},
)


# --- public entry point --------------------------------------------------------------------


def render_markdown(source: str, emojis: Mapping[str, Emoji] | None = None) -> str:
    """Render user Markdown to sanitised HTML; never raises for any ``str``.

    ``emojis`` maps lower-case shortcodes to the site's custom emoji.
    """
    text = _valid_unicode(source)
    env: dict[str, Any] = {"emojis": emojis, "docId": _document_id(text)}
    try:
        html = PARSER.render(text, env)
    except IndexError:
        # The container plugin reads past the end of a document whose last line is an
        # empty blockquote line inside a spoiler ("> ::: spoiler x\n>"). A final newline
        # avoids that and renders such a text the same; it is not added always, as it
        # would change an unclosed code fence's content.
        html = PARSER.render(text + "\n", env)
    return _SANITISER.clean(html)


# Texts up to this length render in the server's own process: a few milliseconds at
# worst, less than handing them to a worker would cost.
INLINE_CHARS = 500


async def render_markdown_aside(source: str, emojis: Mapping[str, Emoji] | None = None) -> str:
    """`render_markdown` for what members and peers write: a long text renders in a worker
    process with a time limit (`moot.text.render_pool`), so that it takes no time from
    other requests, and one that outlasts the limit is kept as escaped plain text."""
    if len(source) <= INLINE_CHARS:
        return render_markdown(source, emojis)
    sent = [(e.shortcode, e.image_url, e.alt_text) for e in (emojis or {}).values()]
    return await render_pool.POOL.render(source, sent)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _valid_unicode(source: str) -> str:
    """Replace lone surrogates (possible in a Python ``str``) that nh3 could not encode."""
    try:
        source.encode("utf-8")
    except UnicodeEncodeError:
        return _LONE_SURROGATE.sub("\ufffd", source)
    return source


def _document_id(text: str) -> str:
    """Short content hash prefixed to footnote ids.

    A page shows many comments; without a per-document prefix their footnote anchors
    (``#fn1``...) would collide and jump to the wrong comment.
    """
    return hashlib.blake2b(text.encode("utf-8"), digest_size=4).hexdigest()
