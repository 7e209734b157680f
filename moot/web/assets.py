"""The files under /static (moot.css, moot.js, the icon), read once when the app is built and
served from memory. The stylesheet and the script go out without their comments and
indentation: the pages' weight goal (100 KB for a member's 50-comment thread, style and
script included) left them 6 KB of notes a browser has no use for, while the files in the
repository keep them for the people who read them (docs/decisions.md, "Static files
served from memory, without their comments").

Each answer carries an ETag, and a browser that sends it back gets a 304 with no body.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from litestar import MediaType, Request, Response, get

HERE = Path(__file__).resolve().parent / "static"

# A comment, or a string (kept as written); what lies between is rules.
_CSS_PARTS = re.compile(r"""/\*.*?\*/|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'""", re.S)
_SPACE = re.compile(r"\s+")
# Around braces and semicolons a space means nothing; elsewhere one space stands for any
# run of whitespace, as CSS reads it.
_PUNCTUATION = re.compile(r" ?([{};]) ?")


def _rules(text: str) -> str:
    return _PUNCTUATION.sub(r"\1", _SPACE.sub(" ", text))


def minify_css(text: str) -> str:
    out: list[str] = []
    at = 0
    for part in _CSS_PARTS.finditer(text):
        out.append(_rules(text[at : part.start()]))
        if not part.group().startswith("/*"):
            out.append(part.group())
        at = part.end()
    out.append(_rules(text[at:]))
    return "".join(out).strip() + "\n"


def minify_js(text: str) -> str:
    """Whole-line comments and indentation left out; every statement keeps its own line,
    so nothing depends on where a semicolon would be inserted."""
    lines = (line.strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("//")) + "\n"


@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: str
    etag: str


def _asset(name: str, media_type: str) -> Asset:
    text = (HERE / name).read_text(encoding="utf-8")
    if name.endswith(".css"):
        text = minify_css(text)
    elif name.endswith(".js"):
        text = minify_js(text)
    body = text.encode()
    return Asset(body, media_type, '"' + hashlib.sha256(body).hexdigest()[:20] + '"')


ASSETS = {
    "moot.css": _asset("moot.css", "text/css; charset=utf-8"),
    "moot.js": _asset("moot.js", "text/javascript; charset=utf-8"),
    "icon.svg": _asset("icon.svg", "image/svg+xml"),
}


@get("/static/{name:str}", include_in_schema=False, media_type=MediaType.TEXT)
async def static_file(request: Request[Any, Any, Any], name: str) -> Response[bytes]:
    asset = ASSETS.get(name)
    if asset is None:
        return Response(b"Not found\n", status_code=404, media_type=MediaType.TEXT)
    # Asked again every time (no max-age): a new version shows at once, and the ETag makes
    # asking cheap.
    headers = {"ETag": asset.etag, "Cache-Control": "no-cache"}
    if request.headers.get("if-none-match") == asset.etag:
        return Response(b"", status_code=304, headers=headers)
    return Response(asset.body, media_type=asset.media_type, headers=headers)
