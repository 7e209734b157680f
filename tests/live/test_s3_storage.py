"""Pictures on an S3-compatible object store (a real one: Swift's s3api, tests/s3server.py):
uploads, renditions and deletion through live `moot serve` processes, links straight at the
store, and `moot media migrate-to-s3` moving a populated instance off its disk.

What is in the bucket is read through Swift's own API, never through moot's S3 client."""

from __future__ import annotations

import io
import subprocess
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from PIL import Image

from moot.media.images import Limits, clean_upload
from tests.conftest import BACKENDS, Api, register
from tests.s3server import SwiftS3
from tests.servers import ADMIN_NAME, ADMIN_PASSWORD, Server, destroy, make_server

LIMITS = Limits(max_bytes=10 * 1024 * 1024, max_pixels=25_000_000)


def _bucket(swift: SwiftS3) -> str:
    name = f"moot-{uuid.uuid4().hex[:12]}"
    swift.make_bucket(name)
    return name


def _start(server: Server, env: dict[str, str]) -> None:
    server.start_env = env
    server.start()
    token = Api(server).ok(
        "POST", "/user/login", {"username_or_email": ADMIN_NAME, "password": ADMIN_PASSWORD}
    )["jwt"]
    limits = {f"rate_limit_{b}": 100000 for b in ("register", "image")}
    Api(server, token).ok("PUT", "/site", {"registration_mode": "Open", **limits})


@pytest.fixture(scope="module", params=BACKENDS)
def on_s3(request: pytest.FixtureRequest, swift: SwiftS3) -> Iterator[tuple[Server, str]]:
    """A live instance whose pictures are in a bucket of their own, served through moot."""
    bucket = _bucket(swift)
    server = make_server(request.param)
    try:
        _start(server, swift.settings(bucket))
        yield server, bucket
    finally:
        destroy(server)


def _picture(colour: str, size: tuple[int, int] = (120, 80)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def _http(server: Server, api: Api | None = None) -> httpx.Client:
    headers = dict(api.http.headers) if api is not None else {}
    headers.pop("host", None)
    return httpx.Client(base_url=server.url, headers=headers, timeout=60)


def _upload(server: Server, api: Api, data: bytes) -> dict[str, Any]:
    with _http(server, api) as http:
        response = http.post("/pictrs/image", files=[("images[]", ("p.png", data, "image/png"))])
    assert response.status_code == 201, response.text
    file: dict[str, Any] = response.json()["files"][0]
    return file


def _fetch(server: Server, name: str, **params: Any) -> httpx.Response:
    with _http(server) as http:
        return http.get(f"/pictrs/image/{name}", params=params)


def _local_files(server: Server) -> list[str]:
    media = server.data_dir / "media"
    return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())


def test_an_upload_lands_in_the_bucket_and_comes_back_unchanged(
    on_s3: tuple[Server, str], swift: SwiftS3
) -> None:
    server, bucket = on_s3
    data = _picture("teal")
    name = _upload(server, register(server), data)["file"]
    cleaned = clean_upload(data, LIMITS).data  # what moot stores: the upload re-encoded
    assert swift.keys(bucket) == [name]
    stored = swift.read(bucket, name)
    assert (stored.content, stored.headers["content-type"]) == (cleaned, "image/png")
    served = _fetch(server, name)
    assert served.status_code == 200
    assert (served.content, served.headers["content-type"]) == (cleaned, "image/png")
    assert _local_files(server) == []  # nothing went to the disk
    assert _fetch(server, "nothing-here.png").status_code == 404


def test_a_rendition_is_kept_in_the_store_and_served_from_it(
    on_s3: tuple[Server, str], swift: SwiftS3
) -> None:
    server, bucket = on_s3
    name = _upload(server, register(server), _picture("orange", (300, 200)))["file"]
    first = _fetch(server, name, format="jpg", thumbnail=60)
    assert first.status_code == 200, first.text
    with Image.open(io.BytesIO(first.content)) as small:
        assert (small.format, small.size) == ("JPEG", (60, 40))
    key = f"renditions/{name}/jpg-60"
    assert swift.keys(bucket, f"renditions/{name}/") == [key]
    assert swift.read(bucket, key).content == first.content
    # Replaced behind moot's back: the next answers are the store's object, not a render.
    marker = _picture("red", (6, 4))
    swift.overwrite(bucket, key, marker)
    for _ in range(3):
        again = _fetch(server, name, format="jpg", thumbnail=60)
        assert (again.status_code, again.content) == (200, marker)
    assert _local_files(server) == []


def test_deleting_a_picture_removes_it_and_its_renditions_from_the_store(
    on_s3: tuple[Server, str], swift: SwiftS3
) -> None:
    server, bucket = on_s3
    member = register(server)
    kept = _upload(server, member, _picture("navy"))["file"]
    file = _upload(server, member, _picture("olive", (200, 200)))
    name = file["file"]
    for params in ({"thumbnail": 50}, {"format": "webp"}):
        assert _fetch(server, name, **params).status_code == 200
    assert len(swift.keys(bucket, f"renditions/{name}/")) == 2
    with _http(server, member) as http:
        assert http.get(f"/pictrs/image/delete/{file['delete_token']}/{name}").status_code == 204
    assert swift.keys(bucket, name) == []
    assert swift.keys(bucket, f"renditions/{name}/") == []
    assert _fetch(server, name).status_code == 404
    assert _fetch(server, name, thumbnail=50).status_code == 404
    assert kept in swift.keys(bucket)  # the member's other picture stays


def test_with_a_public_url_readers_are_sent_to_the_store(swift: SwiftS3) -> None:
    """MOOT_S3_PUBLIC_URL: a picture as stored is a redirect to the store (whose bytes are
    moot's), pages link it there, and renditions are still moot's to make and keep. The
    database plays no part here, so one backend runs it."""
    bucket = _bucket(swift)
    public = swift.public_url(bucket)
    server = make_server("sqlite")
    try:
        _start(server, {**swift.settings(bucket), "MOOT_S3_PUBLIC_URL": public})
        member = register(server, "publicurl")
        data = _picture("purple")
        name = _upload(server, member, data)["file"]
        moved = _fetch(server, name)
        assert (moved.status_code, moved.headers["location"]) == (302, f"{public}/{name}")
        direct = httpx.get(moved.headers["location"], timeout=30)
        assert direct.status_code == 200
        assert direct.content == clean_upload(data, LIMITS).data
        assert direct.headers["cache-control"] == "public, max-age=31536000, immutable"
        rendition = _fetch(server, name, thumbnail=30)
        assert rendition.status_code == 200
        assert swift.keys(bucket, f"renditions/{name}/") == [f"renditions/{name}/own-30"]
        # A page shows the member's avatar from the store, not through moot.
        avatar = f"http://{server.hostname}/pictrs/image/{name}"
        member.ok("PUT", "/user/save_user_settings", {"avatar": avatar})
        with _http(server) as http:
            page = http.get("/u/publicurl")
        assert page.status_code == 200
        assert f'src="{public}/{name}"' in page.text
    finally:
        destroy(server)


def _migrate(server: Server, env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "moot", "media", "migrate-to-s3", *args],
        env=server.env(**env),
        cwd=server.data_dir,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.parametrize("backend", BACKENDS)
def test_migrate_to_s3_moves_a_populated_instance(backend: str, swift: SwiftS3) -> None:
    """Pictures and renditions made on disk are moved to the bucket; the instance, started
    again on the store, serves every one as before. Interrupted runs carry on, and a run
    with nothing left to move changes nothing."""
    server = make_server(backend)
    try:
        _start(server, {})
        member = register(server)
        names = [_upload(server, member, _picture(c))["file"] for c in ("red", "green", "blue")]
        before = {name: _fetch(server, name).content for name in names}
        thumb = _fetch(server, names[0], format="webp", thumbnail=40)
        assert thumb.status_code == 200
        on_disk = _local_files(server)
        assert on_disk == sorted([*names, f"renditions/{names[0]}/webp-40"])
        server.stop()

        bucket = _bucket(swift)
        env = swift.settings(bucket)
        # A first run that keeps the files stands for one stopped before it removed them.
        out = _migrate(server, env, "--keep-local")
        assert "4 sent to the store, 0 were there already" in out, out
        assert _local_files(server) == on_disk
        out = _migrate(server, env)
        assert "0 sent to the store, 4 were there already" in out, out
        assert _local_files(server) == []
        assert sorted(swift.keys(bucket)) == on_disk
        out = _migrate(server, env)
        assert "0 files" in out and "0 sent" in out, out

        _start(server, env)
        for name, body in before.items():
            served = _fetch(server, name)
            assert (served.status_code, served.content) == (200, body)
        again = _fetch(server, names[0], format="webp", thumbnail=40)
        assert (again.status_code, again.content) == (200, thumb.content)
        assert sorted(swift.keys(bucket)) == on_disk  # served from the store: nothing new
    finally:
        destroy(server)


def test_migrate_to_s3_explains_itself_and_needs_a_store(swift: SwiftS3) -> None:
    server = make_server("sqlite")
    try:
        shown = subprocess.run(
            [sys.executable, "-m", "moot", "media", "migrate-to-s3", "--help"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        shown = " ".join(shown.split())
        assert "stopped at any point and run again" in shown and "--keep-local" in shown
        refused = subprocess.run(
            [sys.executable, "-m", "moot", "media", "migrate-to-s3"],
            env=server.env(),
            cwd=server.data_dir,
            capture_output=True,
            text=True,
        )
        assert refused.returncode != 0
        assert "MOOT_S3_ENDPOINT" in refused.stderr
    finally:
        destroy(server)
