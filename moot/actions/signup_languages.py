"""A new account's languages, from the `Accept-Language` header of its registration.

As Lemmy 0.19: the account reads and writes in the header's languages that this instance
knows, plus "undetermined" (much content carries no language); when the header names none
it knows, or there is no header, in every language. The header's first language becomes
the interface language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa

from moot.db import models as m
from moot.db.engine import Connection

UNDETERMINED = 0
_LANGUAGE_CODE = re.compile(r"[a-z]{1,8}")


def preferred_codes(header: str | None) -> list[str]:
    """The header's primary language subtags ("de" of "de-CH"), most preferred first.

    Ties keep the header's order; `q=0` ("not acceptable"), the wildcard and entries that
    are not language tags are left out.
    """
    weighted: list[tuple[float, str]] = []
    for entry in (header or "").split(","):
        tag, *params = (part.strip() for part in entry.split(";"))
        code = tag.split("-", 1)[0].lower()
        if not _LANGUAGE_CODE.fullmatch(code):
            continue  # the wildcard, an empty entry, or junk
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            weighted.append((quality, code))
    weighted.sort(key=lambda qc: -qc[0])  # stable: ties keep the header's order
    return list(dict.fromkeys(code for _, code in weighted))


@dataclass(frozen=True)
class SignupLanguages:
    language_ids: list[int] | None  # None: every language
    interface_language: str | None  # None: "browser", the client's own choice


EVERY_LANGUAGE = SignupLanguages(language_ids=None, interface_language=None)


async def signup_languages(conn: Connection, header: str | None) -> SignupLanguages:
    codes = preferred_codes(header)
    if not codes:
        return EVERY_LANGUAGE
    rows = await conn.fetch_all(sa.select(m.language.c.id).where(m.language.c.code.in_(codes)))
    chosen = {int(r["id"]) for r in rows}
    return SignupLanguages(
        language_ids=sorted({UNDETERMINED, *chosen}) if chosen else None,
        interface_language=codes[0],
    )
