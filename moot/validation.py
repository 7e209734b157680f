"""Checks on what people type: names, titles, bodies, URLs, passwords and the slur filter.

Every limit and error code is Lemmy 0.19's (reference § 8), because clients show their own
message for each code and some enforce the same limits before sending. The functions are
pure: they raise `ApiError` or return the value to store.

Lengths are counted the way Lemmy counts them: some in characters (code points), most in
UTF-16 code units, which is what browsers and the JavaScript clients count. An emoji
outside the Basic Multilingual Plane is one character but two units.
"""

import ipaddress
import re
from collections.abc import Iterable, Sequence
from urllib.parse import SplitResult, quote, unquote_plus, urlsplit, urlunsplit

from moot.errors import ApiError, ErrorCode

ACTOR_NAME_MAX_LENGTH = 20  # the site's default `actor_name_max_length`
ACTOR_NAME_MIN_LENGTH = 3
DISPLAY_NAME_MIN_VISIBLE = 3
POST_TITLE_MIN_LENGTH = 3
POST_TITLE_MAX_LENGTH = 200
POST_BODY_MAX_LENGTH = 50_000  # UTF-16 units
BODY_MAX_LENGTH = 10_000  # comments, private messages, descriptions, sidebars; UTF-16 units
BIO_MAX_LENGTH = 1_000  # UTF-16 units
ALT_TEXT_MAX_LENGTH = 1_500  # UTF-16 units
REPORT_REASON_MAX_LENGTH = 1_000  # characters
SITE_NAME_MIN_LENGTH = 1  # UTF-16 units
SITE_NAME_MAX_LENGTH = 20
SITE_DESCRIPTION_MAX_LENGTH = 150
PASSWORD_MIN_LENGTH = 10  # characters
PASSWORD_MAX_LENGTH = 60
URL_MAX_LENGTH = 2_000  # UTF-16 units
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "magnet"})
SLUR_REPLACEMENT = "*removed*"

# Unicode's White_Space property: what Lemmy's (Rust's) `trim` removes. Python's bare
# `strip()` also removes U+001C..U+001F, so we name the set instead.
_WHITESPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)


def _code_points(ranges: Iterable[tuple[int, int]]) -> frozenset[str]:
    return frozenset(chr(cp) for low, high in ranges for cp in range(low, high + 1))


# Characters that render as nothing (or as blank space), which Lemmy refuses at the start of
# a display name and does not count towards its three-character minimum, so that nobody can
# look nameless or pose as someone else behind padding. 53 code points in all.
INVISIBLE_CHARS = _code_points(
    (
        (0x0009, 0x0009),  # character tabulation
        (0x00A0, 0x00A0),  # no-break space
        (0x00AD, 0x00AD),  # soft hyphen
        (0x034F, 0x034F),  # combining grapheme joiner
        (0x061C, 0x061C),  # Arabic letter mark
        (0x115F, 0x1160),  # Hangul choseong and jungseong fillers
        (0x17B4, 0x17B5),  # Khmer inherent vowels aq and aa
        (0x180E, 0x180E),  # Mongolian vowel separator
        (0x2000, 0x200F),  # en quad .. hair space, zero-width space and joiners, LRM, RLM
        (0x202F, 0x202F),  # narrow no-break space
        (0x205F, 0x2064),  # medium mathematical space, word joiner, invisible operators
        (0x206A, 0x206F),  # deprecated symmetric-swapping and shaping controls
        (0x2800, 0x2800),  # braille pattern blank
        (0x3000, 0x3000),  # ideographic space
        (0x3164, 0x3164),  # Hangul filler
        (0xFEFF, 0xFEFF),  # zero-width no-break space (byte order mark)
        (0xFFA0, 0xFFA0),  # halfwidth Hangul filler
        (0x1D159, 0x1D159),  # musical symbol null notehead
        (0x1D173, 0x1D17A),  # musical symbol begin/end beam, tie, slur and phrase
    )
)


# Embeddings, overrides and isolates: they reorder the text around them, so a name or title
# can show its letters in another order than they are stored (and spill into what follows).
BIDI_CONTROLS = _code_points(((0x202A, 0x202E), (0x2066, 0x2069)))


def _readable(text: str) -> bool:
    """No bidi control, and something visible besides blank and invisible characters."""
    return not any(ch in BIDI_CONTROLS for ch in text) and any(
        ch not in INVISIBLE_CHARS and not ch.isspace() for ch in text
    )


def _char_class(ranges: Iterable[tuple[int, int]]) -> str:
    return "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in ranges)


# Python's `re` has no \p{Script}; these are the Unicode blocks of each script (Unicode 15),
# which is close to the script-extension sets Lemmy's regex engine uses. U+FEFF sits in the
# Arabic Presentation Forms-B block but is an invisible format character, so it is left out.
_ARABIC = (
    (0x0600, 0x06FF),  # Arabic
    (0x0750, 0x077F),  # Arabic Supplement
    (0x0870, 0x08FF),  # Arabic Extended-B and Extended-A
    (0xFB50, 0xFDCF),  # Arabic Presentation Forms-A, before the noncharacters
    (0xFDF0, 0xFDFF),  # Arabic Presentation Forms-A, after the noncharacters
    (0xFE70, 0xFEFE),  # Arabic Presentation Forms-B
    (0x10E60, 0x10E7F),  # Rumi numeral symbols
    (0x10EC0, 0x10EFF),  # Arabic Extended-C
    (0x1EE00, 0x1EEFF),  # Arabic mathematical alphabetic symbols
)
_CYRILLIC = (
    (0x0400, 0x052F),  # Cyrillic and Cyrillic Supplement
    (0x1C80, 0x1C8F),  # Cyrillic Extended-C
    (0x1D2B, 0x1D2B),  # modifier letter Cyrillic en
    (0x1D78, 0x1D78),  # modifier letter Cyrillic en, superscript
    (0x2DE0, 0x2DFF),  # Cyrillic Extended-A
    (0xA640, 0xA69F),  # Cyrillic Extended-B
    (0xFE2E, 0xFE2F),  # combining Cyrillic titlo halves
    (0x1E030, 0x1E08F),  # Cyrillic Extended-D
)
# One script per name: mixing lookalike letters (Latin "o" and Cyrillic U+043E) would let a name
# pose as another. Digits and underscore are allowed with every script.
_ACTOR_NAME_PATTERNS = (
    re.compile(r"[a-zA-Z0-9_]{3,}"),
    re.compile(f"[{_char_class(_ARABIC)}0-9_]{{3,}}"),
    re.compile(f"[{_char_class(_CYRILLIC)}0-9_]{{3,}}"),
)

_MATRIX_ID = re.compile(r"@[A-Za-z0-9\x21-\x39\x3B-\x7F]+:[A-Za-z0-9.-]+(:[0-9]{2,5})?")
# Lemmy's pattern has U+2019 where RFC 5322 has an apostrophe; we accept both, so that an
# address Lemmy would store is never refused here.
_EMAIL = re.compile(r"[a-zA-Z0-9.!#$%&'\u2019*+/=?^_`{|}~-]+@[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*")


def utf16_len(text: str) -> int:
    """Length as JavaScript counts it; a lone surrogate counts as one unit."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _max_units(text: str, limit: int, code: ErrorCode) -> None:
    if utf16_len(text) > limit:
        raise ApiError(code)


def check_actor_name(name: str, max_length: int = ACTOR_NAME_MAX_LENGTH) -> None:
    """A username or community name: one script, at least 3 and at most `max_length` chars."""
    ok = len(name) <= max_length and "\n" not in name
    if not ok or not any(p.fullmatch(name) for p in _ACTOR_NAME_PATTERNS):
        raise ApiError(ErrorCode.INVALID_NAME)


def check_display_name(name: str, max_length: int = ACTOR_NAME_MAX_LENGTH) -> None:
    """Checked on the trimmed value, as Lemmy does; the caller decides what to store."""
    name = name.strip(_WHITESPACE)
    visible = sum(1 for ch in name if ch not in INVISIBLE_CHARS)
    ok = (
        len(name) <= max_length
        and "\n" not in name
        and not name.startswith("@")  # would read as a mention of someone else
        and not (name and name[0] in INVISIBLE_CHARS)
        and visible >= DISPLAY_NAME_MIN_VISIBLE
        and _readable(name)
    )
    if not ok:
        raise ApiError(ErrorCode.INVALID_DISPLAY_NAME)


def check_post_title(title: str) -> str:
    """Returns the title to store: trimmed. A newline anywhere, even trailing, is refused."""
    trimmed = title.strip(_WHITESPACE)
    if "\n" in title or not POST_TITLE_MIN_LENGTH <= len(trimmed) <= POST_TITLE_MAX_LENGTH:
        raise ApiError(ErrorCode.INVALID_POST_TITLE)
    if not _readable(trimmed):
        raise ApiError(ErrorCode.INVALID_POST_TITLE)
    return trimmed


def check_community_title(title: str) -> str:
    """Returns the title to store: trimmed, 1 to 255 characters on one line, readable."""
    trimmed = title.strip()
    if not trimmed or len(trimmed) > 255 or "\n" in trimmed or not _readable(trimmed):
        raise ApiError(ErrorCode.INVALID_BODY_FIELD, "title must be 1 to 255 characters")
    return trimmed


def check_body(
    text: str, max_units: int = BODY_MAX_LENGTH, code: ErrorCode = ErrorCode.INVALID_BODY_FIELD
) -> None:
    """Post bodies pass `POST_BODY_MAX_LENGTH`; comments, messages and descriptions the default."""
    _max_units(text, max_units, code)


def check_bio(bio: str) -> None:
    _max_units(bio, BIO_MAX_LENGTH, ErrorCode.BIO_LENGTH_OVERFLOW)


def check_alt_text(alt_text: str) -> None:
    _max_units(alt_text, ALT_TEXT_MAX_LENGTH, ErrorCode.ALT_TEXT_LENGTH_OVERFLOW)


def check_site_name(name: str) -> None:
    if utf16_len(name) < SITE_NAME_MIN_LENGTH:
        raise ApiError(ErrorCode.SITE_NAME_REQUIRED)
    _max_units(name, SITE_NAME_MAX_LENGTH, ErrorCode.SITE_NAME_LENGTH_OVERFLOW)


def check_site_description(description: str) -> None:
    _max_units(description, SITE_DESCRIPTION_MAX_LENGTH, ErrorCode.SITE_DESCRIPTION_LENGTH_OVERFLOW)


def check_password(
    password: str, min_len: int = PASSWORD_MIN_LENGTH, max_len: int = PASSWORD_MAX_LENGTH
) -> None:
    """`min_len` is a parameter because the Hexbear dialect allows 4."""
    if not min_len <= len(password) <= max_len:
        raise ApiError(ErrorCode.INVALID_PASSWORD)


def is_email(text: str) -> bool:
    """Also how login tells an email address from a username."""
    return _EMAIL.fullmatch(text) is not None


def check_email(email: str) -> str:
    """Returns the address lower-cased, as stored and compared.

    Lemmy has no code for a malformed address (it only fails later, when mail cannot be
    sent); we answer `email_required`, since no usable address was given.
    """
    if not is_email(email):
        raise ApiError(ErrorCode.EMAIL_REQUIRED)
    return email.lower()


def check_matrix_id(matrix_id: str) -> None:
    if _MATRIX_ID.fullmatch(matrix_id) is None:
        raise ApiError(ErrorCode.INVALID_MATRIX_ID)


def check_report_reason(reason: str, slur_filter: re.Pattern[str] | None = None) -> str:
    """Returns the trimmed reason; slurs are checked first, as Lemmy does."""
    check_slurs(reason, slur_filter)
    reason = reason.strip(_WHITESPACE)
    if not reason:
        raise ApiError(ErrorCode.REPORT_REASON_REQUIRED)
    if len(reason) > REPORT_REASON_MAX_LENGTH:
        raise ApiError(ErrorCode.REPORT_TOO_LONG)
    return reason


# --- URLs ------------------------------------------------------------------------------

# Query parameters that only tell an advertiser where a click came from. Removing them keeps
# links short and private, and lets the same link posted twice compare equal.
_TRACKING_PARAMS = frozenset(
    {
        "fbclid",  # Facebook
        "gclid",  # Google Ads
        "gclsrc",
        "dclid",  # Google display ads
        "gbraid",
        "wbraid",
        "msclkid",  # Microsoft Ads
        "yclid",  # Yandex
        "twclid",  # X / Twitter
        "ttclid",  # TikTok
        "igshid",  # Instagram
        "igsh",
        "si",  # YouTube and Spotify share links
        "mc_cid",  # Mailchimp
        "mc_eid",
        "_hsenc",  # HubSpot
        "_hsmi",
        "mkt_tok",  # Marketo
        "oly_anon_id",  # Omeda
        "oly_enc_id",
        "vero_id",  # Vero
        "vero_conv",
        "ref_src",  # X / Twitter embeds
        "ref_url",
    }
)
_TRACKING_PREFIXES = ("utm_",)  # utm_source, utm_medium, utm_campaign, …

# Everything printable in ASCII stays as typed (including existing %XX escapes); spaces,
# controls and non-ASCII text are percent-encoded as UTF-8, as Lemmy's URL parser stores them.
_URL_SAFE = "!#$%&'()*+,-./:;=?@[\\]^_`{|}~"
_HOST = re.compile(r"[a-z0-9_.-]+")
# What a URL parser ignores around a URL: controls and spaces pasted along with it.
_C0_OR_SPACE = "".join(chr(cp) for cp in range(0x21))
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _split_url(url: str) -> SplitResult:
    try:
        parts = urlsplit(url.strip(_C0_OR_SPACE))
        _ = parts.port  # raises ValueError for a port that is not a number in range
    except ValueError as exc:
        raise ApiError(ErrorCode.INVALID_URL) from exc
    if not parts.scheme:
        raise ApiError(ErrorCode.INVALID_URL)
    return parts


def _ascii_host(host: str) -> str | None:
    """The host in the form it is compared and stored in: lower case, IDNA-encoded."""
    if ":" in host:  # the brackets of an IPv6 literal were already removed
        try:
            return f"[{ipaddress.IPv6Address(host).compressed}]"
        except ValueError:
            return None
    try:
        encoded = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    return encoded if _HOST.fullmatch(encoded) else None


def _netloc(parts: SplitResult) -> str:
    host = _ascii_host(parts.hostname or "")
    if host is None:
        raise ApiError(ErrorCode.INVALID_URL)
    userinfo, at, _ = parts.netloc.rpartition("@")
    port = parts.port
    suffix = "" if port is None or port == _DEFAULT_PORTS[parts.scheme] else f":{port}"
    return f"{quote(userinfo, safe=_URL_SAFE)}{at}{host}{suffix}"


def _without_tracking(query: str) -> str:
    def is_tracking(pair: str) -> bool:
        key = unquote_plus(pair.partition("=")[0]).lower()
        return key in _TRACKING_PARAMS or key.startswith(_TRACKING_PREFIXES)

    return "&".join(pair for pair in query.split("&") if not is_tracking(pair))


def clean_url(url: str) -> str:
    """Validates a link a person posts and returns the form to store.

    http(s) URLs need a host; the scheme and host are lower-cased, a default port dropped, an
    empty path becomes "/" (as Lemmy stores it, so links from both compare equal), and
    tracking parameters are removed after the length check.
    """
    parts = _split_url(url)
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_URL_SCHEMES:
        raise ApiError(ErrorCode.INVALID_URL_SCHEME)
    parts = parts._replace(scheme=scheme)
    netloc, path = "", parts.path
    if scheme != "magnet":  # magnet links carry everything in the query and have no host
        netloc, path = _netloc(parts), parts.path or "/"
    path, query, fragment = (quote(p, safe=_URL_SAFE) for p in (path, parts.query, parts.fragment))
    normalised = urlunsplit((scheme, netloc, path, query, fragment))
    _max_units(normalised, URL_MAX_LENGTH, ErrorCode.URL_LENGTH_OVERFLOW)
    if scheme == "magnet" or not query:
        return normalised
    return urlunsplit((scheme, netloc, path, _without_tracking(query), fragment))


def _block_entry(entry: str) -> tuple[str, str]:
    """A blocklist entry is `host` or `host/path`, with or without a scheme in front."""
    entry = entry.strip().partition("://")[2] or entry.strip()
    host, slash, path = entry.partition("/")
    return (_ascii_host(host.lower()) or host.lower(), slash + path or "/")


def check_url_not_blocked(url: str, blocked: Sequence[str]) -> None:
    """Refuses a URL that an entry of the site's blocklist names.

    An entry names its host and every subdomain of it ("example.com" also blocks
    "www.example.com"), and, when it has a path, only URLs whose path starts with it.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return  # not a URL with a host, so nothing on the list can name it
    host = _ascii_host(parts.hostname or "")
    if host is None:
        return
    path = parts.path or "/"
    for entry in blocked:
        blocked_host, blocked_path = _block_entry(entry)
        same_site = host == blocked_host or host.endswith("." + blocked_host)
        if blocked_host and same_site and path.startswith(blocked_path):
            raise ApiError(ErrorCode.BLOCKED_URL)


# --- the slur filter ---------------------------------------------------------------------


def compile_slur_filter(regex: str | None) -> re.Pattern[str] | None:
    """The admin's slur regex, case-insensitive; None or "" means no filter.

    A pattern that matches the innocent text "1" would match nearly everything (an empty
    alternative, `.*`), so it is refused as too permissive.
    """
    if not regex:
        return None
    try:
        pattern = re.compile(regex, re.IGNORECASE)
    except re.error as exc:
        raise ApiError(ErrorCode.INVALID_REGEX) from exc
    if pattern.search("1"):
        raise ApiError(ErrorCode.PERMISSIVE_REGEX)
    return pattern


def check_slurs(text: str, slur_filter: re.Pattern[str] | None) -> None:
    """For names and titles, where a slur refuses the whole request."""
    if slur_filter is not None and slur_filter.search(text):
        raise ApiError(ErrorCode.SLURS)


def remove_slurs(text: str, slur_filter: re.Pattern[str] | None) -> str:
    """For bodies, where Lemmy blanks the words and keeps the rest."""
    if slur_filter is None:
        return text
    return slur_filter.sub(SLUR_REPLACEMENT, text)
