"""The SLA engine at production size: business-time arithmetic and the escalation sweep.

Budgets: due times computed at 50,000 a second or more (the sweep and every clock change
compute them); a sweep over 100,000 open incidents (× scale) within 10 s (× scale), a minute
being the beat's period; the sweep after it, with nothing left to record, within 1 s; the
actions of what it recorded run in batches, none holding its locks for a second.

The incidents are generated the first time a sweep check runs, not by ``data.generate``: runs
of other pages then do not pay for them.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from time import perf_counter
from types import SimpleNamespace
from unittest import mock
from zoneinfo import ZoneInfo

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.test.utils import CaptureQueriesContext

from contacts.models import Client
from crm import business_time as bt
from crm.models import AssignmentGroup
from crm.tasks import notification_send_email
from requests_app.incidents import escalation, tasks
from requests_app.models import BusinessCalendar, Incident, SLAClock, SLAEscalation, SLAPolicy
from requests_app.sla import services as sla_services

from . import data
from .registry import benchmark, check

CALENDAR = "Faculté"
POLICY = "Demandes d'aide — défaut"
MTL = ZoneInfo("America/Montreal")

DUE_STARTS = 1_000
DUE_BUDGET_PER_S = 50_000

INCIDENTS_PER_SCALE = 100_000
SWEEP_BUDGET_S = 10
IDLE_SWEEP_BUDGET_S = 1
# The longest an escalation batch may hold its locks (its escalations and their incidents).
BATCH_LOCK_BUDGET_S = 1
# The moment of the measured sweep: a Wednesday afternoon, three weeks after the first incident.
SWEEP_AT = datetime(2026, 11, 18, 14, 0, tzinfo=MTL)
HISTORY = timedelta(days=21)
# Incidents open at any hour, to the five minutes: those of the same five minutes share their
# arithmetic, which would otherwise make up most of the generation time.
OPENED_STEP = timedelta(minutes=5)
# Share of the running clocks that have crossed a level since the last sweep: what a sweep
# finds after an outage of its workers, far more than the minute-by-minute trickle.
PAST_A_LEVEL = 0.3
STATUSES = (("new", 25), ("in_progress", 65), ("awaiting_requester", 10))
CHANNELS = (("portal", 70), ("email", 15), ("phone", 10), ("counter", 5))
PRIORITIES = ((1, 5), (2, 20), (3, 60), (4, 15))
TITLES = [
    "Projecteur muet en salle {n}",
    "Accès refusé à l'environnement numérique, cours {n}",
    "Micro sans fil défectueux, local {n}",
    "Enregistrement introuvable pour la séance {n}",
    "Mot de passe expiré, poste {n}",
]


# The columns of a clock row written with COPY (the incident benchmarks write clocks too).
CLOCK_COLUMNS = [
    "id",
    "incident_id",
    "kind",
    "policy_id",
    "started_at",
    "due_at",
    "target_seconds",
    "paused_since",
    "paused_seconds",
    "stopped_at",
    "met",
    "level_reached",
    "next_level_at",
]


def faculty_schedule() -> bt.Schedule:
    return (
        BusinessCalendar.objects.prefetch_related("slots", "closures").get(name=CALENDAR).schedule()
    )


@benchmark(
    f"due-time computation (add_hours 8, add_days 3; {2 * DUE_STARTS:,} per call)",
    items=2 * DUE_STARTS,
    budget_per_s=DUE_BUDGET_PER_S,
    table=None,
)
def due_times(ctx):
    schedule = faculty_schedule()
    rng = random.Random(data.SEED)
    # Two years of starts at any second: nights, weekends, Québec holidays and both daylight-
    # saving changes, as incidents arrive.
    first = datetime(2026, 1, 1, tzinfo=MTL)
    starts = [
        first + timedelta(seconds=rng.randrange(2 * 365 * 24 * 3600)) for _ in range(DUE_STARTS)
    ]

    def compute():
        for start in starts:
            bt.add_hours(schedule, start, 8)
            bt.add_days(schedule, start, 3)

    return compute


# --- the sweep ------------------------------------------------------------------------------


@dataclass
class SweepData:
    incidents: int
    clocks: int
    running: int
    behind: int
    escalations: int
    seconds: float


@dataclass
class _Clock:
    id: int
    incident_id: int
    kind: str
    started_at: datetime
    due_at: datetime
    target_seconds: float
    times: dict[int, datetime]
    paused_since: datetime | None = None
    stopped_at: datetime | None = None
    met: bool | None = None
    reached: list[int] = field(default_factory=list)

    @property
    def running(self) -> bool:
        return self.stopped_at is None and self.paused_since is None


class _Arithmetic:
    """Due time, target and level times of a clock, computed once per (kind, start)."""

    def __init__(self, policy: SLAPolicy):
        self.schedule = sla_services.schedule_of(policy)
        self.policy = policy
        self.percents = {kind: sla_services.percents_for(policy, kind) for kind in SLAClock.Kind}
        self.known: dict[tuple[str, datetime], tuple] = {}

    def of(self, kind: str, started_at: datetime) -> tuple[datetime, float, dict[int, datetime]]:
        key = (kind, started_at)
        if key not in self.known:
            value, unit = self.policy.target(kind)
            due, target = sla_services.compute_due(
                self.schedule, value=value, unit=unit, started_at=started_at, paused_seconds=0
            )
            clock = SimpleNamespace(started_at=started_at, target_seconds=target, paused_seconds=0)
            times = {
                percent: sla_services.level_time(self.schedule, clock, percent)
                for percent in self.percents[kind]
            }
            self.known[key] = (due, target, times)
        return self.known[key]


def _weighted(rng: random.Random, pairs):
    return rng.choices([key for key, _weight in pairs], weights=[w for _key, w in pairs])[0]


def generate_incidents(scale: float, *, seed: int = data.SEED) -> SweepData:
    """Open incidents of the data set's citizens and groups, each with its two clocks and the
    escalations already recorded, as of ``SWEEP_AT``; ``PAST_A_LEVEL`` of the running clocks
    have crossed a level the sweep has not recorded yet."""
    started = perf_counter()
    rng = random.Random(seed + 2)
    count = max(1, round(INCIDENTS_PER_SCALE * scale))
    policy = SLAPolicy.objects.prefetch_related("levels").get(name=POLICY)
    arithmetic = _Arithmetic(policy)
    level_ids = {level.percent: level.pk for level in policy.levels.all()}
    requesters = list(
        Client.objects.filter(email__startswith="citoyen", email__endswith=f"@{data.DOMAIN}")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    members: dict[int, list[int]] = {}
    for group_id, user_id in AssignmentGroup.members.through.objects.order_by("pk").values_list(
        "assignmentgroup_id", "user_id"
    ):
        members.setdefault(group_id, []).append(user_id)
    group_ids = sorted(members)
    first_incident, first_clock = _next_id(Incident), _next_id(SLAClock)
    steps = int(HISTORY / OPENED_STEP)

    incidents, clocks = [], []
    for i in range(count):
        incident_id = first_incident + i
        opened = SWEEP_AT - OPENED_STEP * rng.randrange(1, steps)
        status = _weighted(rng, STATUSES)
        group = rng.choice(group_ids) if group_ids else None
        assignee = rng.choice(members[group]) if group and status != "new" else None
        first_response = None
        for kind in SLAClock.Kind.values:
            due, target, times = arithmetic.of(kind, opened)
            clock = _Clock(first_clock + len(clocks), incident_id, kind, opened, due, target, times)
            if kind == SLAClock.Kind.RESPONSE and status != "new":
                # Answered some time ago, on time or late.
                span = min(SWEEP_AT, due + (due - opened) / 2) - opened
                clock.stopped_at = first_response = opened + span * rng.uniform(0.05, 1)
                clock.met = clock.stopped_at <= due
            elif status == "awaiting_requester":
                clock.paused_since = opened + (SWEEP_AT - opened) * rng.uniform(0.2, 1)
            end = clock.stopped_at or clock.paused_since or SWEEP_AT
            clock.reached = [percent for percent, at in times.items() if at <= end]
            clocks.append(clock)
        incidents.append(
            (
                incident_id,
                rng.choice(requesters),
                _weighted(rng, CHANNELS),
                _weighted(rng, PRIORITIES),
                rng.choice(TITLES).format(n=rng.randrange(1000, 10000)),
                "",
                group,
                assignee,
                status,
                policy.pk,
                first_response,
                opened,
                first_response or opened,
            )
        )

    running = [c for c in clocks if c.running]
    crossed = [c for c in running if c.reached]
    behind = {
        c.id for c in rng.sample(crossed, min(len(crossed), round(PAST_A_LEVEL * len(running))))
    }
    clock_rows, escalation_rows = [], []
    for c in clocks:
        recorded = c.reached[:-1] if c.id in behind else c.reached
        level = recorded[-1] if recorded else 0
        upcoming = [percent for percent in c.times if percent > level]
        next_at = c.times[upcoming[0]] if upcoming and c.running else None
        clock_rows.append(
            (
                c.id,
                c.incident_id,
                c.kind,
                policy.pk,
                c.started_at,
                c.due_at,
                c.target_seconds,
                c.paused_since,
                0.0,
                c.stopped_at,
                c.met,
                level,
                next_at,
            )
        )
        for percent in recorded:
            reached_at = c.times[percent]
            escalation_rows.append(
                (
                    c.id,
                    percent,
                    level_ids.get(percent),
                    reached_at,
                    min(SWEEP_AT, reached_at + timedelta(minutes=1)),
                )
            )

    with transaction.atomic():
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
                "created_at",
                "updated_at",
            ],
            incidents,
        )
        data.copy_rows(SLAClock, CLOCK_COLUMNS, clock_rows)
        data.copy_rows(
            SLAEscalation,
            ["clock_id", "percent", "level_id", "reached_at", "executed_at"],
            escalation_rows,
        )
        _reset_sequences([Incident, SLAClock])
    _vacuum_analyze([Incident, SLAClock, SLAEscalation])
    return SweepData(
        incidents=count,
        clocks=len(clocks),
        running=len(running),
        behind=len(behind),
        escalations=len(escalation_rows),
        seconds=perf_counter() - started,
    )


def _next_id(model: type[models.Model]) -> int:
    return (model._default_manager.aggregate(top=models.Max("pk"))["top"] or 0) + 1


def _reset_sequences(models_: list[type[models.Model]]) -> None:
    # Rows were written with their ids: move the sequences past them, as loaddata does.
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models_):
            cursor.execute(sql)


def _vacuum_analyze(models_: list[type[models.Model]]) -> None:
    # Statistics and the visibility map a table in service has: without them the planner sees
    # empty tables and the first reads rewrite pages, which production never pays for.
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models_)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {tables}")


def _timed_sweep() -> dict:
    """One sweep as of ``SWEEP_AT``. Its messages are counted, not sent: the measure is the
    sweep's, and a run must not hand thousands of escalations to whatever worker listens."""
    with (
        mock.patch.object(tasks.sla_escalations_execute, "delay") as dispatch,
        CaptureQueriesContext(connection) as queries,
    ):
        started = perf_counter()
        result = tasks.sweep_and_queue(now=SWEEP_AT)
        seconds = perf_counter() - started
    return {
        "result": result,
        "seconds": seconds,
        "queries": len(queries),
        "messages": dispatch.call_count,
    }


# The generated incidents and the first sweep, per base data set: both checks share them.
_swept: dict[int, dict] = {}


def swept(ctx) -> dict:
    """The generated incidents and the first sweep over them, once per base data set; a
    failure is kept too, so that both checks report it without generating again."""
    key = id(ctx.data)
    if key not in _swept:
        try:
            generated = generate_incidents(ctx.data.scale)
            print(
                f"SLA sweep: data generated in {generated.seconds:.1f} s: "
                f"{generated.incidents:,} incidents, {generated.clocks:,} clocks, "
                f"{generated.escalations:,} escalations already recorded",
                flush=True,
            )
            _swept[key] = {"data": generated, "first": _timed_sweep()}
        except Exception as exc:
            _swept[key] = {"error": exc}
            raise
    state = _swept[key]
    if "error" in state:
        raise RuntimeError("the SLA sweep's data could not be generated") from state["error"]
    return state


@check(
    f"SLA sweep over {INCIDENTS_PER_SCALE:,} open incidents × scale "
    f"within {SWEEP_BUDGET_S} s × scale",
    mutates=True,
)
def sweep_open_incidents(ctx):
    state = swept(ctx)
    generated, first = state["data"], state["first"]
    result = first["result"]
    budget = SWEEP_BUDGET_S * ctx.data.scale
    detail = (
        f"{generated.incidents:,} incidents, {generated.clocks:,} clocks "
        f"({generated.running:,} running, {generated.behind:,} past a level): "
        f"examined {result.examined:,}, recorded {result.recorded:,} "
        f"in {first['seconds']:.2f} s (budget {budget:g} s), {first['queries']} queries, "
        f"messages to the workers: {first['messages']}"
    )
    holds = first["seconds"] < budget and result.examined == result.recorded == generated.behind
    return holds, detail


@check(f"SLA sweep right after: nothing to record, within {IDLE_SWEEP_BUDGET_S} s", mutates=True)
def sweep_again(ctx):
    swept(ctx)
    again = _timed_sweep()
    result = again["result"]
    detail = (
        f"examined {result.examined:,}, recorded {result.recorded:,} "
        f"in {again['seconds'] * 1000:.0f} ms (budget {IDLE_SWEEP_BUDGET_S * 1000} ms), "
        f"{again['queries']} queries"
    )
    return again["seconds"] < IDLE_SWEEP_BUDGET_S and result.recorded == 0, detail


@check(
    f"SLA escalation actions: what the sweep recorded runs once, in batches of "
    f"{escalation.CLAIM_BATCH}, none holding its locks {BATCH_LOCK_BUDGET_S} s",
    mutates=True,
)
def escalation_actions(ctx):
    state = swept(ctx)
    ids = state["first"]["result"].escalation_ids
    batches: list[float] = []
    run_batch = escalation._execute_batch

    def timed_batch(*args, **kwargs):
        started = perf_counter()
        try:
            return run_batch(*args, **kwargs)
        finally:
            batches.append(perf_counter() - started)

    queries = 0

    def counted(execute, sql, params, many, context):
        # Counted, not captured: Django keeps only the last 9,000 queries it captures.
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    # The e-mails are counted out as the sweep's messages are: the measure is the actions'.
    with (
        mock.patch.object(escalation, "_execute_batch", timed_batch),
        mock.patch.object(notification_send_email, "delay"),
        connection.execute_wrapper(counted),
    ):
        started = perf_counter()
        ran = escalation.escalations_execute(ids=ids, now=SWEEP_AT)
        seconds = perf_counter() - started
        count, timed = queries, list(batches)
        again = escalation.escalations_execute(ids=ids, now=SWEEP_AT)
    longest = max(timed, default=0)
    pending = SLAEscalation.objects.filter(pk__in=ids, executed_at=None).count()
    detail = (
        f"{ran:,} of {len(ids):,} escalations ran in {seconds:.2f} s "
        f"({ran / seconds if seconds else 0:,.0f}/s), {len(timed)} batch transactions, "
        f"longest {longest * 1000:.0f} ms (budget {BATCH_LOCK_BUDGET_S * 1000} ms), "
        f"{count} queries; the same ids again ran {again}, {pending} left pending"
    )
    holds = ran == len(ids) and again == 0 and pending == 0 and longest < BATCH_LOCK_BUDGET_S
    return holds, detail
