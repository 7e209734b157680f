"""Remote pictures in Markdown rewritten to the image proxy (image mode ProxyAllImages)."""

from __future__ import annotations

import pytest

from moot.media.image_links import LINK_MAX_CHARS, is_remote, proxied, rewrite_markdown_images
from moot.text.markdown import render_markdown

ORIGIN, HOST = "https://me.example", "me.example"


def p(link: str) -> str:
    return proxied(link, ORIGIN)


def test_proxied_encodes_as_lemmy() -> None:
    assert p("http://lemmy-beta/image.png?a=1&b=2") == (
        "https://me.example/api/v3/image_proxy?url=http%3A%2F%2Flemmy-beta%2Fimage.png%3Fa%3D1%26b%3D2"
    )


@pytest.mark.parametrize(
    ("link", "remote"),
    [
        ("https://other.example/a.png", True),
        ("http://ME.example/a.png", False),
        ("https://me.example:8443/a.png", True),
        ("/pictrs/image/a.png", False),
        ("data:image/png;base64,AAAA", False),
    ],
)
def test_is_remote(link: str, remote: bool) -> None:
    assert is_remote(link, HOST) is remote


@pytest.mark.parametrize(
    ("source", "expected", "links"),
    [
        (
            '![a](https://o.example/a.png "title")',
            f'![a]({p("https://o.example/a.png")} "title")',
            ["https://o.example/a.png"],
        ),
        ("![a](https://me.example/a.png)", "![a](https://me.example/a.png)", []),
        # Inside code it is no picture; a plain link is no picture either.
        ("`![a](https://o.example/a.png)` [l](https://o.example/b.png)", None, []),
        ("    ![a](https://o.example/a.png)", None, []),
        (
            "![a](<https://o.example/x y.png>)",
            f"![a]({p('https://o.example/x%20y.png')})",
            ["https://o.example/x%20y.png"],
        ),
        (
            "![b][r]\n\n[r]: https://o.example/r.png",
            f"![b][r]\n\n[r]: {p('https://o.example/r.png')}",
            ["https://o.example/r.png"],
        ),
        (
            "> ![q](\n> https://o.example/(1).gif)",
            f"> ![q](\n> {p('https://o.example/(1).gif')})",
            ["https://o.example/(1).gif"],
        ),
        (
            "[![inner](https://o.example/i.png)](https://o.example/page)",
            f"[![inner]({p('https://o.example/i.png')})](https://o.example/page)",
            ["https://o.example/i.png"],
        ),
    ],
)
def test_rewrite(source: str, expected: str | None, links: list[str]) -> None:
    text, found = rewrite_markdown_images(source, ORIGIN, HOST)
    assert text == (source if expected is None else expected)
    assert found == links


def test_every_remote_picture_is_gone_from_the_rendered_html() -> None:
    source = "![a](https://o.example/a.png) ![b](https://o.example/a.png) ![c](http://x.example/c)"
    text, found = rewrite_markdown_images(source, ORIGIN, HOST)
    assert found == ["https://o.example/a.png", "http://x.example/c"]
    html = render_markdown(text)
    assert html.count('src="https://me.example/api/v3/image_proxy?url=') == 3
    assert 'src="http' not in html.replace('src="https://me.example/', "")


def test_an_address_too_long_to_record_is_dropped() -> None:
    link = "https://o.example/" + "a" * LINK_MAX_CHARS
    text, found = rewrite_markdown_images(f"![a]({link})", ORIGIN, HOST)
    assert (text, found) == ("![a]()", [])
