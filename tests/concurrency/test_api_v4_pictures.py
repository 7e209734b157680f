"""API v4's picture routes at the same moment: a member uploads several avatars at once
(one ends up the avatar, each upload a stored picture of theirs), then deletes one picture
from several requests at once (one 200, the others a clear `not_found`, never a 5xx)."""

from __future__ import annotations

import asyncio
import io

import httpx
from PIL import Image

from tests.concurrency.world import World

N = 6


def _png(shade: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (shade, 0, 0)).save(out, "PNG")
    return out.getvalue()


async def test_avatar_uploads_and_deletes_at_once(world: World) -> None:
    member = world.members[0]
    api = f"{world.server.url}/api/v4"
    headers = {"Authorization": f"Bearer {member.token}"}
    async with httpx.AsyncClient(base_url=api, headers=headers, timeout=60) as http:
        answers = await asyncio.gather(
            *(
                http.post("/account/avatar", files=[("images[]", (f"{i}.png", _png(i * 40)))])
                for i in range(N)
            )
        )
        assert [a.status_code for a in answers] == [200] * N, [a.text for a in answers]
        uploaded = {a.json()["image_url"] for a in answers}
        assert len(uploaded) == N
        me = (await http.get("/account")).json()["local_user_view"]["person"]
        assert me["avatar"] in uploaded, "the avatar is one of the pictures sent"
        listed = (await http.get("/account/media/list", params={"limit": 50})).json()["items"]
        mine = {item["local_image"]["pictrs_alias"] for item in listed}
        assert {url.rsplit("/", 1)[1] for url in uploaded} <= mine

        doomed = next(iter(uploaded)).rsplit("/", 1)[1]
        deletes = await asyncio.gather(
            *(http.request("DELETE", "/account/media", json={"filename": doomed}) for _ in range(N))
        )
        statuses = sorted(d.status_code for d in deletes)
        assert statuses == [200] + [404] * (N - 1), [d.text for d in deletes]
        assert all(d.json() == {"error": "not_found"} for d in deletes if d.status_code == 404)
        listed = (await http.get("/account/media/list", params={"limit": 50})).json()["items"]
        assert doomed not in {item["local_image"]["pictrs_alias"] for item in listed}
