"""The progress bars `moot import`, `moot export` and `moot db copy` show on stderr (stdout
stays for results)."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)


def progress_bar() -> Progress:
    """Use as `with progress_bar() as bar: task = bar.add_task("what", total=n)`."""
    return Progress(
        TextColumn("{task.description:<22}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
    )


class TableBars:
    """One bar per table (moot/portability/copying.py's `Progress`)."""

    def __init__(self) -> None:
        self._bar = progress_bar()

    def __enter__(self) -> TableBars:
        self._bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._bar.__exit__(None, None, None)

    def table(self, name: str, total: int) -> Callable[[int], None]:
        task = self._bar.add_task(name, total=total)
        return lambda n: self._bar.advance(task, n)
