"""Pillow work on uploaded pictures: check, clean, convert, shrink.

An upload is hostile input. It must decode as one of the formats below (whatever its
name or declared type says), stay within the byte and pixel limits before anything is
decoded (the headers give the size and the number of frames; an animation's frames all
count against one pixel budget, since each decodes to a full canvas and the encoder holds
them all), and it is re-encoded from its pixels, so EXIF (GPS
position, camera serial), XMP, text chunks and comments never reach the store. A JPEG is
turned upright by its EXIF orientation first, since that tag goes. Animated GIF, PNG
(APNG) and WebP keep every frame with its duration.

Everything here is CPU work in plain functions; callers run it in a thread.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError, features

from moot.errors import ApiError, ErrorCode

__all__ = [
    "FORMATS",
    "LONGEST_SIDE",
    "Limits",
    "Picture",
    "PictureTooLarge",
    "clean_upload",
    "content_type_of",
    "needed_thumbnail",
    "render",
    "rendition_key",
    "rendition_type",
]

# Pillow's format name → (file extension, content type), for what uploads may be.
_UPLOADABLE: Final = {
    "PNG": ("png", "image/png"),
    "JPEG": ("jpg", "image/jpeg"),
    "GIF": ("gif", "image/gif"),
    "WEBP": ("webp", "image/webp"),
    "AVIF": ("avif", "image/avif"),
}
_BY_EXTENSION: Final = {ext: kind for ext, kind in _UPLOADABLE.values()}

# pict-rs's `format=` values → the Pillow writer (None: no writer in Pillow) and type.
FORMATS: Final[dict[str, tuple[str | None, str]]] = {
    "apng": ("PNG", "image/apng"),
    "avif": ("AVIF", "image/avif"),
    "gif": ("GIF", "image/gif"),
    "jpg": ("JPEG", "image/jpeg"),
    "jxl": (None, "image/jxl"),
    "png": ("PNG", "image/png"),
    "webp": ("WEBP", "image/webp"),
}


def check_rendition(format: str | None, thumbnail: int | None) -> None:
    """The `format` and `thumbnail` of a picture request, as pict-rs takes them."""
    if format is not None and format not in FORMATS:
        raise ApiError(ErrorCode.PICTRS_RESPONSE_ERROR, f"format must be one of {list(FORMATS)}")
    if thumbnail is not None and thumbnail < 1:
        raise ApiError(ErrorCode.PICTRS_RESPONSE_ERROR, "thumbnail must be a positive size")


_FEATURE: Final = {"WEBP": "webp", "AVIF": "avif"}

# pict-rs's default frame limit: past it, per-frame overhead costs more than the pixels.
MAX_FRAMES: Final = 900

# No picture is longer than this on a side (PNG's limit; the others' are smaller).
LONGEST_SIDE: Final = 2**31 - 1

# Per-frame facts the re-encoder needs; every other `info` key (exif, xmp, comment,
# text chunks, dpi, …) is dropped with the original bytes.
_FRAME_KEYS: Final = ("duration", "transparency", "disposal", "blend", "background")


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_pixels: int


@dataclass(frozen=True)
class Picture:
    """A cleaned upload, ready to store."""

    data: bytes
    extension: str
    content_type: str
    width: int
    height: int


def content_type_of(name: str) -> str:
    """The content type a stored picture is served with, from its extension."""
    return _BY_EXTENSION.get(name.rsplit(".", 1)[-1], "application/octet-stream")


def _writable(pillow_format: str) -> bool:
    feature = _FEATURE.get(pillow_format)
    return feature is None or bool(features.check(feature))


class PictureTooLarge(ApiError):
    """Over the byte or pixel limit. pict-rs refuses these and Lemmy passes its answer on;
    the nearest code in Lemmy's catalogue is pictrs_response_error (docs/decisions.md).
    The pict-rs routes answer it with status 413, which lemmy-js-client reports as
    `too_large`."""

    def __init__(self, message: str) -> None:
        super().__init__(ErrorCode.PICTRS_RESPONSE_ERROR, message)


def _open(data: bytes, limits: Limits) -> Image.Image:
    if len(data) > limits.max_bytes:
        raise PictureTooLarge(f"file too large: {len(data)} bytes, at most {limits.max_bytes}")
    try:
        with warnings.catch_warnings():
            # Our pixel limit below is the one that counts; Pillow's would only warn.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(_UPLOADABLE))
    except Image.DecompressionBombError as exc:
        # Pillow refuses past twice its own limit (~179 Mpx), before our check could run.
        bound = 2 * (Image.MAX_IMAGE_PIXELS or 0)
        raise PictureTooLarge(
            f"image too large: over {bound} pixels, at most {limits.max_pixels} in all"
        ) from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ApiError(ErrorCode.NOT_AN_IMAGE_TYPE) from exc
    try:
        _check_budget(image, limits)
    except BaseException:
        image.close()
        raise
    return image


def _check_budget(image: Image.Image, limits: Limits) -> None:
    """Refuses a picture whose pixels, over all its frames, exceed the budget. Only headers
    are read: `n_frames` walks the frame headers (GIF) or reads the declared count (APNG,
    WebP) without decoding a pixel."""
    width, height = image.size
    if width < 1 or height < 1:
        raise ApiError(ErrorCode.NOT_AN_IMAGE_TYPE)
    if width * height > limits.max_pixels:
        raise PictureTooLarge(
            f"image too large: {width}x{height} pixels, at most {limits.max_pixels} in all"
        )
    try:
        frames = int(getattr(image, "n_frames", 1))
    except (OSError, ValueError, EOFError, SyntaxError) as exc:  # broken frame headers
        raise ApiError(ErrorCode.NOT_AN_IMAGE_TYPE) from exc
    if frames > MAX_FRAMES:
        raise PictureTooLarge(f"animation too long: {frames} frames, at most {MAX_FRAMES}")
    if frames * width * height > limits.max_pixels:
        raise PictureTooLarge(
            f"animation too large: {frames} frames of {width}x{height} pixels, "
            f"at most {limits.max_pixels} pixels over all frames"
        )


def _frames(image: Image.Image, size: int | None) -> Iterator[Image.Image]:
    for frame in ImageSequence.Iterator(image):
        clean = frame.copy()
        clean.info = {key: frame.info[key] for key in _FRAME_KEYS if key in frame.info}
        if size is not None:
            if clean.mode in ("P", "1"):  # palette pictures would shrink by nearest pixel
                clean = clean.convert("RGBA")
            clean.thumbnail((size, size))
        yield clean


def _flatten(frame: Image.Image) -> Image.Image:
    """For writers without alpha (JPEG): transparent areas become white, not black."""
    if frame.mode in ("RGB", "L", "CMYK"):
        return frame
    rgba = frame.convert("RGBA")
    white = Image.new("RGB", rgba.size, (255, 255, 255))
    white.paste(rgba, mask=rgba.getchannel("A"))
    return white


def _encode(image: Image.Image, pillow_format: str, size: int | None, animate: bool) -> bytes:
    options: dict[str, Any] = {}
    icc = image.info.get("icc_profile")  # colour, not metadata: kept so colours stay true
    if icc:
        options["icc_profile"] = icc
    if animate and getattr(image, "n_frames", 1) > 1:
        frames = list(_frames(image, size))
        options["save_all"] = True
        options["append_images"] = frames[1:]
        options["duration"] = [f.info.get("duration", 100) for f in frames]
        options["loop"] = image.info.get("loop", 0)
        first = frames[0]
    else:
        # The orientation tag goes with the rest of EXIF, so turn the pixels upright.
        first = next(_frames(ImageOps.exif_transpose(image), size))
    if pillow_format == "JPEG":
        first = _flatten(first)
    if pillow_format in ("JPEG", "WEBP", "AVIF"):
        options["quality"] = 90
    out = io.BytesIO()
    first.save(out, format=pillow_format, **options)
    return out.getvalue()


def _measure(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as again:
        return again.size


def clean_upload(data: bytes, limits: Limits) -> Picture:
    """Checks an upload and re-encodes it in its own format without its metadata.

    Raises `ApiError(not_an_image_type)` for anything that is not a picture of an
    accepted format, `ApiError(pictrs_response_error)` for one over the limits."""
    image = _open(data, limits)
    with image:
        pillow_format = str(image.format)
        if not _writable(pillow_format):
            raise ApiError(ErrorCode.NOT_AN_IMAGE_TYPE)
        extension, content_type = _UPLOADABLE[pillow_format]
        try:
            cleaned = _encode(image, pillow_format, None, animate=True)
        except (OSError, ValueError, SyntaxError) as exc:  # truncated or corrupt pixel data
            raise ApiError(ErrorCode.NOT_AN_IMAGE_TYPE) from exc
    width, height = _measure(cleaned)
    return Picture(cleaned, extension, content_type, width, height)


def render(data: bytes, name: str, fmt: str | None, thumbnail: int | None) -> tuple[bytes, str]:
    """A stored picture as `GET /pictrs/image/{name}?format=&thumbnail=` serves it: in the
    asked format (else its own), its longest side at most `thumbnail` pixels if given.

    Raises `ApiError(pictrs_response_error)` for a format Pillow cannot write here."""
    if fmt is None and thumbnail is None:
        return data, content_type_of(name)
    own = name.rsplit(".", 1)[-1]
    wanted = fmt or own
    if wanted not in FORMATS:
        raise ApiError(ErrorCode.PICTRS_RESPONSE_ERROR, f"unknown format: {wanted}")
    pillow_format, content_type = FORMATS[wanted]
    if pillow_format is None or not _writable(pillow_format):
        raise ApiError(ErrorCode.PICTRS_RESPONSE_ERROR, f"format {wanted} is not available here")
    with Image.open(io.BytesIO(data)) as image:
        # "png" is a still picture; "apng" (or no format asked) keeps an animation moving.
        animate = wanted != "png" and pillow_format != "JPEG"
        return _encode(image, pillow_format, thumbnail, animate), content_type


def rendition_key(fmt: str | None, thumbnail: int | None) -> str:
    """The name a rendition is kept under beside its picture ("png-256", "own-full")."""
    return f"{fmt or 'own'}-{thumbnail or 'full'}"


def rendition_type(name: str, fmt: str | None) -> str:
    """The content type of picture `name` rendered in `fmt` (else in its own format)."""
    return FORMATS[fmt or name.rsplit(".", 1)[-1]][1]


def needed_thumbnail(data: bytes, thumbnail: int | None) -> int | None:
    """`thumbnail`, or None when the picture fits in it already (pictures are never
    enlarged), so every size past the picture's shares one rendition. Reads the header."""
    if thumbnail is None:
        return None
    with Image.open(io.BytesIO(data)) as image:
        return thumbnail if thumbnail < max(image.size) else None
