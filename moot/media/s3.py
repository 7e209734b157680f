"""Pictures on an S3-compatible object store (AWS S3, MinIO, Garage, Ceph, Swift's s3api, R2).

The keys are the local directory's layout: a picture is `<name>`, its renditions
`renditions/<name>/<format>-<size>`, so moving an instance from disk (`moot media
migrate-to-s3`) copies paths as they are. Requests are path-style (`<endpoint>/<bucket>/
<key>`), which every S3-compatible store answers, signed with SigV4 (moot/media/sigv4.py).

Originals are written with their content type and as immutable, so a public bucket or a CDN
in front of it (MOOT_S3_PUBLIC_URL) serves them as moot would.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from urllib.parse import quote
from xml.etree import ElementTree

import httpx

from moot.config import Settings
from moot.media.images import FORMATS, content_type_of
from moot.media.sigv4 import EMPTY_SHA256, sign
from moot.media.storage import RENDITIONS, check_rendition_key, valid_name

__all__ = ["S3Storage", "StorageError"]

# Originals never change under their name (as /pictrs/image answers them).
_IMMUTABLE = "public, max-age=31536000, immutable"
_S3_XML = "{http://s3.amazonaws.com/doc/2006-03-01/}"


class StorageError(RuntimeError):
    """The object store refused or failed a request."""


def _etag(response: httpx.Response) -> str:
    return str(response.headers.get("etag", "")).strip('"')


class S3Storage:
    """One bucket of an S3-compatible store; one HTTP connection pool per process."""

    def __init__(
        self,
        endpoint: str,
        bucket: str,
        access_key: str,
        secret_key: str,
        region: str,
        public_url: str = "",
    ) -> None:
        self.base = f"{endpoint.rstrip('/')}/{quote(bucket, safe='')}"
        self.public_base = public_url.rstrip("/")
        self._keys = {"access_key": access_key, "secret_key": secret_key, "region": region}
        # The store is the admin's own: no proxy from the environment, no address checks.
        self._http = httpx.AsyncClient(trust_env=False, timeout=60)

    @classmethod
    def from_settings(cls, settings: Settings) -> S3Storage:
        return cls(
            settings.s3_endpoint,
            settings.s3_bucket,
            settings.s3_access_key,
            settings.s3_secret_key,
            settings.s3_region,
            settings.s3_public_url,
        )

    async def close(self) -> None:
        await self._http.aclose()

    async def _request(
        self,
        method: str,
        key: str = "",
        *,
        params: dict[str, str] | None = None,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """One signed request on the bucket (`key` empty) or on one of its objects."""
        url = f"{self.base}/{quote(key, safe='/-_.~')}" if key else self.base
        signed = sign(
            method,
            url,
            params or {},
            hashlib.sha256(body).hexdigest() if body else EMPTY_SHA256,
            now=datetime.now(UTC),
            headers=headers,
            **self._keys,
        )
        return await self._http.request(method, url, params=params, content=body, headers=signed)

    @staticmethod
    def _check(response: httpx.Response, *ok: int) -> httpx.Response:
        if response.status_code not in ok:
            raise StorageError(
                f"object store: {response.request.method} {response.request.url.path} "
                f"answered {response.status_code}: {response.text[:300]}"
            )
        return response

    # Keys

    @staticmethod
    def key_of(name: str) -> str:
        if not valid_name(name):
            raise ValueError(f"not a stored picture's name: {name!r}")
        return name

    @classmethod
    def rendition_key_of(cls, name: str, key: str) -> str:
        return f"{RENDITIONS}/{cls.key_of(name)}/{check_rendition_key(key)}"

    # Objects

    async def put_object(self, key: str, data: bytes, content_type: str, cache: str = "") -> None:
        """Writes one object and checks the store got every byte (its ETag is the MD5 of a
        single-part upload)."""
        md5 = hashlib.md5(data)
        # Content-MD5: the store refuses a body that changed on the way.
        headers = {
            "content-type": content_type,
            "content-md5": base64.b64encode(md5.digest()).decode(),
        }
        if cache:
            headers["cache-control"] = cache
        response = self._check(await self._request("PUT", key, body=data, headers=headers), 200)
        if _etag(response) and _etag(response) != md5.hexdigest():
            raise StorageError(f"object store: {key} was stored with another checksum")

    async def get_object(self, key: str) -> bytes | None:
        response = self._check(await self._request("GET", key), 200, 404)
        return None if response.status_code == 404 else response.content

    async def holds(self, key: str, data: bytes) -> bool:
        """Whether the store has `key` with exactly these bytes (by its MD5 ETag)."""
        response = self._check(await self._request("HEAD", key), 200, 404)
        return response.status_code == 200 and _etag(response) == hashlib.md5(data).hexdigest()

    async def delete_object(self, key: str) -> None:
        self._check(await self._request("DELETE", key), 204, 200, 404)

    async def keys(self, prefix: str) -> list[str]:
        """Every key that starts with `prefix`, page after page."""
        found: list[str] = []
        params = {"list-type": "2", "prefix": prefix}
        while True:
            response = self._check(await self._request("GET", params=params), 200)
            root = ElementTree.fromstring(response.content)
            found += [el.text or "" for el in root.iter(f"{_S3_XML}Key")]
            token = root.findtext(f"{_S3_XML}NextContinuationToken")
            if root.findtext(f"{_S3_XML}IsTruncated") != "true" or not token:
                return found
            params = {**params, "continuation-token": token}

    # The Storage interface

    async def put(self, name: str, data: bytes) -> None:
        await self.put_object(self.key_of(name), data, content_type_of(name), _IMMUTABLE)

    async def get(self, name: str) -> bytes | None:
        return await self.get_object(self.key_of(name))

    async def delete(self, name: str) -> None:
        # The picture first, then its renditions: see `put_rendition` for why.
        await self.delete_object(self.key_of(name))
        for key in await self.keys(f"{RENDITIONS}/{name}/"):
            await self.delete_object(key)

    async def get_rendition(self, name: str, key: str) -> bytes | None:
        return await self.get_object(self.rendition_key_of(name, key))

    async def put_rendition(self, name: str, key: str, data: bytes) -> None:
        fmt = key.split("-", 1)[0]
        content_type = content_type_of(name) if fmt == "own" else FORMATS[fmt][1]
        object_key = self.rendition_key_of(name, key)
        await self.put_object(object_key, data, content_type, _IMMUTABLE)
        # Written, then the picture checked: a delete that removed the picture before this
        # check listed the rendition or is followed by this removal, so none outlives it.
        if (await self._request("HEAD", self.key_of(name))).status_code == 404:
            await self.delete_object(object_key)

    def public_url(self, name: str) -> str | None:
        return f"{self.public_base}/{self.key_of(name)}" if self.public_base else None
