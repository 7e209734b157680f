"""A name's skeleton: what it looks like, so that a display name can be compared with the
account names it might pose as: "admin" written with a Cyrillic a, in full-width letters or
with an accent all read as "admin".

Compatibility forms are folded (NFKD: full-width and mathematical letters, ligatures), accents
and invisible or formatting characters dropped, the Cyrillic and Greek letters that look like
Latin ones replaced by them, and case folded. This is the part of Unicode's confusable
skeleton (UTS #39) that matters for names written in Latin; it does not try to be the whole
table.
"""

from __future__ import annotations

import unicodedata

from moot.validation import INVISIBLE_CHARS

# Cyrillic and Greek letters that render like a Latin letter in common fonts, upper and lower
# case, by the lower-case Latin letter they imitate (written as escapes: they look the same).
_IMITATED = {
    "a": "\u0430\u0410\u03b1\u0391",
    "b": "\u0432\u0412\u03b2\u0392",
    "c": "\u0441\u0421",
    "d": "\u0501",
    "e": "\u0435\u0415\u0451\u03b5\u0395",
    "h": "\u04bb\u041d\u043d\u0397",
    "i": "\u0456\u0406\u03b9\u0399",
    "j": "\u0458\u0408",
    "k": "\u043a\u041a\u03ba\u039a",
    "l": "\u04cf\u04c0",
    "m": "\u043c\u041c\u039c",
    "n": "\u03b7\u039d",
    "o": "\u043e\u041e\u03bf\u039f",
    "p": "\u0440\u0420\u03c1\u03a1",
    "q": "\u051b",
    "s": "\u0455\u0405",
    "t": "\u0442\u0422\u03c4\u03a4",
    "u": "\u03c5",
    "v": "\u03bd",
    "w": "\u051d\u051c",
    "x": "\u0445\u0425\u03c7\u03a7",
    "y": "\u0443\u0423\u04af\u04ae\u03a5",
    "z": "\u0396",
}
_LOOKALIKES = {lookalike: latin for latin, all_ in _IMITATED.items() for lookalike in all_}

_DROPPED_CATEGORIES = {"Mn", "Me", "Cf"}  # accents and other marks, formatting characters


def skeleton(text: str) -> str:
    """What `text` looks like, lower-case Latin where it imitates Latin."""
    out = []
    for ch in unicodedata.normalize("NFKD", text):
        if ch in INVISIBLE_CHARS or unicodedata.category(ch) in _DROPPED_CATEGORIES:
            continue
        out.append(_LOOKALIKES.get(ch, ch))
    return "".join(out).casefold().strip()
