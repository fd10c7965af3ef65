"""Timing, query counting and the printed report."""

import math
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from time import perf_counter
from typing import Any

from django.apps import apps
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from .data import Dataset
from .registry import Benchmark, Check

WARMUP = 3


class BenchmarkFailure(Exception):
    """The operation did not do what it is measured doing (e.g. a redirect instead of a page)."""


class Skipped(Exception):  # noqa: N818 (a state of the run, not an error)
    """The operation cannot run here (e.g. the page it measures is not built yet): reported as
    skipped with the reason, neither measured nor counted as a miss."""


@dataclass
class Context:
    """What a benchmark or a check receives: the generated data and a few helpers."""

    data: Dataset

    def client(self, user=None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    def count_queries(self, operation: Callable[[], Any], *, status: int = 200) -> int:
        """Queries of one call, after a first call has filled whatever is cached per process."""
        expect_status(operation(), status)
        with CaptureQueriesContext(connection) as captured:
            expect_status(operation(), status)
        return len(captured)


@dataclass
class Result:
    name: str
    n: int | None = None
    p50_ms: float | None = None
    p95_ms: float | None = None
    queries: tuple[int, int] | None = None
    budget_ms: float | None = None
    error: str | None = None
    items: int | None = None
    budget_per_s: float | None = None
    skipped: str | None = None

    @property
    def per_s(self) -> float | None:
        """Items per second of the median call. A rate is a property of the typical call: the
        p95 of a rate would mostly measure what else the machine was doing."""
        if not self.items or not self.p50_ms:
            return None
        return self.items / (self.p50_ms / 1000)

    @property
    def ok(self) -> bool:
        if self.skipped is not None:
            return True
        if self.error is not None:
            return False
        if self.budget_per_s is not None and (self.per_s is None or self.per_s < self.budget_per_s):
            return False
        return self.budget_ms is None or (self.p95_ms is not None and self.p95_ms < self.budget_ms)


@dataclass
class CheckResult:
    name: str
    holds: bool
    detail: str
    skipped: bool = False


def expect_status(response: Any, status: int) -> None:
    actual = getattr(response, "status_code", None)
    if actual is not None and actual != status:
        where = response.get("Location", "") if hasattr(response, "get") else ""
        raise BenchmarkFailure(
            f"answered {actual}{' → ' + where if where else ''}, expected {status}"
        )


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile: always a measured value, meaningful even for few repeats."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def run_benchmark(bench: Benchmark, ctx: Context, repeat: int) -> Result:
    result = Result(
        bench.name, budget_ms=bench.budget_ms, items=bench.items, budget_per_s=bench.budget_per_s
    )
    try:
        # Prepared first: preparing may generate the data that the count reports.
        operation = bench.prepare(ctx)
        if bench.table is not None:
            result.n = apps.get_model(bench.table)._default_manager.count()
        for _ in range(WARMUP):
            expect_status(operation(), bench.status)
        timings, counts = [], []
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as captured:
                started = perf_counter()
                response = operation()
                elapsed = perf_counter() - started
            expect_status(response, bench.status)
            timings.append(elapsed * 1000)
            counts.append(len(captured))
    except Skipped as exc:
        result.skipped = str(exc)
        return result
    except Exception as exc:
        result.error = _describe(exc)
        return result
    result.p50_ms = percentile(timings, 50)
    result.p95_ms = percentile(timings, 95)
    result.queries = (min(counts), max(counts))
    return result


def run_check(chk: Check, ctx: Context) -> CheckResult:
    try:
        holds, detail = chk.run(ctx)
    except Skipped as exc:
        return CheckResult(chk.name, True, str(exc), skipped=True)
    except Exception as exc:
        return CheckResult(chk.name, False, f"error: {_describe(exc)}")
    return CheckResult(chk.name, bool(holds), detail)


def _describe(exc: Exception) -> str:
    if isinstance(exc, BenchmarkFailure):
        return str(exc)
    return "".join(traceback.format_exception(exc)).rstrip()


HEADERS = ("operation", "n", "p50 ms", "p95 ms", "per s", "queries", "budget", "ok")
RIGHT_ALIGNED = {1, 2, 3, 4, 5, 6}


def render_table(results: list[Result]) -> str:
    rows = [HEADERS]
    for r in results:
        if r.queries is None:
            queries = "-"
        else:
            low, high = r.queries
            # A count that varies between identical requests is itself worth seeing.
            queries = str(low) if low == high else f"{low}-{high}"
        budgets = []
        if r.budget_ms is not None:
            budgets.append(f"<{r.budget_ms:g}")
        if r.budget_per_s is not None:
            budgets.append(f">={r.budget_per_s:,.0f}/s")
        rows.append(
            (
                r.name,
                "-" if r.n is None else f"{r.n:,}",
                _ms(r.p50_ms),
                _ms(r.p95_ms),
                "-" if r.per_s is None else f"{r.per_s:,.0f}",
                queries,
                " ".join(budgets) or "-",
                "skipped" if r.skipped else "ERROR" if r.error else ("yes" if r.ok else "NO"),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADERS))]

    def line(row) -> str:
        cells = [
            cell.rjust(width) if i in RIGHT_ALIGNED else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        return " | ".join(cells).rstrip()

    rule = "-+-".join("-" * width for width in widths)
    return "\n".join([line(rows[0]), rule, *(line(row) for row in rows[1:])])


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"
