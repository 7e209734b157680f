"""The S3 settings and the request signature, without a server (tests/live/test_s3_storage.py
has the server)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from moot.config import load_settings
from moot.media.s3 import S3Storage
from moot.media.sigv4 import EMPTY_SHA256, sign
from moot.media.storage import LocalStorage, open_storage


def test_the_published_sigv4_example_signs_as_aws_says() -> None:
    """The worked example of Amazon's S3 documentation ("Example: GET Object"), with the
    signature it gives."""
    headers = sign(
        "GET",
        "https://examplebucket.s3.amazonaws.com/test.txt",
        {},
        EMPTY_SHA256,
        access_key="AKIAIOSFODNN7EXAMPLE",
        secret_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        region="us-east-1",
        now=datetime(2013, 5, 24, tzinfo=UTC),
        headers={"Range": "bytes=0-9"},
    )
    assert headers["authorization"] == (
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    )


def test_without_an_endpoint_pictures_stay_on_disk(tmp_path: object) -> None:
    settings = load_settings({"MOOT_DATA_DIR": str(tmp_path)})
    storage = open_storage(settings)
    assert isinstance(storage, LocalStorage)
    assert storage.root == settings.media_dir
    assert storage.public_url("a.png") is None


async def test_an_endpoint_chooses_the_store() -> None:
    settings = load_settings(
        {
            "MOOT_S3_ENDPOINT": "http://127.0.0.1:9000/",
            "MOOT_S3_BUCKET": "pics",
            "MOOT_S3_ACCESS_KEY": "key",
            "MOOT_S3_SECRET_KEY": "secret",
            "MOOT_S3_PUBLIC_URL": "https://cdn.example.org/p/",
        }
    )
    storage = open_storage(settings)
    try:
        assert isinstance(storage, S3Storage)
        assert storage.base == "http://127.0.0.1:9000/pics"
        assert storage.public_url("a.png") == "https://cdn.example.org/p/a.png"
        with pytest.raises(ValueError):
            storage.public_url("../moot.sqlite3")
    finally:
        await storage.close()


def test_an_endpoint_without_bucket_or_keys_is_refused() -> None:
    with pytest.raises(ValueError, match="MOOT_S3_BUCKET, MOOT_S3_ACCESS_KEY"):
        load_settings({"MOOT_S3_ENDPOINT": "http://127.0.0.1:9000", "MOOT_S3_SECRET_KEY": "s"})
