"""The items pages show by the hundred, written by Python functions (moot/web/cards.py,
format.when, names.person_link): what they write, escaped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

import jinja2
import pytest

from moot.web.cards import register_cards
from moot.web.format import exact, iso, time_ago, when
from moot.web.names import person_link
from moot.web.views import Byline, PostCard


def test_a_badged_link_is_still_a_link() -> None:
    link = person_link({"name": "ann", "local": True}, admin=True, mod=True)
    assert link == (
        '<a class="who" href="/u/ann">ann</a>'
        ' <abbr class="badge" title="Admin">A</abbr>'
        ' <abbr class="badge" title="Moderator">M</abbr>'
    )


def test_a_link_escapes_the_name() -> None:
    person = {"name": "bob", "display_name": 'Bob <b>"&"</b>', "local": True}
    assert person_link(person) == (
        '<a class="who" href="/u/bob">Bob &lt;b&gt;&#34;&amp;&#34;&lt;/b&gt;</a>'
    )


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=UTC),
        datetime(2026, 12, 31, 23, 59, 59),  # naive, as SQLite gives: UTC
        datetime(2025, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=5))),
        datetime(999, 6, 1, 12, 0, tzinfo=UTC),
    ],
)
def test_when_writes_what_iso_exact_and_time_ago_say(moment: datetime) -> None:
    now = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
    expected = (
        f'<time datetime="{iso(moment)}" title="{exact(moment)}">{time_ago(moment, now)}</time>'
    )
    assert when(moment, now) == expected


def _card(community_name: str = "walks", **post: object) -> PostCard:
    person = {"id": 1, "name": "ann", "local": True}
    community = {"id": 2, "name": community_name, "title": 'Walks & "talks"', "local": True}
    row = {
        "id": 7,
        "name": 'A <b>bold</b> "title"',
        "url": None,
        "thumbnail_url": None,
        "published": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        "nsfw": False,
        "featured_local": False,
        "featured_community": False,
        "locked": False,
        "language_id": 0,
        "comments": 1,
        "score": 3,
        **post,
    }
    by = Byline(person, community, False, False, 0, False, False)
    return PostCard(row, by)


def _render(source: str, **context: object) -> str:
    env = jinja2.Environment(autoescape=True)
    register_cards(env)
    return env.from_string(source).render(**context)


def test_a_card_escapes_what_it_shows() -> None:
    url = 'https://example.org/a?b=1&c="<x>"'
    html = _render("{{ post_cards(cards) }}", cards=[_card(url=url)], me=None, page=None)
    assert ">A &lt;b&gt;bold&lt;/b&gt; &#34;title&#34;</a>" in html
    assert 'href="https://example.org/a?b=1&amp;c=&#34;&lt;x&gt;&#34;"' in html
    assert "(example.org)" in html
    assert '<a href="/c/walks">Walks &amp; &#34;talks&#34;</a>' in html
    assert '<span class="score">3<span class="visually-hidden"> points</span></span>' in html
    assert html.startswith('<li><article class="card" id="p7">')
    assert ">1 comment</a>" in html
    assert "Locked" not in html


def test_a_locked_posts_card_says_so() -> None:
    html = _render("{{ post_cards(cards) }}", cards=[_card(locked=True)], me=None, page=None)
    assert ' · <span class="tag">Locked</span></p>' in html


def test_a_members_card_has_its_forms() -> None:
    card = _card()
    html = _render(
        "{{ post_cards(cards) }}", cards=[card], me=object(), page=None, csrf_input="<CSRF>"
    )
    assert "<CSRF>" not in html  # the token is the page's one form's (base.html)
    assert (
        '<span class="acts" data-in><button form="acts" formaction="/post/7/vote" name="score"'
        ' value="1" aria-pressed="false" aria-label="Upvote">▲</button>'
    ) in html
    assert (
        '<button form="acts" formaction="/post/7/save" name="save" value="1"'
        ' aria-pressed="false">Save</button></span>'
    ) in html


@dataclass(frozen=True)
class _Page:
    """What the cards read of the page frame."""

    languages: dict[int, tuple[str, str]]
    show_scores: bool = True
    blur_nsfw: bool = True
    show_avatars: bool = True


def test_a_card_names_the_language_it_is_written_in() -> None:
    page = _Page({37: ("en", "English"), 52: ("fr", "Français")})
    cards = [_card(id=1, language_id=52), _card(id=2, language_id=0)]
    html = _render("{{ post_cards(cards) }}", cards=cards, me=None, page=page)
    first, second = html.split("</li>")[:2]
    assert ' · <span class="lang" lang="fr">Français</span>' in first
    assert 'class="lang"' not in second  # undetermined: not in the page's languages


def test_posts_of_one_link_on_a_page_are_one_card() -> None:
    link = "https://example.org/news"
    cards = [
        _card(id=1, url=link),
        _card(id=2),
        _card("trains", id=3, url=link, name="Same news"),
        _card("buses", id=4, url=link),
    ]
    html = _render("{{ post_cards(cards) }}", cards=cards, me=None, page=_Page({}))
    assert html.count("<li>") == 2
    assert 'id="p3"' not in html and 'id="p4"' not in html
    first = html.split("</li>")[0]
    assert (
        '<p class="crossposts">Also posted to <a href="/post/3">Walks &amp; &#34;talks&#34;</a>,'
        ' <a href="/post/4">Walks &amp; &#34;talks&#34;</a></p>'
    ) in first
