"""Page forms count against the API's rate-limit buckets; inboxes and uploads do not."""

from __future__ import annotations

import pytest

from moot.ratelimit import RateLimitBucket
from moot.web import rate_limit_bucket


@pytest.mark.parametrize(
    ("method", "path", "bucket"),
    [
        ("POST", "/signup", RateLimitBucket.REGISTER),
        ("POST", "/create_post", RateLimitBucket.POST),
        ("POST", "/post/7/comment", RateLimitBucket.COMMENT),
        ("POST", "/post/7/remove", RateLimitBucket.MESSAGE),
        ("POST", "/c/cats/ban", RateLimitBucket.MESSAGE),
        ("POST", "/reports/posts/3/resolve", RateLimitBucket.MESSAGE),
        ("POST", "/u/bob/message", RateLimitBucket.MESSAGE),
        ("POST", "/admin/site", RateLimitBucket.MESSAGE),
        ("POST", "/settings/import", RateLimitBucket.IMPORT_USER_SETTINGS),
        ("POST", "/settings/password", RateLimitBucket.MESSAGE),
        ("GET", "/settings/export", None),
        ("GET", "/modlog", None),
        ("POST", "/inbox", None),
        ("POST", "/c/cats/inbox", None),
        ("POST", "/site_inbox", None),
    ],
)
def test_page_actions_share_the_api_buckets(
    method: str, path: str, bucket: RateLimitBucket | None
) -> None:
    assert rate_limit_bucket(method, path) == bucket
