"""Where operations to measure are declared.

A benchmark is a function that prepares its state (a logged-in client, a URL) and returns the
operation itself, a callable with no arguments; only that callable is timed. Preparing outside
the timed part keeps logins and lookups out of the numbers.

    @benchmark("agent home (empty)", budget_ms=150, table="crm.Notification")
    def agent_home_empty(ctx):
        client = ctx.client(ctx.data.empty_agent)
        return lambda: client.get("/agent/")

A computation measured by its rate rather than its latency does ``items`` units of work per call
and states ``budget_per_s``, the lowest rate allowed; ``table=None`` when no table's size
matters:

    @benchmark("due times", items=2000, budget_per_s=50_000, table=None)

A check verifies a property of the code that timings cannot show, such as a query count that
must not grow with the data; it returns whether it holds and a sentence saying what was seen.

Any module named ``benchmarks/bench_*.py`` is imported by ``python -m benchmarks``, so a new
area only needs a new module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .runner import Context

Operation = Callable[[], Any]


@dataclass(frozen=True)
class Benchmark:
    name: str
    prepare: Callable[[Context], Operation]
    budget_ms: float | None
    table: str | None
    status: int
    items: int | None = None
    budget_per_s: float | None = None


@dataclass(frozen=True)
class Check:
    name: str
    run: Callable[[Context], tuple[bool, str]]
    # Changes the data it measures: ``--keep`` does not reuse a database for it.
    mutates: bool = False


BENCHMARKS: dict[str, Benchmark] = {}
CHECKS: dict[str, Check] = {}


def benchmark(
    name: str,
    *,
    budget_ms: float | None = None,
    table: str | None = "crm.User",
    status: int = 200,
    items: int | None = None,
    budget_per_s: float | None = None,
):
    """Register an operation; ``budget_ms`` bounds its p95, ``table`` is the model counted as n.

    ``status`` is the HTTP status the operation must answer with, when it returns a response.
    ``items`` is how many units of work one call does; with it the rate (items per second of
    the median call) is reported, and ``budget_per_s`` is the lowest rate allowed.
    """
    if budget_per_s is not None and not items:
        raise ValueError(f"benchmark {name!r}: a rate budget needs items per call")

    def register(prepare: Callable[[Context], Operation]):
        if name in BENCHMARKS or name in CHECKS:
            raise ValueError(f"benchmark {name!r} is registered twice")
        BENCHMARKS[name] = Benchmark(
            name, prepare, budget_ms, table, status, items=items, budget_per_s=budget_per_s
        )
        return prepare

    return register


def check(name: str, *, mutates: bool = False):
    """Register a check: a function of the context returning ``(holds, what_was_seen)``.
    ``mutates``: the check changes the data it measures (a kept database is not reused)."""

    def register(run: Callable[[Context], tuple[bool, str]]):
        if name in BENCHMARKS or name in CHECKS:
            raise ValueError(f"check {name!r} is registered twice")
        CHECKS[name] = Check(name, run, mutates=mutates)
        return run

    return register
