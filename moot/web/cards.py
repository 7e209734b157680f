"""The items a page shows by the dozen or the hundred, as Python functions returning Markup:
a post's card, a comment with its replies, and their vote and save buttons.

Functions rather than template macros because a page of them is what a listing or a thread
costs: a Jinja macro call costs about ten times a function call, and every `{{ }}` in a
macro escapes its value again, so 20 cards (about 60 macro calls and 400 escapes) took more
of the server's time than the API spends answering the same listing (docs/decisions.md,
"Cards and comments rendered by Python functions"). `when` (format.py) and `person_link`
(names.py) were made functions for the same reason.

Every text value goes through `escape`; numbers through `int`; the HTML stored already
rendered (`content_html`) and Markup from other helpers are put in as they are. The
templates call these as globals (`{{ post_cards(listing.cards) }}`); they read what they need of the
page (`me`, `page`, `moderating`, `request`) from the template's context.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jinja2
from markupsafe import Markup, escape

from moot.web.comments import Node
from moot.web.format import escaped, when_html
from moot.web.names import community_label, handle, person_link_html
from moot.web.pictures import (
    blurs_nsfw,
    is_nsfw,
    own_picture,
    shows_avatars,
    small_picture,
    thumbnail_of,
)
from moot.web.views import Byline, CommentItem, PostCard

Context = jinja2.runtime.Context


@dataclass(frozen=True, slots=True)
class _Frame:
    """What the items of one page share, read once from the template's context."""

    context: Context
    signed_in: bool
    show_scores: bool
    moderating: bool
    replies_closed: bool  # a locked post's comments, to whom may not comment there
    now: datetime  # one "now" for every "N hours ago" of the page
    blur_nsfw: bool  # the viewer's NSFW pictures are blurred (moot/web/pictures.py)
    avatars: bool  # the viewer sees avatars and icons
    languages: Mapping[int, tuple[str, str]]  # id -> (code, name), as Page has them


def _frame(context: Context, locked: bool = False) -> _Frame:
    page = context.get("page")
    moderating = bool(context.get("moderating"))
    return _Frame(
        context=context,
        signed_in=bool(context.get("me")),
        show_scores=not page or page.show_scores,
        moderating=moderating,
        replies_closed=locked and not moderating,
        now=datetime.now(UTC),
        blur_nsfw=blurs_nsfw(context),
        avatars=shows_avatars(context),
        languages=page.languages if page else {},
    )


def domain(url: str) -> str:
    """The host of a link, as a card shows it beside the title."""
    return url.split("/")[2] if "//" in url else url


_FACE = 20  # pixels a side; asked of the server at twice that, for sharp high-DPI screens


def _face(frame: _Frame, url: str | None) -> str:
    """A person's avatar or a community's icon before its name: small, loaded when scrolled
    to, and decorative (the name beside it says whose it is)."""
    if not (url and frame.avatars):
        return ""
    src = small_picture(frame.context, url, 2 * _FACE)
    return (
        f'<img class="face" src="{escape(src)}" alt="" width="{_FACE}" height="{_FACE}"'
        ' loading="lazy">'
    )


def _who(frame: _Frame, by: Byline) -> str:
    person = by.creator
    link = person_link_html(person, by.creator_is_admin, by.creator_is_mod)
    return _face(frame, person.get("avatar")) + link


def _score(frame: _Frame, n: Any) -> str:
    if not frame.show_scores:
        return ""
    return f'<span class="score">{int(n)}<span class="visually-hidden"> points</span></span>'


def _pressed(on: bool) -> str:
    return "true" if on else "false"


def _actions(frame: _Frame, kind: str, item_id: int, by: Byline, score: Any, open_: bool) -> str:
    """The vote and save buttons of a post or comment (a member's), else its score.

    The buttons belong to the page's one hidden form `#acts` (base.html), which holds the
    CSRF token, and each names its own action: a thread of 50 comments carries the token
    once rather than in 50 forms (page weight, docs/decisions.md)."""
    if not (frame.signed_in and open_):
        return f'<span class="acts">{_score(frame, score)}</span>'
    up, down = by.my_vote == 1, by.my_vote == -1
    vote = f'form="acts" formaction="/{kind}/{item_id}/vote" name="score"'
    return (
        '\n<span class="acts" data-in>'
        f'<button {vote} value="{0 if up else 1}" aria-pressed="{_pressed(up)}"'
        ' aria-label="Upvote">▲</button>'
        f"{_score(frame, score)}"
        f'<button {vote} value="{0 if down else -1}" aria-pressed="{_pressed(down)}"'
        ' aria-label="Downvote">▼</button>'
        f'<button form="acts" formaction="/{kind}/{item_id}/save" name="save"'
        f' value="{0 if by.saved else 1}" aria-pressed="{_pressed(by.saved)}">Save</button>'
        "</span>"
    )


def _post_actions(frame: _Frame, card: PostCard) -> str:
    p = card.post
    return _actions(frame, "post", int(p["id"]), card.by, p["score"], True)


@jinja2.pass_context
def post_actions(context: Context, card: PostCard) -> Markup:
    return Markup(_post_actions(_frame(context), card))


def _language(frame: _Frame, language_id: Any) -> str:
    """` · English`, in its own language tag, when the post says what it is written in."""
    known = frame.languages.get(int(language_id or 0))
    if known is None:
        return ""
    return f' · <span class="lang" lang="{escape(known[0])}">{escape(known[1])}</span>'


def _chips(community: Mapping[str, Any], tags: Sequence[Mapping[str, Any]]) -> str:
    """The post's community tags as coloured chips, each a link to the community's posts
    with that tag."""
    where = f"/c/{escape(handle(community))}"
    chips = "".join(
        f'<li><a class="chip {escape(t["color"])}" href="{where}?tag={int(t["id"])}">'
        f"{escape(t['display_name'] or t['name'])}</a></li>"
        for t in tags
    )
    return f'\n<ul class="chips" aria-label="Tags">{chips}</ul>'


def _also_in(cross_posts: Sequence[PostCard]) -> str:
    """The other posts of a card's link on the same page, which the list leaves out."""
    links = ", ".join(
        f'<a href="/post/{int(x.post["id"])}">{escape(community_label(x.by.community))}</a>'
        for x in cross_posts
    )
    return f'\n<p class="crossposts">Also posted to {links}</p>'


def _post_card(
    frame: _Frame, card: PostCard, show_community: bool, cross_posts: Sequence[PostCard] = ()
) -> str:
    context = frame.context
    p, by = card.post, card.by
    post_id = int(p["id"])
    url = p["url"]
    thumbnail = thumbnail_of(p)
    parts = [f'<article class="card" id="p{post_id}">']
    if thumbnail:
        blur = " blur" if frame.blur_nsfw and is_nsfw(p, by.community) else ""
        parts.append(
            f'<img class="thumb{blur}" src="{escape(small_picture(context, thumbnail, 144))}"'
            ' alt="" width="72" height="72" loading="lazy">'
        )
    href = own_picture(context, url) or f"/post/{post_id}"
    parts.append(f'\n<h2 class="title"><a href="{escape(href)}"')
    if url:
        parts.append(' rel="nofollow ugc noopener"')
    parts.append(f">{escape(p['name'])}</a>")
    if url:
        parts.append(f' <span class="domain">({escape(domain(url))})</span>')
    parts.append(f'</h2>\n<p class="meta">{_who(frame, by)}')
    if show_community:
        parts.append(
            f" in {_face(frame, by.community.get('icon'))}"
            f'<a href="/c/{escape(handle(by.community))}">'
            f"{escape(community_label(by.community))}</a>"
        )
    parts.append(f" · {when_html(p['published'], frame.now)}")
    parts.append(_language(frame, p["language_id"]))
    if p["nsfw"]:
        parts.append(' · <span class="tag">NSFW</span>')
    if p["featured_local"] or p["featured_community"]:
        parts.append(' · <span class="tag">Pinned</span>')
    if p["locked"]:
        parts.append(' · <span class="tag">Locked</span>')
    parts.append("</p>")
    if card.tags:
        parts.append(_chips(by.community, card.tags))
    if cross_posts:
        parts.append(_also_in(cross_posts))
    comments = int(p["comments"])
    parts.append(
        f'\n<div class="bar">{_post_actions(frame, card)}'
        f'<a href="/post/{post_id}">{comments} comment{"" if comments == 1 else "s"}</a></div>'
        "\n</article>"
    )
    return "".join(parts)


@jinja2.pass_context
def post_cards(context: Context, cards: Sequence[PostCard], show_community: bool = True) -> Markup:
    """The cards of a listing, each in its `<li>`. Posts of a link that an earlier card of
    the page has are left out, and named on that card ("Also posted to"), as PieFed groups
    cross-posts."""
    frame = _frame(context)
    by_link: dict[str, list[PostCard]] = {}
    first: list[PostCard] = []
    for card in cards:
        url = card.post["url"]
        if not url:
            first.append(card)
        elif url in by_link:
            by_link[url].append(card)
        else:
            by_link[url] = [card]
            first.append(card)
    return Markup(
        "".join(
            f"<li>{_post_card(frame, card, show_community, _others(by_link, card))}</li>"
            for card in first
        )
    )


def _others(by_link: dict[str, list[PostCard]], card: PostCard) -> Sequence[PostCard]:
    url = card.post["url"]
    return by_link[url][1:] if url else ()


def _comment_actions(frame: _Frame, item: CommentItem) -> str:
    c = item.comment
    return _actions(frame, "comment", int(c["id"]), item.by, c["score"], not item.gone)


@jinja2.pass_context
def comment_actions(context: Context, item: CommentItem) -> Markup:
    return Markup(_comment_actions(_frame(context), item))


_DISTINGUISHED = ' class="distinguished"'
_REMOVED, _DELETED = "Removed by a moderator", "Deleted by its author"


def _comment_node(frame: _Frame, node: Node, out: list[str]) -> None:
    """`node` and its replies, appended to `out`. Written for a thread's hundreds: each
    value read once, escaped as a str (`escaped`), the person's handle made once for both
    its link and the summary's label."""
    item: CommentItem = node.item
    c, by = item.comment, item.by
    cid = int(c["id"])
    gone = bool(c["deleted"] or c["removed"])  # item.gone
    me = frame.signed_in
    creator = by.creator
    full = handle(creator)
    who = person_link_html(creator, by.creator_is_admin, by.creator_is_mod, full)
    distinguished = c["distinguished"]
    out.append(
        f'<li id="c{cid}"{_DISTINGUISHED if distinguished else ""}>'
        f'\n<p class="head">{_face(frame, creator.get("avatar"))}{who}'
        f" · {when_html(c['published'], frame.now)}"
    )
    if c["updated"]:
        out.append(" · edited")
    if distinguished:
        out.append(' · <span class="tag">Speaking as moderator</span>')
    locked = c["locked"]
    if locked:
        out.append(' · <span class="tag">Locked</span>')
    out.append(
        "</p>\n<details open>"
        f'<summary aria-label="Comment by {escaped(full)} and its replies">'
        "</summary>\n"
    )
    if gone:
        out.append(f'<p class="gone">{_REMOVED if c["removed"] else _DELETED}</p>')
        if frame.moderating and c["removed"] and not c["deleted"]:
            out.append(f'<div class="md removed">{c["content_html"]}</div>')
    else:
        out.append(f'<div class="md">{c["content_html"]}</div>')
    out.append(f'\n<div class="bar">{_actions(frame, "comment", cid, by, c["score"], not gone)}')
    # A locked sub-thread takes replies from its moderators only (as the action allows).
    if me and not gone and not frame.replies_closed and (not locked or frame.moderating):
        out.append(f'<a href="/comment/{cid}/reply" data-in="#k{cid} afterbegin">Reply</a>')
    if by.mine and not gone:
        out.append(
            f'<a href="/comment/{cid}/edit">Edit</a><a href="/comment/{cid}/delete">Delete</a>'
        )
    if me and not by.mine and not gone:
        out.append(f'<a href="/comment/{cid}/report">Report</a>')
    if frame.moderating:
        out.append(f'<a href="/comment/{cid}/moderate" data-in>Moderate</a>')
    out.append(f'</div>\n<ol class="kids" id="k{cid}">')
    for child in node.children:
        _comment_node(frame, child, out)
    out.append("</ol>")
    if node.continues:
        out.append(f'<p class="more"><a href="/comment/{cid}">Continue this thread</a></p>')
    out.append("\n</details></li>")


@jinja2.pass_context
def comment_nodes(context: Context, nodes: Sequence[Node], locked: bool = False) -> Markup:
    """Comments, each with its replies; under a `locked` post, replies only from those who
    moderate it (as the action allows)."""
    frame = _frame(context, locked)
    out: list[str] = []
    for node in nodes:
        _comment_node(frame, node, out)
    return Markup("".join(out))


@jinja2.pass_context
def found_comments(context: Context, items: Sequence[CommentItem]) -> Markup:
    """Comments found apart from their threads (a search's), each in its `<li>` under the
    post and community it was written in, as a thread shows it without its replies."""
    out: list[str] = []
    for item in items:
        post, community = item.post, item.by.community
        frame = _frame(context, locked=bool(post["locked"]))
        out.append(
            f'<li><p class="meta">On <a href="/post/{int(post["id"])}">{escape(post["name"])}</a>'
            f' in <a href="/c/{escape(handle(community))}">{escape(community_label(community))}'
            f'</a> · <a href="/comment/{int(item.comment["id"])}">Thread</a></p>\n<ol class="kids">'
        )
        _comment_node(frame, Node(item), out)
        out.append("</ol></li>")
    return Markup("".join(out))


def register_cards(env: jinja2.Environment) -> None:
    env.globals.update(
        post_cards=post_cards,
        post_actions=post_actions,
        comment_nodes=comment_nodes,
        comment_actions=comment_actions,
        found_comments=found_comments,
        domain=domain,
    )
