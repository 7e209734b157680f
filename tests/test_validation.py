"""Lemmy's validation limits (reference § 8): each edge that passes and each code that fails."""

import re
from collections.abc import Callable

import pytest

from moot import validation as v
from moot.errors import ApiError, ErrorCode

EMOJI = "\U0001f600"  # one character, two UTF-16 units
# Written as escapes: ruff rightly flags Cyrillic and Arabic letters that look Latin.
CYRILLIC = "\u043f\u0440\u0438\u0432\u0435\u0442"  # "privet"
ARABIC = "\u0645\u0631\u062d\u0628\u0627"  # "marhaba"


def raises(code: ErrorCode, check: Callable[[], object]) -> None:
    with pytest.raises(ApiError) as info:
        check()
    assert info.value.code is code


def test_utf16_len_counts_astral_characters_twice() -> None:
    assert v.utf16_len("abc") == 3
    assert v.utf16_len(EMOJI) == 2
    assert v.utf16_len("é") == 1
    assert v.utf16_len("\ud800") == 1  # a lone surrogate from a hostile JSON escape


# --- actor names -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["abc", "Hello_98", "a" * 20, "123", "___", CYRILLIC + "_1", "юзер", ARABIC, "مستخدم_٣"],
)
def test_actor_name_accepts(name: str) -> None:
    v.check_actor_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "",
        "ab",  # too short
        "a" * 21,  # one over the default maximum
        "Hello-98",
        "hello world",
        "héllo",  # Latin outside ASCII
        CYRILLIC + "hello",  # two scripts
        CYRILLIC + "\n",  # newline
        "abc\n",  # Python's `$` would let this through; we must not
        ARABIC + CYRILLIC,
        "abc\u200b",
        "\ufeff" + ARABIC,  # BOM sits in an Arabic block but is not Arabic
    ],
)
def test_actor_name_refuses(name: str) -> None:
    raises(ErrorCode.INVALID_NAME, lambda: v.check_actor_name(name))


def test_actor_name_max_length_is_the_sites() -> None:
    v.check_actor_name("a" * 30, max_length=30)
    raises(ErrorCode.INVALID_NAME, lambda: v.check_actor_name("a" * 31, max_length=30))
    raises(ErrorCode.INVALID_NAME, lambda: v.check_actor_name("abcd", max_length=3))


# --- display names -----------------------------------------------------------------------


def test_invisible_list_has_the_53_code_points() -> None:
    assert len(v.INVISIBLE_CHARS) == 53
    for ch in "\t\u00a0\u200b\u3164\ufeff\U0001d159\U0001d17a":
        assert ch in v.INVISIBLE_CHARS
    assert "a" not in v.INVISIBLE_CHARS


@pytest.mark.parametrize(
    "name",
    [
        "abc",
        "hello @there",
        "a" * 20,
        "  padded name  ",  # checked trimmed: 11 characters
        " " + "a" * 20 + " ",  # 20 once trimmed
        "ab\u200bc",  # invisible inside is allowed when 3 visible remain
        "Ана Ли",
        EMOJI * 3,
    ],
)
def test_display_name_accepts(name: str) -> None:
    v.check_display_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "ab",
        "   ab   ",
        "a" * 21,
        "@hello there",
        " @hello",  # the @ is first once trimmed
        "\u200b@my name is",
        "\u3164abc",
        "ab\u200b\u200b",  # only 2 visible
        "first\nsecond",
        "",
    ],
)
def test_display_name_refuses(name: str) -> None:
    raises(ErrorCode.INVALID_DISPLAY_NAME, lambda: v.check_display_name(name))


def test_display_name_max_length_is_the_sites() -> None:
    v.check_display_name("a" * 25, max_length=25)
    raises(ErrorCode.INVALID_DISPLAY_NAME, lambda: v.check_display_name("a" * 26, max_length=25))


# --- post titles -------------------------------------------------------------------------


def test_post_title_returns_trimmed() -> None:
    assert v.check_post_title("  Post Title\t") == "Post Title"
    assert v.check_post_title("abc") == "abc"
    assert v.check_post_title(" " + "x" * 200 + " ") == "x" * 200
    assert v.check_post_title(EMOJI * 200) == EMOJI * 200  # characters, not units


@pytest.mark.parametrize(
    "title",
    ["hi", "  hi  ", "x" * 201, "hello there!\n this is a test.", "title\n", "\n \n \t\t", ""],
)
def test_post_title_refuses(title: str) -> None:
    raises(ErrorCode.INVALID_POST_TITLE, lambda: v.check_post_title(title))


# --- lengths in UTF-16 units ---------------------------------------------------------------


def test_body_limits() -> None:
    v.check_body("x" * v.BODY_MAX_LENGTH)
    v.check_body("x" * v.POST_BODY_MAX_LENGTH, v.POST_BODY_MAX_LENGTH)
    v.check_body("")
    raises(ErrorCode.INVALID_BODY_FIELD, lambda: v.check_body("x" * 10_001))
    raises(ErrorCode.INVALID_BODY_FIELD, lambda: v.check_body("x" * 50_001, 50_000))
    # 5001 emoji are 5001 characters but 10002 units.
    raises(ErrorCode.INVALID_BODY_FIELD, lambda: v.check_body(EMOJI * 5_001))


def test_body_takes_another_code() -> None:
    code = ErrorCode.SITE_DESCRIPTION_LENGTH_OVERFLOW
    v.check_body("x" * 10, 10, code)
    raises(code, lambda: v.check_body("x" * 11, 10, code))


def test_bio() -> None:
    v.check_bio("x" * 1000)
    v.check_bio(EMOJI * 500)
    raises(ErrorCode.BIO_LENGTH_OVERFLOW, lambda: v.check_bio("x" * 1001))
    raises(ErrorCode.BIO_LENGTH_OVERFLOW, lambda: v.check_bio(EMOJI * 500 + "x"))


def test_alt_text() -> None:
    v.check_alt_text("x" * 1500)
    raises(ErrorCode.ALT_TEXT_LENGTH_OVERFLOW, lambda: v.check_alt_text("x" * 1501))


def test_site_name() -> None:
    v.check_site_name("A")
    v.check_site_name("A" * 20)
    v.check_site_name(EMOJI * 10)
    raises(ErrorCode.SITE_NAME_REQUIRED, lambda: v.check_site_name(""))
    raises(ErrorCode.SITE_NAME_LENGTH_OVERFLOW, lambda: v.check_site_name("A" * 21))
    raises(ErrorCode.SITE_NAME_LENGTH_OVERFLOW, lambda: v.check_site_name(EMOJI * 10 + "A"))


def test_site_description() -> None:
    v.check_site_description("")
    v.check_site_description("d" * 150)
    raises(ErrorCode.SITE_DESCRIPTION_LENGTH_OVERFLOW, lambda: v.check_site_description("d" * 151))


# --- account fields ------------------------------------------------------------------------


def test_password() -> None:
    v.check_password("p" * 10)
    v.check_password("p" * 60)
    v.check_password("ä" * 60)  # characters, not bytes
    v.check_password("pass", min_len=4)  # the Hexbear dialect
    raises(ErrorCode.INVALID_PASSWORD, lambda: v.check_password("p" * 9))
    raises(ErrorCode.INVALID_PASSWORD, lambda: v.check_password("p" * 61))
    raises(ErrorCode.INVALID_PASSWORD, lambda: v.check_password("abc", min_len=4))


@pytest.mark.parametrize(
    ("email", "stored"),
    [
        ("Someone@Example.COM", "someone@example.com"),
        ("a.b+tag@mail.example.org", "a.b+tag@mail.example.org"),
        ("o'brien@example.ie", "o'brien@example.ie"),
        ("o\u2019brien@example.ie", "o\u2019brien@example.ie"),
        ("root@localhost", "root@localhost"),
    ],
)
def test_email_is_lower_cased(email: str, stored: str) -> None:
    assert v.check_email(email) == stored
    assert v.is_email(email)


@pytest.mark.parametrize(
    "email",
    ["", "someone", "someone@", "@example.com", "a b@example.com", "a@b_c.com", "a@x.com\n"],
)
def test_email_refuses(email: str) -> None:
    raises(ErrorCode.EMAIL_REQUIRED, lambda: v.check_email(email))
    assert not v.is_email(email)


@pytest.mark.parametrize(
    "matrix_id", ["@dess:matrix.org", "@a:b", "@user.name=x:example.com:8448", "@x:host:99"]
)
def test_matrix_id_accepts(matrix_id: str) -> None:
    v.check_matrix_id(matrix_id)


@pytest.mark.parametrize(
    "matrix_id",
    [
        "dess:matrix.org",
        " @dess:matrix.org",
        "@dess:matrix.org t",
        "@dess:matrix.org\n",
        "@de:ss:matrix.org",  # ':' is outside the localpart's set
        "@dess:matrix.org:1",  # ports have 2 to 5 digits
        "@dess:matrix.org:123456",
        "@:matrix.org",
    ],
)
def test_matrix_id_refuses(matrix_id: str) -> None:
    raises(ErrorCode.INVALID_MATRIX_ID, lambda: v.check_matrix_id(matrix_id))


# --- reports -------------------------------------------------------------------------------


def test_report_reason() -> None:
    assert v.check_report_reason("  spam  ") == "spam"
    assert v.check_report_reason("r" * 1000) == "r" * 1000
    raises(ErrorCode.REPORT_REASON_REQUIRED, lambda: v.check_report_reason(""))
    raises(ErrorCode.REPORT_REASON_REQUIRED, lambda: v.check_report_reason(" \n "))
    raises(ErrorCode.REPORT_TOO_LONG, lambda: v.check_report_reason("r" * 1001))


def test_report_reason_is_slur_checked_first() -> None:
    pattern = v.compile_slur_filter("badword")
    raises(ErrorCode.SLURS, lambda: v.check_report_reason("a BadWord", pattern))
    assert v.check_report_reason("fine", pattern) == "fine"


# --- URLs ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "stored"),
    [
        ("https://example.com/a?b=1#c", "https://example.com/a?b=1#c"),
        ("https://example.com", "https://example.com/"),
        ("HTTP://Example.COM:80/Path", "http://example.com/Path"),
        ("https://example.com:8443/", "https://example.com:8443/"),
        ("  https://example.com/x  ", "https://example.com/x"),
        ("https://bücher.example/", "https://xn--bcher-kva.example/"),
        ("https://example.com/a b/é", "https://example.com/a%20b/%C3%A9"),
        ("https://example.com/a%20b", "https://example.com/a%20b"),  # no double encoding
        ("http://[2001:DB8::1]:8080/x", "http://[2001:db8::1]:8080/x"),
        ("https://user:pw@example.com/", "https://user:pw@example.com/"),
        ("magnet:?xt=urn:btih:abc&dn=name&tr=udp://t.example", None),
    ],
)
def test_clean_url_normalises(url: str, stored: str | None) -> None:
    assert v.clean_url(url) == (stored or url)


@pytest.mark.parametrize(
    ("url", "stored"),
    [
        (
            "https://example.com/path/123?utm_content=buffercf3b2&utm_medium=social"
            "&username=randomuser&id=123",
            "https://example.com/path/123?username=randomuser&id=123",
        ),
        ("https://youtu.be/abc?si=XYZ", "https://youtu.be/abc"),
        ("https://example.com/?fbclid=1&gclid=2#top", "https://example.com/#top"),
        ("https://example.com/?UTM_Source=x&q=a%20b", "https://example.com/?q=a%20b"),
        ("https://example.com/?mc_eid=1&igshid=2&keep", "https://example.com/?keep"),
        ("https://example.com/?sign=1&site=2", "https://example.com/?sign=1&site=2"),
    ],
)
def test_clean_url_strips_tracking(url: str, stored: str) -> None:
    assert v.clean_url(url) == stored


@pytest.mark.parametrize(
    "url", ["ftp://example.com/", "javascript:alert(1)", "mailto:a@example.com", "example.com:80"]
)
def test_clean_url_refuses_scheme(url: str) -> None:
    raises(ErrorCode.INVALID_URL_SCHEME, lambda: v.clean_url(url))


@pytest.mark.parametrize(
    "url",
    [
        "",
        "not a url",
        "example.com/page",
        "https://",
        "https:///path",
        "http://[::1",
        "http://example.com:99999/",
        "http://example.com:port/",
        "http://exa mple.com/",
        "http://a..b/",
        "http://[zz::1]/",
    ],
)
def test_clean_url_refuses_invalid(url: str) -> None:
    raises(ErrorCode.INVALID_URL, lambda: v.clean_url(url))


def test_clean_url_length() -> None:
    base = "https://example.com/"
    exact = base + "a" * (v.URL_MAX_LENGTH - len(base))
    assert v.clean_url(exact) == exact
    raises(ErrorCode.URL_LENGTH_OVERFLOW, lambda: v.clean_url(exact + "a"))
    # Measured as stored: one "é" becomes six units of "%C3%A9".
    near = base + "a" * (v.URL_MAX_LENGTH - len(base) - 5)
    raises(ErrorCode.URL_LENGTH_OVERFLOW, lambda: v.clean_url(near + "é"))


BLOCKLIST = ["evil.example", "news.example/bad", "https://Scheme.Example/"]


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/",
        "http://EVIL.example/anything?x=1",
        "https://www.evil.example/x",
        "https://news.example/bad",
        "https://news.example/bad/article",
        "https://scheme.example/page",
    ],
)
def test_blocked_url(url: str) -> None:
    raises(ErrorCode.BLOCKED_URL, lambda: v.check_url_not_blocked(url, BLOCKLIST))


@pytest.mark.parametrize(
    "url",
    [
        "https://notevil.example/",
        "https://evil.example.org/",
        "https://news.example/good",
        "https://news.example/",
        "magnet:?xt=urn:btih:evil.example",
        "not a url",
    ],
)
def test_unblocked_url(url: str) -> None:
    v.check_url_not_blocked(url, BLOCKLIST)
    v.check_url_not_blocked(url, [])


# --- the slur filter -------------------------------------------------------------------------


def test_slur_filter_compiles_case_insensitive() -> None:
    pattern = v.compile_slur_filter("(foo|bar)")
    assert pattern is not None
    assert pattern.flags & re.IGNORECASE
    assert v.compile_slur_filter(None) is None
    assert v.compile_slur_filter("") is None


@pytest.mark.parametrize("regex", ["(foo|bar|)", ".*", "\\d", "1", ""])
def test_slur_filter_refuses_permissive(regex: str) -> None:
    if not regex:  # empty means "no filter", not "matches everything"
        assert v.compile_slur_filter(regex) is None
        return
    raises(ErrorCode.PERMISSIVE_REGEX, lambda: v.compile_slur_filter(regex))


@pytest.mark.parametrize("regex", ["[", "(foo", "*bad"])
def test_slur_filter_refuses_invalid(regex: str) -> None:
    raises(ErrorCode.INVALID_REGEX, lambda: v.compile_slur_filter(regex))


def test_check_slurs() -> None:
    pattern = v.compile_slur_filter("(foo|bar)")
    v.check_slurs("all clean", pattern)
    v.check_slurs("foo", None)
    raises(ErrorCode.SLURS, lambda: v.check_slurs("some FOO here", pattern))


def test_remove_slurs() -> None:
    pattern = v.compile_slur_filter("(foo|bar)")
    assert v.remove_slurs("a Foo and a bar.", pattern) == "a *removed* and a *removed*."
    assert v.remove_slurs("clean", pattern) == "clean"
    assert v.remove_slurs("foo", None) == "foo"
