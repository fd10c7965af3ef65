"""Where the machine's CPU goes during the load window: the web server (gunicorn and its
workers), PostgreSQL, Redis and the load generator, read from /proc four times a second.

A submission's cost in CPU milliseconds, per part, says how many cores a rate needs whatever
the machine: ``cores = rate × ms / 1000``.
"""

import os
import threading
import time
from pathlib import Path

PROC = Path("/proc")
TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
PARTS = ("web", "database", "redis", "generator")


def _processes() -> dict[int, tuple[int, str, float]]:
    """``{pid: (parent pid, command, CPU seconds)}`` of every process readable now."""
    found = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        command = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        # After the command: state, ppid, …; utime and stime are the 12th and 13th.
        found[int(entry.name)] = (
            int(fields[1]),
            command,
            (int(fields[11]) + int(fields[12])) / TICK,
        )
    return found


def _descendants(root: int, processes: dict) -> set[int]:
    children: dict[int, list[int]] = {}
    for pid, (parent, _command, _cpu) in processes.items():
        children.setdefault(parent, []).append(pid)
    out, todo = set(), [root]
    while todo:
        pid = todo.pop()
        if pid in processes and pid not in out:
            out.add(pid)
            todo.extend(children.get(pid, []))
    return out


class Sampler:
    """Reads, until stopped, the CPU seconds each part has used so far. The roots (the web
    server's and the generator's process ids) may be given once they are started."""

    def __init__(self, every: float = 0.25):
        self.every = every
        self.roots: dict[str, int] = {}
        self.samples: list[tuple[float, dict[str, float]]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        # The CPU of processes that ended (a generator's helper), kept per part.
        self._seen: dict[int, tuple[str, float]] = {}

    def start(self) -> "Sampler":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _part_of(self, pid: int, command: str, trees: dict[str, set[int]]) -> str | None:
        for part, members in trees.items():
            if pid in members:
                return part
        if command == "postgres" or command.startswith("postgres:"):
            return "database"
        if command.startswith("redis-server"):
            return "redis"
        return None

    def sample(self) -> None:
        processes = _processes()
        trees = {part: _descendants(root, processes) for part, root in self.roots.items()}
        for pid, (_parent, command, cpu) in processes.items():
            part = self._part_of(pid, command, trees)
            if part is not None:
                self._seen[pid] = (part, cpu)
        totals = dict.fromkeys(PARTS, 0.0)
        for part, cpu in self._seen.values():
            totals[part] += cpu
        self.samples.append((time.time(), totals))

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.every)

    def between(self, start: float, end: float) -> dict[str, float]:
        """CPU seconds of each part from ``start`` to ``end`` (wall-clock times), read at the
        samples nearest to them."""
        if not self.samples:
            return dict.fromkeys(PARTS, 0.0)

        def at(moment: float) -> dict[str, float]:
            return min(self.samples, key=lambda sample: abs(sample[0] - moment))[1]

        first, last = at(start), at(end)
        return {part: max(0.0, last[part] - first[part]) for part in PARTS}


def summary(cpu: dict[str, float], *, submissions: int, seconds: float, budget: float) -> list:
    """Table lines: each part's CPU per submission, the total, and the cores the budget's rate
    needs at that cost."""
    if submissions <= 0 or seconds <= 0:
        return []
    per = {part: cpu[part] / submissions * 1000 for part in PARTS}
    total = sum(per.values())
    cores = os.cpu_count() or 1
    busy = sum(cpu.values()) / seconds
    return [
        (
            "CPU per submission",
            f"{total:.1f} ms: web {per['web']:.1f}, PostgreSQL {per['database']:.1f}, "
            f"Redis {per['redis']:.1f}, generator {per['generator']:.1f}",
        ),
        ("cores busy in the window", f"{busy:.2f} of {cores}"),
        (f"cores {budget:g} submissions/s need", f"{budget * total / 1000:.1f} at this cost"),
    ]
