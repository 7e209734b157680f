"""The pixel budget is applied from the headers, before any pixel is decoded."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from moot.media.images import MAX_FRAMES, Limits, PictureTooLarge, clean_upload
from tests.media.bombs import gif_of_big_frames, png_claiming

LIMITS = Limits(max_bytes=10 * 1024 * 1024, max_pixels=25_000_000)


def _decoded_images() -> int:
    """How many pixel buffers Pillow has made in this process (its allocator's count)."""
    return int(Image.core.get_stats()["new_count"])


def test_many_big_frames_are_refused_before_decoding() -> None:
    # The probe's GIF: 4 frames of 25 M pixels each (100 M in all), a hundred bytes here.
    bomb = gif_of_big_frames(5000, 5000, 4)
    assert len(bomb) < 200
    before = _decoded_images()
    with pytest.raises(PictureTooLarge, match="4 frames of 5000x5000"):
        clean_upload(bomb, LIMITS)
    assert _decoded_images() == before
    # One such frame is within the budget, and the same check lets it through to decoding.
    small = gif_of_big_frames(500, 500, 4)
    assert clean_upload(small, LIMITS).width == 500
    assert _decoded_images() > before


def test_too_many_frames_are_refused() -> None:
    with pytest.raises(PictureTooLarge, match="too long"):
        clean_upload(gif_of_big_frames(1, 1, MAX_FRAMES + 1), LIMITS)


def test_a_30k_square_png_is_too_large_not_a_wrong_type() -> None:
    before = _decoded_images()
    with pytest.raises(PictureTooLarge, match="too large") as refused:
        clean_upload(png_claiming(30_000, 30_000), LIMITS)
    assert "bomb" not in str(refused.value.message)  # moot's words, not Pillow's
    assert _decoded_images() == before
    # The crafted file is a real PNG: at a size within the limits it decodes.
    with Image.open(io.BytesIO(png_claiming(30, 4))) as fine:
        fine.load()
