"""The people of the moderation tests, as pythorhead clients, and small helpers."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from pythorhead import Lemmy

from tests.conftest import register, unique
from tests.servers import ADMIN_NAME, ADMIN_PASSWORD, Server

PASSWORD = "password-123"


def login(server: Server, name: str, password: str = PASSWORD) -> Lemmy:
    lemmy = Lemmy(server.url, raise_exceptions=True, request_timeout=30)
    assert lemmy.log_in(name, password)
    return lemmy


def person_id(lemmy: Lemmy) -> int:
    site = lemmy.site.get()
    assert site is not None
    return int(site["my_user"]["local_user_view"]["person"]["id"])


def new_member(server: Server, prefix: str = "pm") -> tuple[Lemmy, int, str]:
    """A freshly registered member: (client, person id, name)."""
    name = unique(prefix)
    register(server, name, PASSWORD)
    lemmy = login(server, name)
    return lemmy, person_id(lemmy), name


@dataclass
class Cast:
    """A community run by `mod`, where `user` writes and `outsider` has no say."""

    server: Server
    admin: Lemmy
    admin_id: int
    mod: Lemmy
    mod_id: int
    user: Lemmy
    user_id: int
    outsider: Lemmy
    outsider_id: int
    community_id: int

    def post(self, title: str = "A post", who: Lemmy | None = None) -> dict[str, Any]:
        created = (who or self.user).post.create(self.community_id, title)
        assert created is not None
        return dict(created["post_view"]["post"])

    def comment(
        self, post_id: int, text: str = "A comment", who: Lemmy | None = None
    ) -> dict[str, Any]:
        created = (who or self.user).comment.create(post_id, text)
        assert created is not None
        return dict(created["comment_view"]["comment"])

    def api(self, who: Lemmy, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """A route pythorhead has no method for, through its own request machinery."""
        from pythorhead.requestor import Request

        answer = who._requestor.api(Request[method], path, **kwargs)
        assert answer is not None
        return dict(answer)


def make_cast(server: Server) -> Cast:
    admin = login(server, ADMIN_NAME, ADMIN_PASSWORD)
    mod, mod_id, _ = new_member(server, "pmod")
    user, user_id, _ = new_member(server, "puser")
    outsider, outsider_id, _ = new_member(server, "pout")
    created = mod.community.create(name=unique("pcom"), title="pythorhead moderation")
    assert created is not None
    return Cast(
        server,
        admin,
        person_id(admin),
        mod,
        mod_id,
        user,
        user_id,
        outsider,
        outsider_id,
        int(created["community_view"]["community"]["id"]),
    )


def lemmy_error(call: Callable[..., Any], *args: Any, **kwargs: Any) -> str:
    """The Lemmy error code a pythorhead call fails with (pythorhead raises with the body)."""
    with pytest.raises(Exception, match="Error encountered") as failure:
        call(*args, **kwargs)
    text = str(failure.value)
    return str(json.loads(text[text.index("{") :])["error"])


def js_step(summary: dict[str, Any], name: str) -> None:
    """The lemmy-js-client walk did this action, with its refusals, without a failure."""
    assert name not in summary["failed"], f"lemmy-js-client step {name}:\n{summary['failed'][name]}"
    assert name in summary["passed"], f"lemmy-js-client never ran step {name}"
