"""CPU time of processes, read from /proc: what one request or one delivery costs each tier.

The machine is shared, so the load average says little about what our processes used; the
kernel's per-process counters (utime + stime in /proc/PID/stat) do. A `Tally` names groups of
processes (a server and its children, PostgreSQL backends of one database, Redis) and is
read before and after a measured window; the difference is each group's CPU seconds.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")
Pids = Callable[[], Iterable[int]]


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of `pid` so far; None once it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces; the fields after its ")" are fixed.
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def _parents() -> dict[int, int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return parents


def tree(root: int) -> list[int]:
    """`root` and every process below it (uvicorn's workers, Markdown render workers)."""
    parents = _parents()
    found, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        found += frontier
    return found


def named(command: str) -> list[int]:
    """Processes whose command name (/proc/PID/comm) is `command`."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == command:
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def backends(database_url: str) -> list[int]:
    """PostgreSQL's server processes for the connections to the database of `database_url`
    (other sessions' databases on the same server are not counted)."""
    name = database_url.rsplit("/", 1)[1]
    admin = database_url.rsplit("/", 1)[0] + "/postgres"
    out = subprocess.run(
        ["psql", admin, "-qAtc", f"SELECT pid FROM pg_stat_activity WHERE datname = '{name}'"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [int(line) for line in out.split()]


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, over all cores."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values[:8]) - idle) / TICK, sum(values[:8]) / TICK


@dataclass
class Tally:
    """CPU seconds per named group of processes between `start()` and `stop()`."""

    groups: dict[str, Pids]
    used: dict[str, float] = field(default_factory=dict)
    per_process: dict[str, list[float]] = field(default_factory=dict)
    machine: float = 0.0  # busy CPU seconds of the whole machine (everyone's)
    _before: dict[str, dict[int, float]] = field(default_factory=dict)
    _machine_before: float = 0.0

    def _read(self) -> dict[str, dict[int, float]]:
        now: dict[str, dict[int, float]] = {}
        for group, pids in self.groups.items():
            now[group] = {}
            for pid in pids():
                seconds = cpu_seconds(pid)
                if seconds is not None:
                    now[group][pid] = seconds
        return now

    def start(self) -> None:
        self._before = self._read()
        self._machine_before = machine_busy()[0]

    def stop(self) -> None:
        self.machine = machine_busy()[0] - self._machine_before
        after = self._read()
        for group, seconds in after.items():
            # A process born in the window (a new pool connection) counts from zero; one
            # that ended in it is lost, so pools are warmed up before a window starts.
            before = self._before.get(group, {})
            spent = [s - before.get(pid, 0.0) for pid, s in seconds.items()]
            self.per_process[group] = sorted((round(s, 2) for s in spent), reverse=True)
            self.used[group] = sum(spent)
