"""Streamed exports measured as a server worker serves them: in a fresh process.

A worker of the web server (gunicorn) is a process that has loaded Django and serves pages; its
peak memory while it streams an export is what the budget "peak RSS < 200 MB" is about. The
benchmark's own process is not such a process: before an export check it may have generated
millions of rows or rebuilt the summary tables, and the memory allocators keep some of what
that work freed. So the export is read by ``python -m benchmarks.exports`` in a new process,
on the same database, as the same user, chunk by chunk as a server sends it, and that process
reports its figures: the rows, the time, the first bytes, its RSS before the request and its
peak while streaming (the kernel's high-water mark, reset before the request).
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import json
import os
import resource
import subprocess
import sys
import threading
from dataclasses import dataclass
from time import perf_counter


def _rss_kib() -> int | None:
    """The resident set size now (Linux), in KiB."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    except (OSError, ValueError):
        return None


def _status_kib(key: str) -> int | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(f"{key}:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def _give_back_freed_memory() -> None:
    """Return to the system what earlier work freed but glibc kept, so that the baseline is
    the process's, not its earlier work's leftovers."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


class PeakRss:
    """The highest RSS of the process while inside: the kernel's high-water mark reset on
    entry (Linux ≥ 4.0), else the highest of samples taken every 5 ms by a thread; without
    /proc, the process's lifetime peak."""

    def __enter__(self):
        gc.collect()
        _give_back_freed_memory()
        self.baseline = _rss_kib()
        self.method = "lifetime peak (getrusage)"
        self.samples: list[int] = []
        self.stop = threading.Event()
        self.thread = None
        if self.baseline is None:
            return self
        try:
            with open("/proc/self/clear_refs", "w") as clear:
                clear.write("5")
            self.method = "kernel high-water mark"
        except OSError:
            self.method = "sampled every 5 ms"
            self.thread = threading.Thread(target=self._sample, daemon=True)
            self.thread.start()
        return self

    def _sample(self):
        while not self.stop.wait(0.005):
            self.samples.append(_rss_kib() or 0)

    def __exit__(self, *exc):
        self.stop.set()
        if self.thread is not None:
            self.thread.join()
        if self.method == "kernel high-water mark":
            self.peak = _status_kib("VmHWM")
        elif self.samples:
            self.peak = max(self.samples)
        else:
            # Linux reports KiB; macOS, bytes.
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            self.peak = peak // 1024 if os.uname().sysname == "Darwin" else peak
        return False


@dataclass(frozen=True)
class Streamed:
    """What one streamed export measured, in the process that served it."""

    status: int
    streaming: bool
    rows: int
    seconds: float
    first_byte_ms: float
    baseline_kib: int | None
    peak_kib: int
    method: str

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    @property
    def peak_mb(self) -> float:
        return self.peak_kib / 1024

    def describe(self, of: str) -> str:
        before = (
            f", {self.peak_mb - self.baseline_kib / 1024:+.0f} MB over the "
            f"{self.baseline_kib / 1024:.0f} MB of the fresh process before the request"
            if self.baseline_kib is not None
            else ""
        )
        return (
            f"{self.rows:,} rows of {of} in {self.seconds:.2f} s ({self.rate:,.0f} rows/s, "
            f"first bytes after {self.first_byte_ms:.0f} ms); peak RSS {self.peak_mb:.0f} MB"
            f"{before} ({self.method}, in a fresh process as a server worker)"
        )


def stream(client, url: str, query: dict) -> Streamed:
    """Read the export at ``url`` with ``client``, chunk by chunk, never joined."""
    with PeakRss() as rss:
        started = perf_counter()
        response = client.get(url, query)
        lines, first_byte = 0, None
        streaming = bool(getattr(response, "streaming", False))
        if streaming:
            for chunk in response.streaming_content:
                if first_byte is None:
                    first_byte = perf_counter() - started
                lines += chunk.count(b"\n")
        elapsed = perf_counter() - started
        response.close()
    return Streamed(
        status=response.status_code,
        streaming=streaming,
        rows=max(0, lines - 1),  # the header
        seconds=elapsed,
        first_byte_ms=(first_byte or 0) * 1000,
        baseline_kib=rss.baseline,
        peak_kib=rss.peak,
        method=rss.method,
    )


def stream_in_fresh_process(*, user_id: int, url: str, query: dict) -> Streamed:
    """``stream`` run by ``python -m benchmarks.exports`` in a new process, on the database
    this process is connected to (the bench database)."""
    from django.db import connection

    command = [
        sys.executable,
        "-m",
        "benchmarks.exports",
        "--database",
        connection.settings_dict["NAME"],
        "--user",
        str(user_id),
        "--url",
        url,
        "--query",
        json.dumps(query),
    ]
    done = subprocess.run(  # noqa: S603 (our own interpreter and module)
        command, capture_output=True, text=True, check=False, env=os.environ.copy()
    )
    if done.returncode != 0:
        raise RuntimeError(f"the export process failed: {done.stderr.strip()[-2000:]}")
    return Streamed(**json.loads(done.stdout.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--user", type=int, required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--query", default="{}")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from crm.models import User

    connection.settings_dict["NAME"] = args.database
    client = Client()
    client.force_login(User.objects.get(pk=args.user))
    measured = stream(client, args.url, json.loads(args.query))
    print(json.dumps(measured.__dict__))
    return 0


if __name__ == "__main__":
    sys.exit(main())
