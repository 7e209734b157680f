"""The stylesheet and script as served: without their comments and indentation, every rule
and statement kept (the script still parses, in Node.js), with an ETag that answers 304."""

from __future__ import annotations

import re
import subprocess

import httpx

from moot.web.assets import ASSETS, HERE, minify_css, minify_js
from tests.servers import Server

_STRING = re.compile(r'"[^"\n]*"')


def test_the_stylesheet_keeps_every_rule_and_string() -> None:
    source = (HERE / "moot.css").read_text(encoding="utf-8")
    small = minify_css(source)
    assert "/*" not in small and "\n" not in small.rstrip("\n")
    uncommented = re.sub(r"/\*.*?\*/", "", source, flags=re.S)
    assert small.count("{") == uncommented.count("{") > 100
    assert small.count("}") == uncommented.count("}")
    assert _STRING.findall(small) == _STRING.findall(uncommented)
    assert len(small) < 0.9 * len(source)


def test_minified_css_reads_as_written() -> None:
    css = (
        "/* a note, with 'quotes' */\na,\nb > c {\n  color: red;\n"
        '  content: "; { ";\n}\n@media (max-width: 40rem) {\n  .x .y { margin: 0 1rem; }\n}\n'
    )
    assert minify_css(css) == (
        'a, b > c{color: red;content: "; { ";}@media (max-width: 40rem){.x .y{margin: 0 1rem;}}\n'
    )


def test_the_script_still_parses(tmp_path: object) -> None:
    source = (HERE / "moot.js").read_text(encoding="utf-8")
    small = minify_js(source)
    assert len(small) < 0.85 * len(source)
    assert not any(line.startswith("//") for line in small.splitlines())
    checked = subprocess.run(
        ["node", "--check", "-"], input=small, capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stderr


def test_served_with_an_etag(server: Server) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as http:
        for name, asset in ASSETS.items():
            first = http.get(f"/static/{name}")
            assert first.status_code == 200
            assert first.content == asset.body
            assert first.headers["content-type"].startswith(asset.media_type.split(";")[0])
            again = http.get(f"/static/{name}", headers={"If-None-Match": first.headers["etag"]})
            assert again.status_code == 304 and again.content == b""
        assert http.get("/static/nothing.css").status_code == 404
        assert http.get("/static/../pyproject.toml").status_code == 404
