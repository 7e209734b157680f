"""Another website, on loopback, for tests of what moot fetches from the web: pages whose
og:image is a picture (one with a description too), pictures, a text file, and a "picture"
over a byte limit. Every path ending in one of these names serves it (so each test can use
a folder of its own), and every request is counted by path."""

from __future__ import annotations

import io
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from PIL import Image

TOO_LARGE = 1_000_000  # huge.png is one byte over


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


PAGE = (
    b"<!doctype html><html><head><title>fallback</title>"
    b'<meta property="og:title" content="A page with a picture">'
    b'<meta property="og:image" content="og.png"></head><body>hi</body></html>'
)
# A page with all three of a link preview's parts: title, description and picture.
CARD = (
    b"<!doctype html><html><head><title>fallback</title>"
    b'<meta property="og:title" content="Walrus facts">'
    b'<meta property="og:description" content="Tusks, whiskers and a great deal of ice.">'
    b'<meta property="og:image" content="og.png"></head><body>hi</body></html>'
)
FILES: dict[str, tuple[str, bytes]] = {
    "page.html": ("text/html; charset=utf-8", PAGE),
    "card.html": ("text/html; charset=utf-8", CARD),
    "og.png": ("image/png", png(800, 400)),
    "pic.png": ("image/png", png(40, 20)),
    "pic2.png": ("image/png", png(30, 10)),
    "notes.txt": ("text/plain", b"not a picture at all"),
    "huge.png": ("image/png", b"\0" * (TOO_LARGE + 1)),
}


@dataclass
class RemoteSite:
    url: str = ""
    hits: Counter[str] = field(default_factory=Counter)


@contextmanager
def remote_site() -> Iterator[RemoteSite]:
    site = RemoteSite()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            site.hits[self.path] += 1
            name = self.path.rsplit("/", 1)[-1]
            if name not in FILES:
                self.send_error(404)
                return
            content_type, body = FILES[name]
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    site.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        httpd.shutdown()
        httpd.server_close()
