"""Reading a site-data file into records, each with the position an error message names.

Two spellings of the same format are accepted: one JSON document whose `records` key holds
the list (other top-level keys, such as a fixture's `expected`, are ignored), and JSON Lines,
one record per line, which `moot export` writes and large dumps use.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Record:
    """One record of the file and where it was: `record 17` (JSON) or `line 17` (JSON Lines)."""

    position: str
    data: dict[str, Any]

    @property
    def label(self) -> str:
        """`record 17 (comment c5)`: the position, the type and the record's own name or key."""
        kind = self.data.get("type")
        ident = self.data.get("key", self.data.get("name"))
        if not isinstance(kind, str):
            return self.position
        if isinstance(ident, str | int) and not isinstance(ident, bool):
            return f"{self.position} ({kind} {ident})"
        return f"{self.position} ({kind})"


def read_records(path: Path) -> list[Record]:
    """The records of `path`; ValueError naming the position for anything unreadable."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 text (byte {exc.start})") from exc
    if not text.strip():
        raise ValueError(f"{path}: the file is empty")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        if _first_line_is_a_record(text):
            return _json_lines(text)
        raise ValueError(f"line {exc.lineno} column {exc.colno}: invalid JSON ({exc.msg})") from exc
    if isinstance(document, dict) and "records" in document:
        records = document["records"]
        if not isinstance(records, list):
            raise ValueError(f'{path}: "records" must be a list')
        return [_record(f"record {n}", item) for n, item in enumerate(records, 1)]
    if isinstance(document, list):
        return [_record(f"record {n}", item) for n, item in enumerate(document, 1)]
    if isinstance(document, dict) and "type" in document:
        return _json_lines(text)  # JSON Lines with a single record
    raise ValueError(f'{path}: expected {{"records": [...]}} or JSON Lines, one record a line')


def _first_line_is_a_record(text: str) -> bool:
    first = next((line for line in text.splitlines() if line.strip()), "")
    try:
        return isinstance(json.loads(first), dict)
    except json.JSONDecodeError:
        return False


def _json_lines(text: str) -> list[Record]:
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"line {number}: invalid JSON ({exc.msg})") from exc
        out.append(_record(f"line {number}", item))
    return out


def _record(position: str, item: object) -> Record:
    if not isinstance(item, dict):
        raise ValueError(f"{position}: a record must be a JSON object")
    return Record(position, item)


# RFC 3339: date, `T`, time with optional fraction, and a `Z` or a numeric offset.
_RFC3339 = re.compile(
    r"(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})"
)


def parse_time(value: str) -> datetime:
    """An RFC 3339 time as an aware UTC datetime; ValueError for anything else."""
    match = _RFC3339.fullmatch(value.strip())
    if match is None:
        raise ValueError(value)
    date, time, fraction, zone = match.groups()
    fraction = f".{(fraction or '0')[:6]:0<6}"
    zone = "+00:00" if zone in ("Z", "z") else zone
    return datetime.fromisoformat(f"{date}T{time}{fraction}{zone}").astimezone(UTC)


def format_time(value: datetime) -> str:
    """RFC 3339 in UTC with a `Z`; seconds only when there is no fraction."""
    value = value.astimezone(UTC)
    spec = "microseconds" if value.microsecond else "seconds"
    return value.isoformat(timespec=spec).replace("+00:00", "Z")
