"""POST /user/register at the same moment: forms racing for one name leave one account, and
each account made has the languages of its own request's Accept-Language header (the
account's rows are written in the transaction that makes it, never another form's)."""

from __future__ import annotations

from tests.concurrency.burst import Call, burst
from tests.concurrency.world import PASSWORD, World
from tests.conftest import Api, unique

# Four headers, four different sets of languages (the last: none known, so every language);
# two forms race for each name, with two headers each (each form costs a bcrypt hash).
HEADERS = ("de", "fr-CH, fr;q=0.9", "es;q=0.5, it", "xx")


async def test_register(world: World) -> None:
    known = world.admin.api.ok("GET", "/site")["all_languages"]
    codes = {lang["code"]: lang["id"] for lang in known}
    expected = {
        "de": [0, codes["de"]],
        "fr-CH, fr;q=0.9": [0, codes["fr"]],
        "es;q=0.5, it": sorted([0, codes["es"], codes["it"]]),
        "xx": sorted(codes.values()),
    }
    names = [unique("ccreg") for _ in range(2)]
    calls = [
        Call(
            world.server.api,
            None,
            "POST",
            "/user/register",
            {"username": name, "password": PASSWORD, "password_verify": PASSWORD},
            who=f"{name} ({header})",
            headers=(("Accept-Language", header),),
        )
        for i, name in enumerate(names)
        for header in HEADERS[2 * i : 2 * i + 2]
    ]
    async with world.audit("POST /user/register") as audit:
        answers = await burst(calls)
        audit.answers("one burst, two names", answers, allowed=["user_already_exists"])
        for name in names:
            made = [a for a in answers if a.status == 200 and _name(a.call) == name]
            if not audit.expect(len(made) == 1, f"{name}: {len(made)} registrations succeeded"):
                continue
            header = dict(made[0].call.headers)["Accept-Language"]
            me = Api(world.server, made[0].data["jwt"]).ok("GET", "/site")["my_user"]
            languages = sorted(me["discussion_languages"])
            audit.expect(
                languages == expected[header],
                f"{name}, registered with Accept-Language {header!r}, reads {languages}",
            )


def _name(call: Call) -> str:
    return str((call.body or {})["username"])
