"""Reading headers in the raw ASGI form the wrappers around the app see them."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["header"]


def header(headers: Iterable[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    """The first value of header `name` (lower-case), or None. Request headers arrive in
    lower case; a response's are as the route wrote them, so both sides are compared so."""
    return next((bytes(value) for key, value in headers if key.lower() == name), None)
