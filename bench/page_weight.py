"""Page weight of the web interface: the bytes of HTML, CSS and JavaScript a browser loads
for the front page, a community, a post page with 50 comments and a member's profile
(pictures aside, uncompressed).

    .venv/bin/python -m bench.page_weight [--script-instead FILE] [--json OUT]

Starts a real `moot serve` on a fresh SQLite file (bench/run.py's server), fills it through
the API (members with avatars, a community with an icon, 25 posts — some of them uploaded
pictures — one with 50 comments, replies among them), then
opens each page in Debian's chromium through Playwright (the test extra) and adds up the
response bodies by resource type. Each page is measured anonymously and as a member, who
also gets the vote, save and reply controls. `--script-instead FILE` serves FILE in place of
static/moot.js, to weigh an alternative (htmx) on the same pages.
"""

from __future__ import annotations

import argparse
import io
import json
import platform
import random
import shutil
import subprocess
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from PIL import Image
from playwright.sync_api import Browser, Route, sync_playwright

from bench.run import ADMIN_NAME, ADMIN_PASSWORD, Server, free_port

CHROMIUM = "/usr/bin/chromium"
TARGET_BYTES = 100 * 1024
COUNTED = ("document", "stylesheet", "script")
PASSWORD = "bench-member-password"
TEXT = (
    "the community talked about bicycles trains and the river path near the old mill while "
    "somebody asked whether the library opens on sunday and another person shared a recipe "
    "for bread with a link to the market where the flour comes from and everyone agreed that "
    "the weather had been strange this spring though nobody could say why exactly"
)
WORDS = TEXT.split()


@dataclass
class Weight:
    page: str
    viewer: str
    bytes_by_type: dict[str, int] = field(default_factory=dict)
    images: int = 0

    @property
    def counted(self) -> int:
        return sum(self.bytes_by_type.get(kind, 0) for kind in COUNTED)


def _sentence(rng: random.Random, low: int, high: int) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    return " ".join(words).capitalize() + "."


def _comment_text(rng: random.Random) -> str:
    """One to three short paragraphs: a typical forum comment of a few hundred characters."""
    return "\n\n".join(_sentence(rng, 12, 40) for _ in range(rng.randint(1, 3)))


class Api:
    def __init__(self, base: str, token: str | None = None) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.http = httpx.Client(base_url=base, headers=headers, timeout=30)

    def call(self, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.http.request(method, path, json=body)
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data

    def picture(self, rng: random.Random) -> str:
        """The address of a freshly uploaded picture of one random colour."""
        buffer = io.BytesIO()
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        Image.new("RGB", (320, 240), colour).save(buffer, "PNG")
        origin = str(self.http.base_url).removesuffix("/api/v3/")
        files = [("images[]", ("p.png", buffer.getvalue(), "image/png"))]
        response = httpx.post(
            f"{origin}/pictrs/image", files=files, headers=self.http.headers, timeout=30
        )
        response.raise_for_status()
        return f"{origin}/pictrs/image/{response.json()['files'][0]['file']}"


def fill(server: Server, rng: random.Random) -> tuple[str, int]:
    """Members, a community, 25 posts and a 50-comment thread; returns (a member's token,
    the thread's post id)."""
    admin_token = Api(server.api).call(
        "POST", "/user/login", {"username_or_email": ADMIN_NAME, "password": ADMIN_PASSWORD}
    )["jwt"]
    limits = {
        f"rate_limit_{b}": 100000
        for b in ("message", "post", "register", "image", "comment", "search")
    }
    Api(server.api, admin_token).call("PUT", "/site", {"registration_mode": "Open", **limits})
    members = []
    for i in range(5):
        name = f"member{i}"
        token = Api(server.api).call(
            "POST",
            "/user/register",
            {"username": name, "password": PASSWORD, "password_verify": PASSWORD},
        )["jwt"]
        members.append(Api(server.api, token))
        members[-1].call("PUT", "/user/save_user_settings", {"avatar": members[-1].picture(rng)})
    community = members[0].call(
        "POST",
        "/community",
        {
            "name": "town",
            "title": "Town square",
            "description": _comment_text(rng),
            "icon": members[0].picture(rng),
        },
    )["community_view"]["community"]["id"]
    for member in members[1:]:
        member.call("POST", "/community/follow", {"community_id": community, "follow": True})
    post_ids = []
    for i in range(25):
        body: dict[str, Any] = {"name": _sentence(rng, 5, 12)[:190], "community_id": community}
        author = members[i % len(members)]
        if i % 3 == 0:
            body["url"] = f"https://example.org/articles/{i}"
        elif i % 5 == 1:
            body["url"] = author.picture(rng)
        if i % 2 == 0:
            body["body"] = _comment_text(rng)
        post_ids.append(author.call("POST", "/post", body)["post_view"]["post"]["id"])
    thread = post_ids[-1]
    comment_ids: list[int] = []
    for i in range(50):
        body = {"post_id": thread, "content": _comment_text(rng)}
        if comment_ids and i % 5 in (2, 4):  # two in five answer an earlier comment
            body["parent_id"] = rng.choice(comment_ids)
        author = members[i % len(members)]
        comment_ids.append(author.call("POST", "/comment", body)["comment_view"]["comment"]["id"])
        if i % 4 == 0:
            members[(i + 1) % len(members)].call(
                "POST", "/comment/like", {"comment_id": comment_ids[-1], "score": 1}
            )
    return str(members[1].http.headers["Authorization"].split()[1]), thread


def weigh(
    browser: Browser, url: str, page_name: str, viewer: str, token: str | None, script: bytes | None
) -> Weight:
    context = browser.new_context()
    if token:
        context.add_cookies([{"name": "jwt", "value": token, "url": url}])

    def serve(route: Route) -> None:
        if script is not None and route.request.url.endswith("/static/moot.js"):
            route.fulfill(body=script, content_type="text/javascript")
        elif route.request.url.startswith(url.split("/", 3)[0] + "//127.0.0.1"):
            route.continue_()  # the instance's own pictures load, and are counted apart
        else:
            route.abort()  # pictures elsewhere are never fetched

    context.route("**/*", serve)
    weight = Weight(page_name, viewer)
    page = context.new_page()

    def seen(response: Any) -> None:
        kind = response.request.resource_type
        if kind == "eventsource":
            return  # the live stream (moot/web/live.py) stays open: events, not the page
        if kind == "image":
            weight.images += 1
            return
        weight.bytes_by_type[kind] = weight.bytes_by_type.get(kind, 0) + len(response.body())

    page.on("response", seen)
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    context.close()
    return weight


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    chromium = subprocess.run(
        [CHROMIUM, "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    cores = sum(
        1 for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("processor")
    )
    system = f"{platform.system()} {platform.release()}"
    return f"{cores} cores ({cpu}), {system}, Python {platform.python_version()}, {chromium}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--script-instead", type=Path, help="serve this file as moot.js")
    parser.add_argument("--json", type=Path, help="write the results here as JSON")
    args = parser.parse_args()
    script = args.script_instead.read_bytes() if args.script_instead else None

    folder = Path(tempfile.mkdtemp(prefix="moot-weight-"))
    server = Server(f"sqlite:///{folder / 'moot.sqlite3'}", free_port())
    server.start()
    try:
        token, thread = fill(server, random.Random(7))
        base = server.api.removesuffix("/api/v3")
        pages = [
            ("home", f"{base}/?type=All"),
            ("community", f"{base}/c/town"),
            ("post, 50 comments", f"{base}/post/{thread}"),
            ("profile", f"{base}/u/member1"),
        ]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            results = [
                weigh(browser, url, name, viewer, viewer_token, script)
                for name, url in pages
                for viewer, viewer_token in (("anonymous", None), ("member", token))
            ]
            browser.close()
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)

    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"Measured {when} on {machine()}")
    if args.script_instead:
        print(f"with {args.script_instead} ({len(script or b'')} bytes) served as moot.js")
    print("| page | viewer | HTML | CSS | JS | total | images | under 100 KB |")
    print("|---|---|---:|---:|---:|---:|---:|---|")
    for w in results:
        b = w.bytes_by_type
        print(
            f"| {w.page} | {w.viewer} | {b.get('document', 0):,} | {b.get('stylesheet', 0):,} "
            f"| {b.get('script', 0):,} | **{w.counted:,}** ({w.counted / 1024:.1f} KB) "
            f"| {w.images} | {'yes' if w.counted < TARGET_BYTES else 'NO'} |"
        )
    if args.json:
        args.json.write_text(
            json.dumps([asdict(w) | {"counted": w.counted} for w in results], indent=1)
        )


if __name__ == "__main__":
    main()
