"""The site state a process keeps (moot/actions/site_state.py) follows every change to it
at once: an edit, an emoji, the totals moved by new content."""

from __future__ import annotations

from tests.reads.conftest import Forum


async def test_an_edit_is_read_back_at_once(forum: Forum) -> None:
    before = await forum.api("GET", "/site")
    await forum.api(
        "PUT",
        "/site",
        {"name": "Renamed", "taglines": ["hello there"], "discussion_languages": [0, 37]},
        token=forum.admin_token,
    )
    after = await forum.api("GET", "/site")
    assert after["site_view"]["site"]["name"] == "Renamed"
    assert [t["content"] for t in after["taglines"]] == ["hello there"]
    assert after["discussion_languages"] == [0, 37]
    await forum.api(
        "PUT",
        "/site",
        {
            "name": before["site_view"]["site"]["name"],
            "taglines": [t["content"] for t in before["taglines"]],
            "discussion_languages": before["discussion_languages"],
        },
        token=forum.admin_token,
    )
    restored = await forum.api("GET", "/site")
    assert restored["site_view"]["site"]["name"] == before["site_view"]["site"]["name"]
    assert (
        restored["taglines"] == []
        and restored["discussion_languages"] == before["discussion_languages"]
    )


async def test_an_emoji_shows_at_once(forum: Forum) -> None:
    body = {
        "shortcode": "wave",
        "image_url": "https://moot.test/pictrs/image/wave.png",
        "alt_text": "a wave",
        "category": "people",
        "keywords": ["hi"],
    }
    made = await forum.api("POST", "/custom_emoji", body, token=forum.admin_token)
    emoji_id = made["custom_emoji"]["custom_emoji"]["id"]
    emojis = (await forum.api("GET", "/site"))["custom_emojis"]
    assert [e["custom_emoji"]["shortcode"] for e in emojis] == ["wave"]
    assert emojis[0]["keywords"] == [{"custom_emoji_id": emoji_id, "keyword": "hi"}]
    await forum.api("POST", "/custom_emoji/delete", {"id": emoji_id}, token=forum.admin_token)
    assert (await forum.api("GET", "/site"))["custom_emojis"] == []


async def test_the_totals_move_with_content(forum: Forum) -> None:
    before = (await forum.api("GET", "/site"))["site_view"]["counts"]["posts"]
    community = forum.ids["communities"][1]
    body = {"name": "One more", "community_id": community}
    await forum.api("POST", "/post", body, token=forum.member_token)
    assert (await forum.api("GET", "/site"))["site_view"]["counts"]["posts"] == before + 1
