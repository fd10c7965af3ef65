"""The incident pages at production size: the queue, "all" with and without a status filter,
my incidents, the incident page, the agent home, the SLA badges of old clocks, the login lookup.

Budgets (issue 8): queue and lists p95 ≤ 25 ms at 100,000 incidents and ≤ 60 ms at 1,000,000;
the incident page p95 ≤ 25 ms with at most 12 queries, the same for a short and a long journal.

Incidents (``--incidents N``, default 1,000,000 × scale) are generated the first time one of
these benchmarks is prepared: filed over two years by the data set's citizens, spread over its
200 groups; most recent ones are open, most old ones resolved or closed, and a few are still open
after two years (their clocks two years old). Rows are written with COPY, with their two clocks
and the stored resolution due time, as the clock services would have left them.
"""

import os
import random
from dataclasses import dataclass
from datetime import timedelta
from time import perf_counter

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from contacts.models import Client
from crm.models import AssignmentGroup, User, email_matches
from requests_app.incidents import selectors as incident_selectors
from requests_app.models import Incident, JournalEntry, SLAClock, SLAPolicy

from . import bench_sla, data, keep
from .registry import benchmark, check

INCIDENTS_PER_SCALE = 1_000_000
INCIDENTS = "requests_app.Incident"
YEARS = 2
# Start times to the quarter of an hour share their arithmetic.
STEP = timedelta(minutes=15)
# Status by age in days: (age limit, weights of new, in progress, awaiting, resolved, closed).
STATUS_BY_AGE = [
    (7, (30, 45, 10, 10, 5)),
    (60, (8, 25, 7, 20, 40)),
    (None, (1, 2, 1, 6, 90)),
]
STATUSES = ("new", "in_progress", "awaiting_requester", "resolved", "closed")
LONG_JOURNAL = 30
PAGE_QUERY_BUDGET = 12


def incident_count(scale: float) -> int:
    given = os.environ.get("GUICHET_BENCH_INCIDENTS")
    return int(given) if given else max(1, round(INCIDENTS_PER_SCALE * scale))


def _lists_budget() -> float:
    # Read at import: the command line sets the count before the modules are loaded.
    return (
        25 if incident_count(float(os.environ.get("GUICHET_BENCH_SCALE", "1"))) <= 100_000 else 60
    )


@dataclass
class IncidentsData:
    incidents: int
    open: int
    agent: User
    short_id: int
    long_id: int
    old_open_ids: list[int]
    seconds: float


_generated: dict[int, IncidentsData | Exception] = {}


def incidents_data(ctx) -> IncidentsData:
    key = id(ctx.data)
    if key not in _generated:
        try:
            _generated[key], reused = keep.remembered(
                "incident pages", lambda: generate(ctx.data, incident_count(ctx.data.scale))
            )
        except Exception as exc:
            _generated[key] = exc
            raise
        generated = _generated[key]
        print(
            f"incident pages: {generated.incidents:,} incidents ({generated.open:,} open) "
            + ("kept from an earlier run" if reused else f"generated in {generated.seconds:.1f} s"),
            flush=True,
        )
    generated = _generated[key]
    if isinstance(generated, Exception):
        raise RuntimeError("the incidents could not be generated") from generated
    return generated


def generate(dataset, count: int, *, seed: int = data.SEED) -> IncidentsData:
    started = perf_counter()
    rng = random.Random(seed + 8)
    policy = SLAPolicy.objects.prefetch_related("levels").get(name=bench_sla.POLICY)
    arithmetic = bench_sla._Arithmetic(policy)
    requesters = list(
        Client.objects.filter(email__endswith=f"@{data.DOMAIN}").values_list("pk", flat=True)
    )
    members: dict[int, list[int]] = {}
    for group_id, user_id in AssignmentGroup.members.through.objects.values_list(
        "assignmentgroup_id", "user_id"
    ):
        members.setdefault(group_id, []).append(user_id)
    group_ids = sorted(members)
    now = timezone.now().replace(second=0, microsecond=0)
    span = int(YEARS * 365 * 86400 / STEP.total_seconds())
    first_incident = bench_sla._next_id(Incident)
    first_clock = bench_sla._next_id(SLAClock)
    incidents, clocks, open_count, old_open = [], [], 0, []
    for i in range(count):
        incident_id = first_incident + i
        # Half of the incidents in the last 60 days, the rest over two years.
        steps = rng.randrange(1, span) if rng.random() < 0.5 else rng.randrange(1, span // 12)
        opened = now - STEP * steps
        age = (now - opened).days
        weights = next(w for limit, w in STATUS_BY_AGE if limit is None or age < limit)
        status = rng.choices(STATUSES, weights=weights)[0]
        group = rng.choice(group_ids)
        assignee = rng.choice(members[group]) if status != "new" else None
        is_open = status in Incident.OPEN_STATUSES
        open_count += is_open
        if is_open and age > 600:
            old_open.append(incident_id)
        finished = opened + (now - opened) * rng.uniform(0.01, 0.3) if not is_open else None
        first_response = None
        resolution_due = None
        for kind in SLAClock.Kind.values:
            due, target, times = arithmetic.of(kind, opened)
            stopped = met = paused = None
            if kind == SLAClock.Kind.RESPONSE and status != "new":
                stopped = first_response = opened + (min(now, due) - opened) * rng.uniform(0.1, 1.2)
                stopped = first_response = min(stopped, now)
            elif kind == SLAClock.Kind.RESOLUTION:
                resolution_due = due
                if finished is not None:
                    stopped = finished
                elif status == "awaiting_requester":
                    paused = opened + (now - opened) * rng.uniform(0.3, 1)
            if stopped is not None:
                met = stopped <= due
            end = stopped or paused or now
            reached = [p for p, at in times.items() if at <= end]
            upcoming = [p for p in times if p not in reached]
            running = stopped is None and paused is None
            clocks.append(
                (
                    first_clock + len(clocks),
                    incident_id,
                    kind,
                    policy.pk,
                    opened,
                    due,
                    target,
                    paused,
                    0.0,
                    stopped,
                    met,
                    reached[-1] if reached else 0,
                    times[upcoming[0]] if upcoming and running else None,
                )
            )
        incidents.append(
            (
                incident_id,
                rng.choice(requesters),
                rng.choice(["portal", "email", "phone", "counter"]),
                rng.choice([1, 2, 3, 3, 3, 4]),
                rng.choice(bench_sla.TITLES).format(n=rng.randrange(1000, 10000)),
                "",
                group,
                assignee,
                status,
                policy.pk,
                first_response,
                resolution_due,
                opened,
                finished or first_response or opened,
                finished if status in ("resolved", "closed") else None,
                finished if status == "closed" else None,
            )
        )
    with transaction.atomic():
        with data._without_secondary_indexes([Incident, SLAClock]):
            data.copy_rows(
                Incident,
                [
                    "id",
                    "requester_id",
                    "channel",
                    "priority",
                    "title",
                    "description",
                    "assignment_group_id",
                    "assignee_id",
                    "status",
                    "sla_policy_id",
                    "first_response_at",
                    "resolution_due_at",
                    "created_at",
                    "updated_at",
                    "resolved_at",
                    "closed_at",
                ],  # fmt: skip
                incidents,
            )
            data.copy_rows(SLAClock, bench_sla.CLOCK_COLUMNS, clocks)
        bench_sla._reset_sequences([Incident, SLAClock])
    del incidents, clocks
    agent = dataset.busy_agent
    groups = list(agent.assignment_groups.values_list("pk", flat=True))
    mine = list(
        Incident.objects.filter(assignment_group_id__in=groups, status="in_progress")
        .order_by("pk")
        .values_list("pk", flat=True)[:2]
    )
    Incident.objects.filter(pk__in=mine).update(assignee=agent)
    short_id, long_id = mine
    _journal(rng, short_id, agent, 1)
    _journal(rng, long_id, agent, LONG_JOURNAL)
    bench_sla._vacuum_analyze([Incident, SLAClock, JournalEntry])
    return IncidentsData(
        incidents=count,
        open=open_count,
        agent=agent,
        short_id=short_id,
        long_id=long_id,
        old_open_ids=old_open[:50],
        seconds=perf_counter() - started,
    )


def _journal(rng, incident_id: int, agent: User, entries: int) -> None:
    """``entries`` journal entries and as many recorded changes (status back and forth)."""
    incident = Incident.objects.get(pk=incident_id)
    JournalEntry.objects.bulk_create(
        JournalEntry(
            incident=incident,
            kind=rng.choice(["comment", "work_note", "call"]),
            author=agent,
            body=rng.choice(data.JOURNAL_BODIES),
        )
        for _ in range(entries)
    )
    since = incident.created_at
    steps = [(since, None, "+", "", {"status": "new", "assignee_id": None})]
    for i in range(entries):
        status = "awaiting_requester" if i % 2 else "in_progress"
        when = since + (timezone.now() - since) * (i + 1) / (entries + 1)
        steps.append((when, agent.pk, "~", "", {"status": status, "assignee_id": agent.pk}))
    data._record_history(incident, steps)


def _page(ctx, url: str):
    client = ctx.client(incidents_data(ctx).agent)
    return lambda: client.get(url)


LISTS_BUDGET = _lists_budget()


@benchmark("incidents: queue (agent's groups, unassigned)", budget_ms=LISTS_BUDGET, table=INCIDENTS)
def queue(ctx):
    return _page(ctx, reverse("incidents:queue"))


@benchmark("incidents: mine", budget_ms=LISTS_BUDGET, table=INCIDENTS)
def mine(ctx):
    return _page(ctx, reverse("incidents:mine"))


@benchmark("incidents: all, status=in_progress", budget_ms=LISTS_BUDGET, table=INCIDENTS)
def all_in_progress(ctx):
    return _page(ctx, reverse("incidents:all") + "?status=in_progress")


@benchmark("incidents: all, unfiltered", budget_ms=LISTS_BUDGET, table=INCIDENTS)
def all_unfiltered(ctx):
    return _page(ctx, reverse("incidents:all"))


@benchmark(
    f"incidents: incident page ({LONG_JOURNAL} journal entries)", budget_ms=25, table=INCIDENTS
)
def incident_page(ctx):
    generated = incidents_data(ctx)
    return _page(ctx, reverse("incidents:detail", args=[generated.long_id]))


@benchmark("incidents: agent home", budget_ms=150, table=INCIDENTS)
def agent_home(ctx):
    return _page(ctx, reverse("agent:home"))


@benchmark("incidents: SLA badges of 50 two-year-old clocks", budget_ms=10, table=INCIDENTS)
def old_badges(ctx):
    ids = incidents_data(ctx).old_open_ids
    page = list(Incident.objects.filter(pk__in=ids))
    return lambda: incident_selectors.with_sla(page)


@check(f"incidents: incident page queries the same for 1 and {LONG_JOURNAL} entries, ≤ 12")
def page_queries(ctx):
    generated = incidents_data(ctx)
    client = ctx.client(generated.agent)
    counts = [
        ctx.count_queries(lambda pk=pk: client.get(reverse("incidents:detail", args=[pk])))
        for pk in (generated.short_id, generated.long_id)
    ]
    detail = f"1 entry: {counts[0]} queries, {LONG_JOURNAL} entries: {counts[1]} queries"
    return counts[0] == counts[1] <= PAGE_QUERY_BUDGET, detail


@check("login: the e-mail lookup is an index scan")
def login_lookup(ctx):
    email = ctx.data.busy_agent.email.upper()
    # As get() runs it: without the model ordering.
    sql, params = User.objects.filter(email_matches(email)).order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN ANALYZE " + sql, params)
        plan = [row[0] for row in cursor.fetchall()]
    users = User.objects.count()
    return "Index Scan" in plan[0], f"{users:,} users: {plan[0].strip()} ; {plan[-1].strip()}"
