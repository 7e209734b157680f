"""The pictures a post's card writes (moot/web/cards.py, moot/web/pictures.py): which post
has a thumbnail, when it is blurred, and the faces beside the names."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import cast

import jinja2
import pytest

from moot.auth import Viewer
from moot.web.cards import register_cards
from moot.web.pages import Page
from moot.web.pictures import is_picture
from moot.web.views import Byline, PostCard


def _card(community_nsfw: bool = False, **post: object) -> PostCard:
    person = {"id": 1, "name": "ann", "local": True, "avatar": "https://pics.example/ann.png"}
    community = {
        "id": 2,
        "name": "walks",
        "title": "Walks",
        "local": True,
        "icon": None,
        "nsfw": community_nsfw,
    }
    row = {
        "id": 7,
        "name": "A walk",
        "url": None,
        "url_content_type": None,
        "thumbnail_url": None,
        "published": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        "nsfw": False,
        "featured_local": False,
        "featured_community": False,
        "locked": False,
        "comments": 0,
        "score": 1,
        "language_id": 0,
        **post,
    }
    return PostCard(row, Byline(person, community, False, False, 0, False, False))


def _member(**settings: bool) -> Page:
    user = {"blur_nsfw": True, "show_avatars": True, "show_scores": True, **settings}
    return Page(cast(Viewer, SimpleNamespace(local_user=user)), {}, {})


def _render(card: PostCard, page: Page | None = None) -> str:
    env = jinja2.Environment(autoescape=True)
    register_cards(env)
    source = "{{ post_cards(cards) }}"
    return env.from_string(source).render(cards=[card], me=page and page.viewer, page=page)


@pytest.mark.parametrize(
    ("url", "content_type", "picture"),
    [
        ("https://pics.example/cat.PNG", None, True),
        ("https://pics.example/cat.webp?size=2", None, True),
        ("https://pics.example/cat", "image/jpeg", True),
        ("https://pics.example/cat.png", "text/html", False),  # as fetched, not as named
        ("https://news.example/story", None, False),
        (None, None, False),
    ],
)
def test_which_links_are_pictures(url: str | None, content_type: str | None, picture: bool) -> None:
    assert is_picture({"url": url, "url_content_type": content_type}) is picture


def test_a_picture_link_without_a_thumbnail_is_its_own_thumbnail() -> None:
    html = _render(_card(url="https://pics.example/cat.png"))
    assert (
        '<img class="thumb" src="https://pics.example/cat.png" alt="" width="72" height="72"'
        ' loading="lazy">'
    ) in html


def test_a_thumbnail_wins_and_a_plain_link_has_none() -> None:
    thumbed = _render(_card(url="https://pics.example/cat.png", thumbnail_url="https://t/x.jpg"))
    assert 'class="thumb" src="https://t/x.jpg"' in thumbed
    assert 'class="thumb"' not in _render(_card(url="https://news.example/story"))


@pytest.mark.parametrize(
    ("post_nsfw", "community_nsfw", "me", "blurred"),
    [
        (True, False, None, True),  # a visitor: always blurred
        (False, True, None, True),  # an NSFW community's every post
        (False, False, None, False),
        (True, False, _member(), True),  # blurring is on by default
        (True, False, _member(blur_nsfw=False), False),
    ],
)
def test_an_nsfw_thumbnail_is_blurred_unless_the_member_said_not(
    post_nsfw: bool, community_nsfw: bool, me: Page | None, blurred: bool
) -> None:
    card = _card(community_nsfw, url="https://pics.example/cat.png", nsfw=post_nsfw)
    assert ('<img class="thumb blur"' in _render(card, me)) is blurred


def test_the_authors_avatar_is_small_lazy_and_decorative_unless_turned_off() -> None:
    face = (
        '<img class="face" src="https://pics.example/ann.png" alt="" width="20"'
        ' height="20" loading="lazy"><a class="who" href="/u/ann">ann</a>'
    )
    assert face in _render(_card())
    assert face in _render(_card(), _member())
    assert "face" not in _render(_card(), _member(show_avatars=False))
