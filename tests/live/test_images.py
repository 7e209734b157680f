"""Pictures through the pict-rs routes of a live server: upload, serve, convert, delete, list;
then the real clients' uploads (lemmy-js-client's `uploadImage`, pythorhead's `image`)."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path
from typing import Any

import httpx
from PIL import Image
from pythorhead import Lemmy

from tests.conftest import Api, register, unique
from tests.live.test_js_client import JS_DIR, _node
from tests.media.bombs import gif_of_big_frames, png_claiming
from tests.servers import Server

PASSWORD = "password-123"
GPS_IFD = 0x8825
ORIENTATION = 0x0112


def _encode(image: Image.Image, fmt: str, **options: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def _png() -> bytes:
    return _encode(Image.new("RGBA", (64, 48), (10, 200, 30, 128)), "PNG")


def _gif() -> bytes:
    frames = [Image.new("RGB", (40, 30), colour) for colour in ("red", "green", "blue")]
    return _encode(
        frames[0],
        "GIF",
        save_all=True,
        append_images=frames[1:],
        duration=[100, 200, 300],
        loop=0,
        comment=b"made by the test",
    )


def _jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    exif[GPS_IFD] = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)}
    exif[ORIENTATION] = 6  # shown turned a quarter: the stored picture must be upright
    return _encode(Image.new("RGB", (300, 200), "orange"), "JPEG", exif=exif)


def _client(server: Server, api: Api | None = None) -> httpx.Client:
    headers = dict(api.http.headers) if api is not None else {}
    headers.pop("host", None)
    return httpx.Client(base_url=server.url, headers=headers, timeout=60)


def _upload(server: Server, api: Api | None, *payloads: bytes) -> httpx.Response:
    files = [("images[]", (f"p{i}.bin", data, "image/jpeg")) for i, data in enumerate(payloads)]
    with _client(server, api) as http:
        return http.post("/pictrs/image", files=files)


def _uploaded(server: Server, api: Api, data: bytes) -> dict[str, Any]:
    response = _upload(server, api, data)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["msg"] == "ok"
    assert len(body["files"]) == 1
    file: dict[str, Any] = body["files"][0]
    return file


def _fetch(server: Server, name: str, **params: Any) -> httpx.Response:
    with _client(server) as http:
        return http.get(f"/pictrs/image/{name}", params=params)


def _picture(response: httpx.Response) -> Image.Image:
    assert response.status_code == 200, response.text
    return Image.open(io.BytesIO(response.content))


def _media_files(server: Server) -> set[str]:
    folder = server.data_dir / "media"
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def _aliases(api: Api, path: str = "/account/list_media") -> list[str]:
    return [v["local_image"]["pictrs_alias"] for v in api.ok("GET", path, limit=50)["images"]]


def test_png_jpeg_and_gif_uploads(server: Server) -> None:
    member = register(server)
    png = _uploaded(server, member, _png())
    assert png["file"].endswith(".png")
    assert png["delete_token"]
    assert png["details"]["width"] == 64
    assert png["details"]["height"] == 48
    assert png["details"]["content_type"] == "image/png"
    assert png["details"]["created_at"].endswith("Z")
    served = _fetch(server, png["file"])
    assert served.headers["content-type"] == "image/png"
    picture = _picture(served)
    assert (picture.size, picture.mode) == ((64, 48), "RGBA")
    assert picture.getpixel((5, 5)) == (10, 200, 30, 128)

    gif = _uploaded(server, member, _gif())
    assert gif["file"].endswith(".gif")
    assert gif["details"]["content_type"] == "image/gif"
    animation = _picture(_fetch(server, gif["file"]))
    assert animation.n_frames == 3  # still moving after the re-encode
    durations = []
    for index in range(3):
        animation.seek(index)
        durations.append(animation.info["duration"])
    assert durations == [100, 200, 300]
    assert "comment" not in animation.info

    assert _aliases(member) == [gif["file"], png["file"]]
    assert {png["file"], gif["file"]} <= _media_files(server)


def test_jpeg_loses_its_exif_and_stays_upright(server: Server) -> None:
    member = register(server)
    original = Image.open(io.BytesIO(_jpeg_with_gps()))
    assert GPS_IFD in original.getexif()  # the test's own file really carries a position
    file = _uploaded(server, member, _jpeg_with_gps())
    assert file["file"].endswith(".jpg")
    # Orientation 6 is applied to the pixels before the tag goes: 300x200 stands up.
    assert (file["details"]["width"], file["details"]["height"]) == (200, 300)
    served = _fetch(server, file["file"])
    assert served.headers["content-type"] == "image/jpeg"
    picture = _picture(served)
    assert picture.size == (200, 300)
    assert dict(picture.getexif()) == {}
    assert b"Exif" not in served.content
    assert b"TestCam" not in served.content
    stored = (server.data_dir / "media" / file["file"]).read_bytes()
    assert b"TestCam" not in stored


def test_a_non_image_is_refused_and_nothing_is_kept(server: Server) -> None:
    member = register(server)
    before = _media_files(server)
    for payload in (b"%PDF-1.4 not a picture at all", _png()[:40], b""):
        response = _upload(server, member, payload)
        assert response.status_code == 400, response.text
        assert response.json()["error"] == "not_an_image_type"
        assert response.json()["msg"]
    # A good file beside a bad one: the whole upload is refused.
    response = _upload(server, member, _png(), b"GIF89a nonsense")
    assert response.json()["error"] == "not_an_image_type"
    with _client(server, member) as http:
        nothing = http.post("/pictrs/image", files={"other": ("a.png", _png(), "image/png")})
    assert nothing.json()["error"] == "not_an_image_type"
    assert _aliases(member) == []
    assert _media_files(server) == before


def test_pictures_over_the_limits_are_refused_with_413(server: Server) -> None:
    member = register(server)
    before = _media_files(server)
    # 30 M pixels of black compress to a few kilobytes: refused by its header alone.
    huge = _encode(Image.new("L", (6000, 5000)), "PNG")
    assert len(huge) < 100_000
    response = _upload(server, member, huge)
    assert response.status_code == 413, response.text
    assert response.json()["error"] == "pictrs_response_error"
    assert "6000x5000" in response.json()["msg"]
    heavy = _upload(server, member, b"\xff" * (10 * 1024 * 1024 + 1))
    assert heavy.status_code == 413
    assert heavy.json()["error"] == "pictrs_response_error"
    assert _aliases(member) == []
    assert _media_files(server) == before


def test_big_frames_and_a_30k_square_are_refused_as_too_large(server: Server) -> None:
    """The probe's attacks: a tiny GIF of 4 frames of 25 M pixels (each decodes whole), and
    a PNG claiming 30000x30000. Both are refused from their headers as too large (the unit
    test in tests/media/test_picture_budget.py shows no pixel is decoded)."""
    member = register(server)
    before = _media_files(server)
    for bomb, words in (
        (gif_of_big_frames(5000, 5000, 4), "4 frames of 5000x5000"),
        (png_claiming(30_000, 30_000), "too large"),
    ):
        response = _upload(server, member, bomb)
        assert response.status_code == 413, response.text
        assert response.json()["error"] == "pictrs_response_error"
        assert words in response.json()["msg"]
    assert _aliases(member) == []
    assert _media_files(server) == before


def test_anonymous_upload_is_refused(server: Server) -> None:
    before = _media_files(server)
    response = _upload(server, None, _png())
    assert response.status_code == 401
    assert response.json()["error"] == "incorrect_login"
    assert _media_files(server) == before


def test_format_and_thumbnail(server: Server) -> None:
    member = register(server)
    file = _uploaded(server, member, _encode(Image.new("RGB", (400, 100), "navy"), "PNG"))
    webp = _fetch(server, file["file"], format="webp")
    assert webp.headers["content-type"] == "image/webp"
    assert (_picture(webp).format, _picture(webp).size) == ("WEBP", (400, 100))
    small = _picture(_fetch(server, file["file"], format="jpg", thumbnail=80))
    assert (small.format, small.size) == ("JPEG", (80, 20))
    same = _picture(_fetch(server, file["file"], thumbnail=1000))  # never enlarged
    assert (same.format, same.size) == ("PNG", (400, 100))
    moving = _uploaded(server, member, _gif())
    moving_webp = _picture(_fetch(server, moving["file"], format="webp", thumbnail=20))
    assert (moving_webp.size, moving_webp.n_frames) == ((20, 15), 3)
    still = _picture(_fetch(server, moving["file"], format="png"))
    assert getattr(still, "n_frames", 1) == 1
    for params in ({"format": "jxl"}, {"format": "bmp"}, {"thumbnail": 0}):
        refused = _fetch(server, file["file"], **params)
        assert refused.status_code == 400, params
        assert refused.json()["error"] == "pictrs_response_error"
    for name in ("nothing-here.png", "..%2Fmoot.sqlite3", "server.log"):
        assert _fetch(server, name).status_code == 404


def _renditions(server: Server, name: str) -> list[str]:
    folder = server.data_dir / "media" / "renditions" / name
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_a_rendition_flood_renders_once(server: Server) -> None:
    """The probe's flood: the same `?format=png&thumbnail=N` again and again, anonymous.
    The first request renders and keeps the rendition beside the picture; the others are
    answered from it (the kept file is replaced by a marker, which they then serve)."""
    member = register(server)
    name = _uploaded(server, member, _encode(Image.new("RGB", (300, 200), "teal"), "JPEG"))["file"]
    first = _picture(_fetch(server, name, format="png", thumbnail=64))
    assert (first.format, first.size) == ("PNG", (64, 43))
    assert _renditions(server, name) == ["png-64"]
    marker = _encode(Image.new("RGB", (5, 5), "red"), "PNG")
    (server.data_dir / "media" / "renditions" / name / "png-64").write_bytes(marker)
    for _ in range(20):
        again = _fetch(server, name, format="png", thumbnail=64)
        assert again.status_code == 200
        assert (again.content, again.headers["content-type"]) == (marker, "image/png")
    # Every size at least as large as the picture is one rendition: the picture itself.
    for size in (300, 1000, 10**9, 10**40):
        assert _picture(_fetch(server, name, format="png", thumbnail=size)).size == (300, 200)
    assert _renditions(server, name) == ["png-64", "png-full"]
    with _client(server, member) as http:
        assert http.get(f"/pictrs/image/delete/x/{name}").status_code == 204
    assert _renditions(server, name) == []
    assert _fetch(server, name, format="png", thumbnail=64).status_code == 404


def test_renders_are_rate_limited_per_client(server: Server) -> None:
    """Renders take a token of the client's own rendition bucket (60 per 10 minutes);
    renditions already kept, and originals, take none."""
    member = register(server)
    name = _uploaded(server, member, _encode(Image.new("L", (128, 2)), "PNG"))["file"]
    flooder, other = (Api(server, ip=ip) for ip in ("198.51.100.88", "198.51.100.89"))
    with _client(server, flooder) as http:
        answers = [http.get(f"/pictrs/image/{name}?thumbnail={n}") for n in range(1, 62)]
        assert [a.status_code for a in answers] == [200] * 60 + [400]
        assert answers[-1].json()["error"] == "rate_limit_error"
        assert http.get(f"/pictrs/image/{name}?thumbnail=5").status_code == 200  # kept
        assert http.get(f"/pictrs/image/{name}").status_code == 200
    with _client(server, other) as http:
        assert http.get(f"/pictrs/image/{name}?thumbnail=61").status_code == 200
    assert len(_renditions(server, name)) == 61


def test_delete_by_owner_only_or_admin(server: Server, admin: Api) -> None:
    owner, other = register(server), register(server)
    file = _uploaded(server, owner, _png())
    path = f"/pictrs/image/delete/{file['delete_token']}/{file['file']}"
    with _client(server, other) as http:
        refused = http.get(path)
    assert refused.status_code == 400
    assert refused.json()["error"] == "not_an_admin"
    with _client(server) as http:
        assert http.get(path).json()["error"] == "incorrect_login"
    assert _fetch(server, file["file"]).status_code == 200
    # The token is not checked (Lemmy 0.19): the owner deletes with any.
    with _client(server, owner) as http:
        gone = http.get(f"/pictrs/image/delete/whatever/{file['file']}")
        assert gone.status_code == 204
        assert gone.content == b""
        assert http.get(path).status_code == 404
    assert _fetch(server, file["file"]).status_code == 404
    assert file["file"] not in _media_files(server)
    assert file["file"] not in _aliases(owner)

    second = _uploaded(server, owner, _png())
    with _client(server, admin) as http:
        assert http.get(f"/pictrs/image/delete/x/{second['file']}").status_code == 204
    assert _fetch(server, second["file"]).status_code == 404


def test_list_media_and_list_all_media(server: Server, admin: Api) -> None:
    one, two = register(server), register(server)
    first = _uploaded(server, one, _png())["file"]
    second = _uploaded(server, one, _gif())["file"]
    theirs = _uploaded(server, two, _png())["file"]
    listing = one.ok("GET", "/account/list_media")
    assert [v["local_image"]["pictrs_alias"] for v in listing["images"]] == [second, first]
    me = one.ok("GET", "/site")["my_user"]["local_user_view"]
    view = listing["images"][0]
    assert set(view) == {"local_image", "person"}
    assert set(view["local_image"]) == {
        "local_user_id",
        "pictrs_alias",
        "pictrs_delete_token",
        "published",
    }
    assert view["local_image"]["local_user_id"] == me["local_user"]["id"]
    assert view["person"]["id"] == me["person"]["id"]
    assert view["person"]["name"] == me["person"]["name"]
    assert [
        v["local_image"]["pictrs_alias"]
        for v in one.ok("GET", "/account/list_media", limit=1, page=2)["images"]
    ] == [first]
    assert _aliases(two) == [theirs]

    everyone = _aliases(admin, "/admin/list_all_media")
    assert everyone[:3] == [theirs, second, first]
    assert one.error("GET", "/admin/list_all_media") == (400, "not_an_admin")
    assert Api(server).error("GET", "/account/list_media") == (401, "incorrect_login")


def test_healthz(server: Server) -> None:
    with _client(server) as http:
        assert http.get("/pictrs/healthz").status_code == 200


def test_lemmy_js_client_uploads(server: Server) -> None:
    node = _node()
    name = unique("js")
    register(server, name, PASSWORD)
    result = subprocess.run(
        [node, str(JS_DIR / "images.mjs"), server.url, name, PASSWORD],
        cwd=JS_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"{result.stderr}\n{result.stdout}"
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary == {"ok": True, "steps": 6}


def test_pythorhead_uploads(server: Server, tmp_path: Path) -> None:
    name = unique("ph")
    register(server, name, PASSWORD)
    lemmy = Lemmy(server.url, raise_exceptions=True, request_timeout=30)
    assert lemmy.log_in(name, PASSWORD)
    path = tmp_path / "upload.jpg"
    path.write_bytes(_jpeg_with_gps())
    files = lemmy.image.upload(str(path))
    assert files is not None and len(files) == 1
    url = files[0]["image_url"]
    assert url.startswith(f"{server.url}/pictrs/image/")
    with httpx.Client(timeout=30) as http:
        picture = _picture(http.get(url))
        assert dict(picture.getexif()) == {}
        # pythorhead's other form: a Pillow image, which it sends as WebP.
        [webp] = lemmy.image.upload(Image.new("RGB", (32, 32), "purple"))
        assert _picture(http.get(webp["image_url"])).format == "WEBP"
        assert lemmy.image.delete(files[0]["delete_url"])
        assert http.get(url).status_code == 404
    assert _aliases_of(server, name) == [webp["image_url"].rsplit("/", 1)[1]]


def _aliases_of(server: Server, name: str) -> list[str]:
    token = Api(server).ok(
        "POST", "/user/login", {"username_or_email": name, "password": PASSWORD}
    )["jwt"]
    return _aliases(Api(server, token))


def test_uploads_use_the_image_rate_limit(server: Server, admin: Api) -> None:
    member = register(server)
    ip = "198.51.100.77"
    limited = Api(server, member.http.headers["authorization"].split(" ", 1)[1], ip=ip)
    admin.ok("PUT", "/site", {"rate_limit_image": 2})
    try:
        answers = [_upload(server, limited, b"not a picture").json()["error"] for _ in range(3)]
        # The refusals still take a token: the third is stopped before it is read.
        assert answers == ["not_an_image_type", "not_an_image_type", "rate_limit_error"]
        # Reading pictures is never limited.
        with _client(server, limited) as http:
            assert all(http.get("/pictrs/healthz").status_code == 200 for _ in range(5))
    finally:
        admin.ok("PUT", "/site", {"rate_limit_image": 100000})
