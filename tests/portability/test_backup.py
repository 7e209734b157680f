"""`moot backup` while the instance takes writes, and `moot restore` into a new database,
on both backends: the restore checks every table against the backup's checksums, the
restored counters agree with the restored rows (one consistent moment, not a smear of
several), and moot started on it serves the same members (same login tokens) and pictures.
"""

from __future__ import annotations

import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from moot.portability.tables import copy_order
from tests.conftest import BACKENDS, Api
from tests.portability.answers import on
from tests.portability.fill import Filled, fill
from tests.servers import Server, destroy, make_server


class Writer(threading.Thread):
    """Comments and votes through the API, one after another, until told to stop."""

    def __init__(self, server: Server, f: Filled) -> None:
        super().__init__(daemon=True)
        self.api, self.post_id, self.done = on(f.bob, server), f.post_id, 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set() and self.done < 2000:
            self.api.ok("POST", "/comment", {"content": f"c{self.done}", "post_id": self.post_id})
            self.api.ok("POST", "/post/like", {"post_id": self.post_id, "score": self.done % 2})
            self.done += 1


@pytest.fixture(params=BACKENDS)
def live(request: pytest.FixtureRequest) -> Iterator[tuple[Server, Filled]]:
    server = make_server(request.param)
    try:
        server.start()
        yield server, fill(server, posts=4)
    finally:
        destroy(server)


@pytest.fixture
def fresh(live: tuple[Server, Filled]) -> Iterator[Server]:
    """A new instance folder and empty database of the same backend and host name."""
    server = make_server(live[0].backend)
    try:
        yield server
    finally:
        destroy(server)


def test_backup_while_writing_then_restore(
    live: tuple[Server, Filled], fresh: Server, tmp_path: Path
) -> None:
    server, filled = live
    file = tmp_path / "moot.backup"
    writer = Writer(server, filled)
    writer.start()
    try:
        while writer.done < 5:  # writes are under way before the backup starts
            writer.join(0.05)
        before = writer.done
        made = server.moot("backup", str(file), check=False)
        during = writer.done - before
    finally:
        writer.stop.set()
        writer.join()
    assert made.returncode == 0, made.stderr
    assert during > 0, "no write happened while the backup ran"
    with tarfile.open(file) as archive:
        names = archive.getnames()
    assert f"media/{filled.picture}" in names

    restored = fresh.moot("restore", str(file), check=False)
    assert restored.returncode == 0, restored.stderr
    assert f"verified {len(copy_order())} tables" in restored.stdout
    # One moment: every counter (comments, scores, …) agrees with the rows it counts.
    assert fresh.moot("admin", "recount").stdout.strip() == "recounted: 0 rows corrected"
    # A second restore over it is refused: restores go into a new database.
    again = fresh.moot("restore", str(file), check=False)
    assert again.returncode == 1
    assert "restore into a new" in again.stderr

    fresh.start()
    try:
        site = on(filled.bob, fresh).ok("GET", "/site")
        assert site["my_user"]["local_user_view"]["person"]["id"] == filled.bob_id
        post = Api(fresh).ok("GET", "/post", id=filled.post_id)["post_view"]
        assert post["counts"]["comments"] >= 1
        picture = on(filled.alice, fresh).http.get(f"{fresh.url}/pictrs/image/{filled.picture}")
        assert picture.status_code == 200
    finally:
        fresh.stop()
