"""What `render_markdown` turns Lemmy-flavoured Markdown into."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moot.text.markdown import Emoji, render_markdown

REL = 'rel="nofollow ugc noopener"'
SMILE = Emoji(shortcode="smile", image_url="https://img.example/smile.png", alt_text="grin")
EMOJIS = {"smile": SMILE}
SMILE_HTML = (
    '<img class="emoji" src="https://img.example/smile.png" alt="grin" title="smile"'
    ' width="24" height="24" loading="lazy">'
)


# --- blocks ---------------------------------------------------------------------------


def test_paragraphs_and_soft_breaks() -> None:
    # breaks: false, as in lemmy-ui: a single newline stays a newline, not <br>.
    assert render_markdown("one\ntwo\n\nthree") == "<p>one\ntwo</p>\n<p>three</p>\n"


def test_hard_line_break() -> None:
    assert render_markdown("one  \ntwo") == "<p>one<br>\ntwo</p>\n"


def test_headings_and_rule() -> None:
    assert render_markdown("# Big\n\n### Small\n\n---") == "<h1>Big</h1>\n<h3>Small</h3>\n<hr>\n"


def test_bullet_list() -> None:
    assert render_markdown("- a\n- b") == "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n"


def test_numbered_list_keeps_start() -> None:
    assert render_markdown("1. a\n2. b") == "<ol>\n<li>a</li>\n<li>b</li>\n</ol>\n"
    assert render_markdown("3. c").startswith('<ol start="3">\n<li>c</li>')


def test_fenced_code_block_keeps_language_class() -> None:
    html = render_markdown("```python\nx = 1 < 2\n```")
    assert html == '<pre><code class="language-python">x = 1 &lt; 2\n</code></pre>\n'


def test_indented_code_block() -> None:
    assert render_markdown("    code here") == "<pre><code>code here\n</code></pre>\n"


def test_block_quote() -> None:
    assert render_markdown("> quoted") == "<blockquote>\n<p>quoted</p>\n</blockquote>\n"


def test_table_with_alignment() -> None:
    html = render_markdown("| a | b |\n|:--|--:|\n| 1 | 2 |")
    assert "<table>\n<thead>\n<tr>\n" in html
    assert '<th style="text-align:left">a</th>' in html
    assert '<td style="text-align:right">2</td>' in html


def test_footnotes_are_linked_both_ways_with_per_document_ids() -> None:
    html = render_markdown("claim[^1]\n\n[^1]: source")
    assert '<sup class="footnote-ref"><a href="#fn-' in html
    assert '<hr class="footnotes-sep">\n<section class="footnotes">' in html
    assert '<ol class="footnotes-list">\n<li id="fn-' in html
    assert 'class="footnote-backref"' in html
    # Two different comments on one page must not share anchor ids.
    assert html != render_markdown("other[^1]\n\n[^1]: source").replace("other", "claim")


def test_spoiler_becomes_details() -> None:
    html = render_markdown("::: spoiler Plot twist\nhe was a *ghost*\n:::")
    assert html == (
        "<details><summary>Plot twist</summary>\n<p>he was a <em>ghost</em></p>\n</details>\n"
    )


def test_spoiler_title_is_escaped_and_defaults() -> None:
    assert "<summary>&lt;b&gt;x&lt;/b&gt;</summary>" in render_markdown("::: spoiler <b>x</b>\n:::")
    assert "<summary>spoiler</summary>" in render_markdown("::: spoiler\nhidden\n:::")


def test_other_containers_are_plain_text() -> None:
    assert render_markdown("::: warning\nx\n:::") == "<p>::: warning\nx\n:::</p>\n"


# --- inline ---------------------------------------------------------------------------


def test_emphasis_and_strong() -> None:
    assert render_markdown("*a* **b**") == "<p><em>a</em> <strong>b</strong></p>\n"


def test_strikethrough() -> None:
    assert render_markdown("~~gone~~") == "<p><s>gone</s></p>\n"


def test_subscript_and_superscript() -> None:
    assert render_markdown("H~2~O and x^2^") == "<p>H<sub>2</sub>O and x<sup>2</sup></p>\n"


def test_typographer() -> None:
    assert render_markdown('"hi" -- (c)...') == "<p>“hi” \u2013 ©…</p>\n"  # en dash


def test_bare_url_is_linkified_with_rel() -> None:
    html = render_markdown("see https://example.com now")
    assert html == (f'<p>see <a href="https://example.com" {REL}>https://example.com</a> now</p>\n')


def test_written_link_keeps_title_and_gets_rel() -> None:
    html = render_markdown('[site](https://example.com "Title")')
    assert html == f'<p><a href="https://example.com" title="Title" {REL}>site</a></p>\n'


def test_mailto_and_magnet_links_are_allowed() -> None:
    html = render_markdown("[m](magnet:?xt=urn:btih:abc) <mailto:a@b.example>")
    assert f'<a href="magnet:?xt=urn:btih:abc" {REL}>m</a>' in html
    assert f'<a href="mailto:a@b.example" {REL}>' in html


def test_javascript_links_are_dropped() -> None:
    for source in ("[x](javascript:alert(1))", "[x](JaVaScRiPt:alert(1))", "<javascript:x>"):
        assert "href" not in render_markdown(source)


def test_image_keeps_alt_and_title_and_loads_lazily() -> None:
    html = render_markdown('![a cat](https://img.example/cat.png "Cat")')
    assert html == (
        '<p><img src="https://img.example/cat.png" alt="a cat" title="Cat" loading="lazy"></p>\n'
    )


def test_data_url_image_loses_its_source() -> None:
    assert "src" not in render_markdown("![x](data:image/png;base64,AAAA)")


def test_raw_html_is_escaped_not_rendered() -> None:
    html = render_markdown("<script>alert(1)</script> <img src=x onerror=alert(1)>")
    assert html == (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt;</p>\n"
    )


# --- custom emoji ---------------------------------------------------------------------


def test_known_emoji_becomes_fixed_size_image() -> None:
    assert render_markdown("hi :smile:", EMOJIS) == f"<p>hi {SMILE_HTML}</p>\n"


def test_emoji_shortcode_is_case_insensitive() -> None:
    assert SMILE_HTML in render_markdown(":Smile:", EMOJIS)


def test_unknown_emoji_stays_text() -> None:
    assert render_markdown(":frown: :smile", EMOJIS) == "<p>:frown: :smile</p>\n"
    assert render_markdown(":smile:") == "<p>:smile:</p>\n"


def test_emoji_after_unknown_shortcode_sharing_a_colon() -> None:
    assert render_markdown("12:30:smile:", EMOJIS) == f"<p>12:30{SMILE_HTML}</p>\n"


def test_emoji_not_in_code() -> None:
    assert render_markdown("`:smile:`", EMOJIS) == "<p><code>:smile:</code></p>\n"
    assert render_markdown("```\n:smile:\n```", EMOJIS) == "<pre><code>:smile:\n</code></pre>\n"


def test_emoji_not_in_bare_url() -> None:
    html = render_markdown("https://example.com/:smile:", EMOJIS)
    assert "<img" not in html


def test_emoji_fields_are_escaped_and_bad_urls_dropped() -> None:
    hostile = Emoji(shortcode="x", image_url="javascript:alert(1)", alt_text='"><script>')
    html = render_markdown(":x:", {"x": hostile})
    assert html == (
        '<p><img class="emoji" alt="&quot;&gt;&lt;script&gt;" title="x" width="24"'
        ' height="24" loading="lazy"></p>\n'
    )


# --- robustness -----------------------------------------------------------------------


def test_lone_surrogate_does_not_raise() -> None:
    assert render_markdown("a\ud800b") == "<p>a\ufffdb</p>\n"


ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "em", "strong", "del", "s", "sub",
    "sup", "a", "img", "ul", "ol", "li", "blockquote", "pre", "code", "table", "thead",
    "tbody", "tr", "th", "td", "details", "summary", "section",
}  # fmt: skip
SAFE_SCHEMES = {"", "http", "https", "mailto", "magnet"}  # "" is a relative URL


_C0_AND_SPACE = "".join(map(chr, range(0x21)))


def _scheme(url: str) -> str:
    """The scheme a browser would see: it ignores tabs/newlines and edge whitespace."""
    cleaned = re.sub(r"[\t\n\r]", "", url).strip(_C0_AND_SPACE)
    match = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", cleaned)
    return match.group(1).lower() if match else ""


class _TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def _assert_safe(html: str) -> None:
    assert "<script" not in html.lower()
    collector = _TagCollector()
    collector.feed(html)
    collector.close()
    for tag, attrs in collector.tags:
        assert tag in ALLOWED_TAGS
        for name, value in attrs:
            assert not name.startswith("on")
            if name in ("href", "src"):
                assert _scheme(value or "") in SAFE_SCHEMES, value


# Pieces of Markdown syntax and attack strings, so the fuzzer builds real structures
# rather than only plain paragraphs.
FRAGMENTS = [
    "*", "**", "_", "~", "~~", "^", "`", "```", "\n", "\n\n", "    ", "> ", "- ", "1. ",
    "# ", "|", "|-|", ":--", "[", "]", "(", ")", "](", "![", "<", ">", "&", '"', "\\",
    "::: spoiler ", ":::", "[^1]", "[^1]: ", "^[", ":smile:", "https://example.com",
    "www.example.com", "javascript:alert(1)", "<script>", 'onerror="x"', "<img src=x>",
    "data:text/html,x", "&#106;avascript:", "\x00", "\ufeff",
]  # fmt: skip
markdownish = st.lists(st.one_of(st.text(), st.sampled_from(FRAGMENTS)), max_size=40).map("".join)


@settings(max_examples=400, deadline=None, database=None)
@given(source=markdownish)
def test_fuzz_never_raises_and_stays_safe(source: str) -> None:
    _assert_safe(render_markdown(source, EMOJIS))


# --- real comments --------------------------------------------------------------------

_FIXTURE_CANDIDATES = [
    Path(__file__).resolve().parents[2] / "fixtures" / "seed-profile.json",
    Path("/work/shared/fixtures/seed-profile.json"),
]


def _seed_comments() -> dict[str, str]:
    for path in _FIXTURE_CANDIDATES:
        if path.exists():
            records = json.loads(path.read_text(encoding="utf-8"))["records"]
            return {r["key"]: r["content"] for r in records if r["type"] == "comment"}
    pytest.skip("seed-profile.json fixture not found")


def test_seed_profile_comments_render() -> None:
    comments = _seed_comments()
    rendered = {key: render_markdown(text) for key, text in comments.items()}
    for html in rendered.values():
        _assert_safe(html)
    # A numbered point, a quoted document in a code fence, and a bare image link.
    assert "<ol>\n<li>Stop repeating Western Cold War lies" in rendered["seed-comment-16"]
    assert "<pre><code>" in rendered["seed-comment-15"]
    assert (
        '<a href="https://pics.onsizzle.com/what-countries-signed-contracts-with-hitler-and-'
        f'when-1933-uk-1601874.png" {REL}>'
    ) in rendered["seed-comment-16"]
    assert "<ul>\n<li>" in rendered["seed-comment-14"]
    assert (
        f'<a href="https://www.youtube.com/watch?v=1NV-hq2akCQ" {REL}>'
        in (rendered["seed-comment-13"])
    )
    assert rendered["seed-comment-5"] == (
        '<p><img src="https://example.org/image-5.png" alt="" loading="lazy"></p>\n'
    )
