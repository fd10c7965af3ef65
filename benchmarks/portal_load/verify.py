"""The counting of a load run: what the load generator says it filed, against what the database
holds. Pure functions over plain data, so that the checker itself is tested
(tests/benchmarks/test_portal_load.py).

A *record* is one submission as a citizen of the load generator made it (``locustfile``): the
submission token its step page gave, the status of the final POST, the request number the
redirect named, and when it started and ended. A *row* is one request of the database filed
during the run, with the token of the submission that made it (None: a request that no
submission explains).
"""

import json
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Record:
    token: str
    status: int  # 0: no answer (connection error, timeout)
    request_id: int | None  # from the redirect to the "filed" page
    started: float
    ended: float
    error: str = ""

    @property
    def ok(self) -> bool:
        """A 2xx or 3xx answer: the citizen was told their request is filed."""
        return 200 <= self.status < 400 and not self.error

    @property
    def ms(self) -> float:
        return (self.ended - self.started) * 1000


@dataclass(frozen=True)
class Row:
    request_id: int
    token: str | None


@dataclass
class Verdict:
    duration: float
    budget_per_s: float
    submissions: int  # answered 2xx/3xx
    failures: int  # any other answer, or none
    db_count: int  # requests filed during the run
    lost: list[str] = field(default_factory=list)  # told filed, but no request in the database
    duplicated: int = 0  # requests beyond the first for one token, plus requests of no token
    mismatched: list[str] = field(default_factory=list)  # redirect named another request
    filed_after_failure: int = 0  # an unanswered POST whose request was filed all the same
    unknown: int = 0  # requests of tokens the generator never sent
    p50_ms: float | None = None
    p95_ms: float | None = None
    get_p50_ms: float | None = None
    get_p95_ms: float | None = None

    @property
    def per_s(self) -> float:
        return self.submissions / self.duration if self.duration > 0 else 0.0

    @property
    def ok(self) -> bool:
        return (
            self.per_s >= self.budget_per_s
            and self.failures == 0
            and not self.lost
            and self.duplicated == 0
            and not self.mismatched
            and self.unknown == 0
        )

    def problems(self) -> list[str]:
        out = []
        if self.per_s < self.budget_per_s:
            out.append(f"{self.per_s:.1f} submissions/s, under {self.budget_per_s:g}")
        if self.failures:
            out.append(f"{self.failures} submissions failed")
        if self.lost:
            out.append(f"{len(self.lost)} lost (e.g. token {self.lost[0]})")
        if self.duplicated:
            out.append(f"{self.duplicated} duplicated")
        if self.mismatched:
            out.append(f"{len(self.mismatched)} redirected to another request")
        if self.unknown:
            out.append(f"{self.unknown} requests of tokens never sent")
        return out


def percentile(values: Iterable[float], q: float) -> float | None:
    """The nearest-rank percentile (q in 0..100) of ``values``; None when there are none."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def verify(
    *,
    records: list[Record],
    rows: list[Row],
    duration: float,
    budget_per_s: float,
    get_ms: list[float] | None = None,
    get_failures: int = 0,
) -> Verdict:
    """Compare the generator's ``records`` of a window of ``duration`` seconds with the database's
    ``rows`` of that run."""
    ok = [r for r in records if r.ok]
    failed = [r for r in records if not r.ok]
    per_token = Counter(row.token for row in rows if row.token is not None)
    request_of = {row.token: row.request_id for row in rows if row.token is not None}
    sent = {r.token for r in records}
    verdict = Verdict(
        duration=duration,
        budget_per_s=budget_per_s,
        submissions=len(ok),
        failures=len(failed) + get_failures,
        db_count=len(rows),
    )
    told = Counter(r.token for r in ok)
    verdict.lost = sorted(t for t in told if per_token[t] == 0)
    verdict.duplicated = sum(n - 1 for n in per_token.values() if n > 1) + sum(
        1 for row in rows if row.token is None
    )
    # Two POSTs with one token are one filing (the second finds the first's request): only
    # distinct tokens are counted as filed above. Each must have been redirected to its own.
    verdict.mismatched = sorted(
        r.token
        for r in ok
        if r.request_id is not None
        and r.token in request_of
        and r.request_id != request_of[r.token]
    )
    verdict.filed_after_failure = sum(
        1 for t in {r.token for r in failed} - set(told) if per_token[t] > 0
    )
    verdict.unknown = sum(n for t, n in per_token.items() if t not in sent)
    verdict.p50_ms = percentile((r.ms for r in ok), 50)
    verdict.p95_ms = percentile((r.ms for r in ok), 95)
    if get_ms:
        verdict.get_p50_ms = percentile(get_ms, 50)
        verdict.get_p95_ms = percentile(get_ms, 95)
    # The citizens were told of len(told) filings; a token sent twice counts once.
    verdict.submissions = len(told)
    return verdict


def read_records(path: Path) -> tuple[list[Record], list[float], int, dict]:
    """The generator's output: one JSON object per line, submissions ("kind": "submit"), step
    pages ("kind": "get", with "ms" and "status") and the window ("kind": "window").
    Returns the submissions, the times of the step pages answered 200, how many were not, and
    the window."""
    records: list[Record] = []
    get_ms: list[float] = []
    get_failures = 0
    window: dict = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            kind = item.pop("kind")
            if kind == "submit":
                records.append(Record(**item))
            elif kind == "get":
                if item["status"] == 200:
                    get_ms.append(item["ms"])
                else:
                    get_failures += 1
            elif kind == "window":
                window.update(item)
    return records, get_ms, get_failures, window


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} ms"


def table(verdict: Verdict, *, extra: list[tuple[str, str]] | None = None) -> str:
    lines = [
        ("window", f"{verdict.duration:.1f} s"),
        ("submissions (2xx/3xx)", str(verdict.submissions)),
        ("submissions/s sustained", f"{verdict.per_s:.1f}"),
        ("submission p50 / p95", f"{_ms(verdict.p50_ms)} / {_ms(verdict.p95_ms)}"),
        ("step page p50 / p95", f"{_ms(verdict.get_p50_ms)} / {_ms(verdict.get_p95_ms)}"),
        ("failures", str(verdict.failures)),
        ("requests in the database", str(verdict.db_count)),
        ("lost", str(len(verdict.lost))),
        ("duplicated", str(verdict.duplicated)),
        ("redirected to another request", str(len(verdict.mismatched))),
        ("filed although the POST failed", str(verdict.filed_after_failure)),
        ("requests of unknown tokens", str(verdict.unknown)),
        *(extra or []),
        ("budget", f"≥ {verdict.budget_per_s:g} submissions/s, 0 lost, 0 duplicated"),
        ("verdict", "OK" if verdict.ok else "MISS: " + "; ".join(verdict.problems())),
    ]
    width = max(len(name) for name, _value in lines)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in lines)
