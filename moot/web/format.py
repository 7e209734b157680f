"""Dates and numbers as the Lemmy UI words them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jinja2
import msgspec
from markupsafe import Markup

_encode = msgspec.json.encode


def aware(when: datetime) -> datetime:
    """A database time as an aware UTC datetime (SQLite gives naive ones)."""
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _plural(n: int, unit: str) -> str:
    if n == 1:
        return f"{'an' if unit == 'hour' else 'a'} {unit} ago"
    return f"{n} {unit}s ago"


def time_ago(when: datetime, now: datetime | None = None) -> str:
    """'6 years ago', '3 months ago', 'a day ago', 'just now'."""
    return _ago(aware(when), aware(now) if now is not None else datetime.now(UTC))


def _ago(then: datetime, now: datetime) -> str:
    """`time_ago` of two aware UTC moments."""
    seconds = int((now - then).total_seconds())
    if seconds < 45:
        return "just now"
    if seconds < 3600:
        return _plural(max(1, round(seconds / 60)), "minute")
    if seconds < 86400:
        return _plural(round(seconds / 3600), "hour")
    years = now.year - then.year - ((now.month, now.day) < (then.month, then.day))
    if years >= 1:
        return _plural(years, "year")
    days = seconds // 86400
    if days < 30:
        return _plural(days, "day")
    return _plural(max(1, days // 30), "month")


def duration(span: timedelta) -> str:
    """'none', '40 seconds', '3 minutes', '5 hours', '2 days': how long, to one unit."""
    if span <= timedelta(0):
        return "none"
    seconds = int(span.total_seconds())
    if seconds < 1:
        return "under a second"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"


def until(when: datetime, now: datetime | None = None) -> str:
    """'in 3 minutes', or 'now' once the moment has come."""
    left = aware(when) - (aware(now) if now is not None else datetime.now(UTC))
    return "now" if left.total_seconds() < 1 else f"in {duration(left)}"


def ordinal(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


def long_date(when: datetime) -> str:
    """'September 2nd, 2020'."""
    when = aware(when)
    return f"{when:%B} {ordinal(when.day)}, {when.year}"


def iso(when: datetime) -> str:
    """For a `datetime` attribute: to the second (a page has no use for microseconds)."""
    return aware(when).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def exact(when: datetime) -> str:
    """The full time, for a `title` tooltip."""
    return f"{aware(when):%A, %B %d, %Y at %H:%M UTC}"


_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def when(moment: datetime, now: datetime | None = None) -> Markup:
    """A moment on a page: 'N hours ago', the exact time as its tooltip. A function, not a
    template macro: a thread's page shows hundreds, and a macro call costs ten times more."""
    return Markup(when_html(moment, now))


def when_html(moment: datetime, now: datetime | None = None) -> str:
    """`when`'s HTML as a plain string, for functions that write many (moot/web/cards.py).
    What `iso`, `exact` and `time_ago` write, spelled out: strftime and the conversions of
    the moment to UTC cost as much as the rest of a comment."""
    t = moment if moment.tzinfo is UTC else aware(moment)
    # `"YYYY-MM-DDTHH:MM:SS[.ffffff]Z"`, quotes included: msgspec writes it in C, ten
    # times faster than `isoformat` (which works out and writes the offset).
    s = _encode(t).decode()
    if now is None:
        now = datetime.now(UTC)
    elif now.tzinfo is not UTC:
        now = aware(now)
    # Digits, letters, commas and colons only: nothing to escape.
    return (
        f'<time datetime="{s[1:20]}Z" title="{_DAYS[t.weekday()]}, {_MONTHS[t.month - 1]} '
        f'{s[9:11]}, {t.year} at {s[12:17]} UTC">{_ago(t, now)}</time>'
    )


_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "'": "&#39;", '"': "&#34;"})


def escaped(text: str) -> str:
    """`text` escaped for HTML as `markupsafe.escape` escapes a str (the same five
    characters, the same entities), as a plain str: for functions that join many values
    and mark the whole safe once, without a Markup made per value."""
    if "&" in text or "<" in text or ">" in text or "'" in text or '"' in text:
        return text.translate(_ESCAPES)
    return text


def is_cake_day(published: datetime, now: datetime | None = None) -> bool:
    then = aware(published)
    now = aware(now) if now is not None else datetime.now(UTC)
    return (then.month, then.day) == (now.month, now.day) and now.year > then.year


def register_filters(env: jinja2.Environment) -> None:
    env.filters.update(
        time_ago=time_ago,
        long_date=long_date,
        iso=iso,
        exact=exact,
        is_cake_day=is_cake_day,
        duration=duration,
        until=until,
    )
    env.globals["when"] = when
