"""A production-sized Guichet, generated in a few seconds.

At scale 1: 10,000 citizens, 50 agents each in several of 200 assignment groups, and 100,000
notifications. Every count is multiplied by the scale. Two agents are singled out for the
benchmarks: one in several groups with no notification at all, and one with exactly 100 unread
notifications among many read ones.

Rows are written set-wise (COPY on PostgreSQL, ``bulk_create`` elsewhere), never one save per
row, and the same random seed gives the same data.
"""

import bisect
import itertools
import json
import math
import random
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from time import perf_counter
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from contacts.models import Client
from crm import roles
from crm.business_time import add_business_days
from crm.models import AssignmentGroup, Notification, User
from requests_app.catalogue.selectors import schedules_of
from requests_app.catalogue.services import catalogue_load
from requests_app.models import JournalEntry, ServiceRequest
from tasks_app.dag import depths
from tasks_app.models import Task, TaskTemplate

DOMAIN = "bench.guichet.test"
PASSWORD = "guichet-bench-password"
SEED = 20260101

PER_SCALE = {"citizens": 10_000, "agents": 50, "groups": 200, "notifications": 100_000}
GROUPS_PER_AGENT = (3, 8)
BUSY_UNREAD = 100
# The busy agent's read notifications: rows the unread queries must skip, not show.
BUSY_READ_PER_SCALE = 1_900
UNREAD_SHARE = 0.25
BATCH_SIZE = 5_000

FIRST_NAMES = [
    "Camille", "Alex", "Théo", "Gaël", "Léa", "Noah", "Chloé", "Samuel", "Maëlle", "Olivier",
    "Zoé", "Félix", "Rosalie", "Mathis", "Juliette", "Éloi", "Anaïs", "Hugo", "Inès", "Louis",
]  # fmt: skip
LAST_NAMES = [
    "Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie", "Fortin",
    "Gagné", "Ouellet", "Pelletier", "Bélanger", "Lévesque", "Bergeron", "Leblanc", "Paquette",
]  # fmt: skip
TITLES = [
    "Votre demande {n} a été mise à jour",
    "Nouvelle pièce jointe sur la demande {n}",
    "La demande {n} vous a été assignée",
    "Rappel : la demande {n} attend une réponse",
]


@dataclass
class Dataset:
    scale: float
    empty_agent: User
    busy_agent: User
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)


def generate(scale: float = 1, *, seed: int = SEED) -> Dataset:
    """Fill the (empty, freshly migrated) database and return the agents the benchmarks use."""
    started = perf_counter()
    rng = random.Random(seed)
    n = {key: max(1, round(value * scale)) for key, value in PER_SCALE.items()}
    # Two singled-out agents, and enough notifications for the busy one's unread ones.
    n["agents"] = max(2, n["agents"])
    n["notifications"] = max(BUSY_UNREAD, n["notifications"])
    now = timezone.now()

    with transaction.atomic():
        user_ids = _users(rng, n, now)
        citizen_ids = user_ids[: n["citizens"]]
        agent_ids = user_ids[n["citizens"] :]
        _citizen_clients(citizen_ids, now)
        _groups(rng, n, agent_ids)
        _notifications(rng, n, now, citizen_ids, agent_ids)
    _analyze(
        [
            User,
            User.groups.through,
            Client,
            AssignmentGroup,
            AssignmentGroup.members.through,
            Notification,
        ]
    )

    counts = {
        label: model._default_manager.count()
        for label, model in [
            ("users", User),
            ("clients", Client),
            ("assignment groups", AssignmentGroup),
            ("notifications", Notification),
        ]
    }
    return Dataset(
        scale=scale,
        empty_agent=User.objects.get(pk=agent_ids[0]),
        busy_agent=User.objects.get(pk=agent_ids[1]),
        seconds=perf_counter() - started,
        counts=counts,
    )


def _users(rng: random.Random, n: dict[str, int], now) -> list[int]:
    """Citizens then agents; returns their ids in that order."""
    # Hashing is deliberately slow; one hash shared by every row keeps generation fast.
    password = make_password(PASSWORD)
    emails = [f"citoyen{i:06d}@{DOMAIN}" for i in range(n["citizens"])]
    emails += [f"agent{i:04d}@{DOMAIN}" for i in range(n["agents"])]
    insert_rows(
        User,
        (
            {
                "email": email,
                "password": password,
                "first_name": rng.choice(FIRST_NAMES),
                "last_name": rng.choice(LAST_NAMES),
                "is_active": True,
                "date_joined": now - timedelta(days=rng.randrange(3 * 365)),
            }
            for email in emails
        ),
    )
    by_email = dict(User.objects.filter(email__endswith=f"@{DOMAIN}").values_list("email", "id"))
    ids = [by_email[email] for email in emails]

    role_ids = dict(Group.objects.filter(name__in=roles.ALL_ROLES).values_list("name", "id"))
    citizen_role, agent_role = role_ids[roles.CITIZEN], role_ids[roles.AGENT]
    insert_rows(
        User.groups.through,
        (
            {"user_id": user_id, "group_id": citizen_role if i < n["citizens"] else agent_role}
            for i, user_id in enumerate(ids)
        ),
    )
    return ids


def _citizen_clients(citizen_ids: list[int], now) -> None:
    """Every citizen account has its client (as the portal gives it), linked to it."""
    # Read before COPY starts: the connection runs one command at a time.
    citizens = list(
        User.objects.filter(pk__in=citizen_ids)
        .order_by("pk")
        .values_list("pk", "first_name", "last_name", "email")
    )
    copy_rows(
        Client,
        CLIENT_COLUMNS,
        (
            (first, last, email, "fr", user_id, now, now, *CLIENT_BLANKS)
            for user_id, first, last, email in citizens
        ),
    )


def _groups(rng: random.Random, n: dict[str, int], agent_ids: list[int]) -> None:
    names = [f"Équipe {i:04d}" for i in range(n["groups"])]
    members: dict[int, list[int]] = {i: [] for i in range(n["groups"])}
    low, high = GROUPS_PER_AGENT
    for agent_id in agent_ids:
        for index in rng.sample(range(n["groups"]), min(n["groups"], rng.randint(low, high))):
            members[index].append(agent_id)

    insert_rows(
        AssignmentGroup,
        (
            {
                "name": name,
                "description": f"File de travail de l'équipe {i:04d}.",
                # A lead usually belongs to the team, but some teams are led from outside.
                "lead_id": rng.choice(members[i] or agent_ids),
                "is_active": rng.random() > 0.05,
            }
            for i, name in enumerate(names)
        ),
    )
    by_name = dict(AssignmentGroup.objects.filter(name__in=names).values_list("name", "id"))
    ids = [by_name[name] for name in names]

    # Escalation forms a shallow tree: every tenth team is a tier above the nine after it.
    escalated = [
        AssignmentGroup(pk=ids[i], escalation_group_id=ids[i - i % 10])
        for i in range(len(ids))
        if i % 10
    ]
    AssignmentGroup.objects.bulk_update(escalated, ["escalation_group"], batch_size=BATCH_SIZE)

    insert_rows(
        AssignmentGroup.members.through,
        (
            {"assignmentgroup_id": ids[index], "user_id": user_id}
            for index, user_ids in members.items()
            for user_id in user_ids
        ),
    )


def _notifications(
    rng: random.Random,
    n: dict[str, int],
    now,
    citizen_ids: list[int],
    agent_ids: list[int],
) -> None:
    """Spread the notifications; the first agent gets none, the second a known unread count."""
    year = 365 * 24 * 3600
    busy_id = agent_ids[1]
    busy_read = round(BUSY_READ_PER_SCALE * n["notifications"] / PER_SCALE["notifications"])
    busy_read = min(busy_read, n["notifications"] - BUSY_UNREAD)
    others = citizen_ids + agent_ids[2:]

    def rows():
        for i in range(n["notifications"]):
            if i < BUSY_UNREAD:
                recipient, unread = busy_id, True
                created = now - timedelta(seconds=rng.randrange(30 * 24 * 3600))
            elif i < BUSY_UNREAD + busy_read:
                recipient, unread = busy_id, False
                created = now - timedelta(seconds=rng.randrange(year))
            else:
                recipient = rng.choice(others)
                unread = rng.random() < UNREAD_SHARE
                created = now - timedelta(seconds=rng.randrange(year))
            read_at = None if unread else min(now, created + timedelta(hours=rng.randrange(168)))
            yield {
                "recipient_id": recipient,
                "title": rng.choice(TITLES).format(n=f"D-{rng.randrange(10**6):06d}"),
                "url": "/notifications/",
                "created_at": created,
                "read_at": read_at,
            }

    insert_rows(Notification, rows())


def insert_rows(model: type[models.Model], rows: Iterable[dict[str, Any]]) -> None:
    """Insert rows given as ``{attname: value}``; fields left out take their model default.

    Every row must name the same fields.
    """
    if connection.vendor == "postgresql":
        _copy(model, rows)
    else:
        # bulk_create applies auto_now_add, so generated timestamps are lost on this path;
        # PostgreSQL, which the benchmarks target, keeps them.
        model._default_manager.bulk_create((model(**row) for row in rows), batch_size=BATCH_SIZE)


def _copy(model: type[models.Model], rows: Iterable[dict[str, Any]]) -> None:
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key and not f.generated]
    unknown = set(first) - {f.attname for f in fields}
    if unknown:
        raise ValueError(f"{model.__name__} has no field(s) {sorted(unknown)}")
    given = [f for f in fields if f.attname in first]
    defaulted = [f for f in fields if f.attname not in first]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in given + defaulted)
    sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"

    def prepared_default(f: models.Field) -> Any:
        return f.get_db_prep_save(f.get_default(), connection)

    # Constant defaults are prepared once; preparing them per row doubled the load time.
    per_row = [f for f in defaulted if f.has_default() and callable(f.default)]
    constant = {f.attname: prepared_default(f) for f in defaulted if f not in per_row}

    def values(row: dict[str, Any]) -> Sequence[Any]:
        fresh = {f.attname: prepared_default(f) for f in per_row}
        return [row[f.attname] for f in given] + [
            fresh[f.attname] if f.attname in fresh else constant[f.attname] for f in defaulted
        ]

    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        copy.write_row(values(first))
        for row in rows:
            copy.write_row(values(row))


def _analyze(models_: list[type[models.Model]]) -> None:
    # Freshly loaded tables have no planner statistics until autovacuum passes; without them
    # PostgreSQL plans as if the tables were empty, which production never sees.
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models_)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


# Requests and tasks, for the agent's task and request pages ------------------------------------
#
# At scale 1: 200,000 requesters, 1,000,000 requests of the faculty catalogue (SYNC and ASYNC)
# filed over two years, each with the four service tasks of its chain, and about one journal entry
# for every two requests. Fifty agents share the two faculty groups. Generated on demand, apart
# from ``generate``, so that runs of other pages do not pay for five million rows.

FACULTY_CATALOGUE = (
    Path(__file__).resolve().parents[1] / "requests_app" / "fixtures" / "faculty_catalogue.json"
)
FACULTY_GROUPS = {
    "Techno-pédagogues": "Entrevues avec les responsables de cours et accompagnement pédagogique.",
    "Technologues": "Planification technologique et conformité de la médiatisation.",
}
REQUESTS_PER_SCALE = {"requesters": 200_000, "requests": 1_000_000}
# A team does not grow with the number of requests it has handled; each member's load does.
FACULTY_AGENTS = 50
BUSY_OPEN_TASKS = 30
YEARS_OF_REQUESTS = 2
REQUEST_CHUNK = 50_000
JOURNAL_PER_REQUEST = 0.5

# Request status by age in days: recent requests are being worked, old ones are closed, with
# a few stuck ones. Overall about 9 % in progress, 85 % closed.
STATUS_BY_AGE = [
    (14, {"submitted": 25, "in_progress": 60, "resolved": 10, "cancelled": 5}),
    (90, {"in_progress": 65, "resolved": 15, "closed": 17, "cancelled": 3}),
    (None, {"closed": 95, "cancelled": 3, "in_progress": 1.5, "resolved": 0.5}),
]
# Status of a task that is open for work (its prerequisites are done, it is not).
ACTIVE_TASK_STATUSES = (("open", 35), ("in_progress", 50), ("on_hold", 15))
TAKEN_OPEN_SHARE = 0.3
CHANNELS = (("portal", 75), ("email", 10), ("phone", 10), ("counter", 5))
ASSISTED_CHANNELS = {"email", "phone", "counter"}
DEPARTMENTS = ["MED", "PHA", "SCI", "ANT", "BCM", "MCB", "NUT", "KIN", "PHS", "SMC"]
JOURNAL_BODIES = [
    "Rencontre planifiée avec le responsable du cours.",
    "Les accès à la classe virtuelle ont été transmis.",
    "En attente du calendrier des présentateurs.",
    "Enregistrements reçus, vérification de la médiatisation en cours.",
    "Le responsable du cours confirme les dates.",
    "Suivi téléphonique : ressources d'accompagnement envoyées.",
]


@dataclass
class AgentPagesDataset:
    """The generated requests and tasks, and the rows the benchmarks open.

    ``busy_agent`` is in both faculty groups with exactly ``BUSY_OPEN_TASKS`` tasks not done;
    ``quiet_agent`` is in one group with one; ``heaviest_agent`` carries the most. ``rich_*`` and
    ``lean_*`` are a request in progress and its technology-planning task, with the same kinds of
    related rows (journal, support tasks, history with a change of assignee) many times over for
    the rich ones and once for the lean ones.
    """

    scale: float
    busy_agent: User
    quiet_agent: User
    heaviest_agent: User
    rich_request_id: int
    lean_request_id: int
    rich_task_id: int
    lean_task_id: int
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)


def generate_agent_pages(scale: float = 1, *, seed: int = SEED) -> AgentPagesDataset:
    """Add the requesters, the faculty catalogue, requests, tasks and journal entries to the
    database filled by ``generate``."""
    started = perf_counter()
    rng = random.Random(seed + 1)
    n = {key: max(1, round(value * scale)) for key, value in REQUESTS_PER_SCALE.items()}
    now = timezone.now()

    with transaction.atomic():
        requester_ids = _requesters(rng, n["requesters"], now)
        agent_ids, members = _faculty_agents(rng, now)
        chain = _catalogue()
        plan = _Plan(rng, now, chain, members, agent_ids, requester_ids)
        with _without_secondary_indexes([ServiceRequest, Task, JournalEntry]):
            plan.load(n["requests"])
        busy, quiet = agent_ids[0], agent_ids[1]
        _assign_known_loads(rng, plan, busy, quiet)
        if len(plan.showcase) < 2:
            raise ValueError(f"scale {scale:g} is too small: no request in progress to open")
        rich, lean = plan.showcase[-1], plan.showcase[-2]
        # Before any insert through the ORM, which takes ids from the sequences.
        _reset_sequences([ServiceRequest, Task, JournalEntry])
        rich_task = _enrich(rng, rich, chain, agent_ids, many=True)
        lean_task = _enrich(rng, lean, chain, agent_ids, many=False)
    _vacuum_analyze([User, User.groups.through, Client, ServiceRequest, Task, JournalEntry])

    heaviest = (
        Task.objects.filter(assignee__isnull=False)
        .not_done()
        .values("assignee")
        .annotate(n=models.Count("pk"))
        .order_by("-n", "assignee")
        .values_list("assignee", flat=True)
        .first()
    )
    counts = {
        "requesters": n["requesters"],
        "faculty agents": len(agent_ids),
        "requests": ServiceRequest.objects.count(),
        "tasks": Task.objects.count(),
        "journal entries": JournalEntry.objects.count(),
    }
    return AgentPagesDataset(
        scale=scale,
        busy_agent=User.objects.get(pk=busy),
        quiet_agent=User.objects.get(pk=quiet),
        heaviest_agent=User.objects.get(pk=heaviest),
        rich_request_id=rich,
        lean_request_id=lean,
        rich_task_id=rich_task,
        lean_task_id=lean_task,
        seconds=perf_counter() - started,
        counts=counts,
    )


def _requesters(rng: random.Random, count: int, now) -> list[int]:
    """The people the requests are for: clients, most without a portal account."""
    emails = [f"demandeur{i:07d}@{DOMAIN}" for i in range(count)]
    copy_rows(
        Client,
        CLIENT_COLUMNS,
        (
            (
                rng.choice(FIRST_NAMES),
                rng.choice(LAST_NAMES),
                email,
                "fr",
                None,
                now - timedelta(days=rng.randrange(YEARS_OF_REQUESTS * 365 + 365)),
                now,
                *CLIENT_BLANKS,
            )
            for email in emails
        ),
    )
    by_email = dict(
        Client.objects.filter(email__startswith="demandeur", email__endswith=f"@{DOMAIN}")
        .values_list("email", "id")
        .iterator(chunk_size=BATCH_SIZE)
    )
    return [by_email[email] for email in emails]


def _users_with_role(
    rows: Iterable[dict[str, Any]], emails: list[str], prefix: str, role: str
) -> list[int]:
    """Insert users whose e-mail addresses start with ``prefix``, give them ``role``; returns
    their ids in the order of ``emails``."""
    insert_rows(User, rows)
    by_email = dict(
        User.objects.filter(email__startswith=prefix, email__endswith=f"@{DOMAIN}").values_list(
            "email", "id"
        )
    )
    ids = [by_email[email] for email in emails]
    role_id = Group.objects.get(name=role).pk
    copy_rows(User.groups.through, ["user_id", "group_id"], ((i, role_id) for i in ids))
    return ids


def _faculty_agents(rng: random.Random, now) -> tuple[list[int], dict[str, list[int]]]:
    """The agents and, by group name, its members. The first agent is in both groups, the
    second only in the technologists'."""
    password = make_password(PASSWORD)
    emails = [f"conseiller{i:03d}@{DOMAIN}" for i in range(FACULTY_AGENTS)]
    ids = _users_with_role(
        (
            {
                "email": email,
                "password": password,
                "first_name": rng.choice(FIRST_NAMES),
                "last_name": rng.choice(LAST_NAMES),
                "is_active": True,
                "date_joined": now - timedelta(days=rng.randrange(5 * 365)),
            }
            for email in emails
        ),
        emails,
        "conseiller",
        roles.AGENT,
    )

    pedagogues, technologists = FACULTY_GROUPS
    members = {pedagogues: [ids[0]], technologists: [ids[0], ids[1]]}
    for agent_id in ids[2:]:
        # Most agents belong to one team; some back the other one up.
        home, other = rng.sample([pedagogues, technologists], 2)
        members[home].append(agent_id)
        if rng.random() < 0.3:
            members[other].append(agent_id)
    for name, description in FACULTY_GROUPS.items():
        group, _created = AssignmentGroup.objects.get_or_create(
            name=name, defaults={"description": description, "lead_id": members[name][-1]}
        )
        group.members.add(*members[name])
    return ids, members


@dataclass
class _Step:
    template_id: int
    title: str
    group_name: str
    group_id: int
    due_offset_days: int
    visible_to_requester: bool
    prerequisites: list[int]  # indexes of earlier steps


def _catalogue() -> dict[str, Any]:
    """Load the faculty catalogue as the administrators do; return its types and its steps in
    an order where every step comes after its prerequisites."""
    types = catalogue_load(data=json.loads(FACULTY_CATALOGUE.read_text(encoding="utf-8")))
    chain_id = types[0].chain_template_id
    templates = list(
        TaskTemplate.objects.filter(chain_id=chain_id)
        .select_related("assignment_group")
        .prefetch_related("prerequisites")
    )
    edges = {t.pk: [p.pk for p in t.prerequisites.all()] for t in templates}
    depth = depths(edges)
    templates.sort(key=lambda t: (depth.get(t.pk, 0), t.sequence))
    index = {t.pk: i for i, t in enumerate(templates)}
    steps = [
        _Step(
            template_id=t.pk,
            title=str(t),
            group_name=t.assignment_group.name,
            group_id=t.assignment_group_id,
            due_offset_days=t.due_offset_days,
            visible_to_requester=t.visible_to_requester,
            prerequisites=sorted(index[p] for p in edges[t.pk]),
        )
        for t in templates
    ]
    # The faculty's types share one calendar (the default): due dates count its working days.
    schedule = schedules_of(types[:1])[types[0].pk]
    return {"types": [(t.pk, t.code) for t in types], "steps": steps, "schedule": schedule}


def planning_step(steps: list[_Step]) -> int:
    """The technology-planning step: the technologists' step that waits for another."""
    return next(
        i for i, s in enumerate(steps) if s.prerequisites and s.group_name == "Technologues"
    )


class _Mix:
    """Draws a key by weight, from ``{key: weight}`` or ``(key, weight)`` pairs."""

    def __init__(self, weights):
        pairs = list(weights.items()) if isinstance(weights, dict) else list(weights)
        self.keys = [key for key, _weight in pairs]
        self.bounds = list(itertools.accumulate(weight for _key, weight in pairs))

    def draw(self, rng: random.Random):
        return self.keys[bisect.bisect(self.bounds, rng.random() * self.bounds[-1])]


class _Plan:
    """Writes requests chunk by chunk, each with its tasks and journal, in one pass of the
    random generator; remembers the tasks the benchmarks will need.

    Times are seconds since the epoch until a row is written: floats are cheaper to draw and
    add than aware datetimes, and this loop runs a million times.
    """

    def __init__(self, rng, now, chain, members, agent_ids, requester_ids):
        self.rng = rng
        self.now = now.timestamp()
        self.types = chain["types"]
        self.steps: list[_Step] = chain["steps"]
        self.schedule = chain["schedule"]
        self.agent_ids = agent_ids
        busy, quiet = agent_ids[0], agent_ids[1]
        # The busy and quiet agents get known loads afterwards: random work goes to the others,
        # except that the busy agent has closed two years of tasks like everyone.
        self.closing_pool = [[a for a in members[s.group_name] if a != quiet] for s in self.steps]
        self.active_pool = [
            [a for a in members[s.group_name] if a not in (busy, quiet)] for s in self.steps
        ]
        self.requester_ids = requester_ids
        self.planning = planning_step(self.steps)
        self.status_mixes = [(limit, _Mix(mix)) for limit, mix in STATUS_BY_AGE]
        self.active_mix = _Mix(ACTIVE_TASK_STATUSES)
        self.channel_mix = _Mix(CHANNELS)
        self.taken_active: list[tuple[int, str]] = []  # (task id, group name)
        self.showcase: list[int] = []
        self._due: dict[tuple[int, int], Any] = {}
        self.next_request = _next_id(ServiceRequest)
        self.next_task = _next_id(Task)
        self.next_entry = _next_id(JournalEntry)

    def load(self, count: int) -> None:
        span = YEARS_OF_REQUESTS * 365 * 24 * 3600
        # Filing times ascending, so that ids follow time as they do in production.
        filed = sorted(self.now - self.rng.randrange(span) for _ in range(count))
        for start in range(0, count, REQUEST_CHUNK):
            requests, tasks, entries = [], [], []
            for created in filed[start : start + REQUEST_CHUNK]:
                self._request(created, requests, tasks, entries)
            copy_rows(ServiceRequest, REQUEST_COLUMNS, requests)
            copy_rows(Task, TASK_COLUMNS, tasks)
            copy_rows(JournalEntry, JOURNAL_COLUMNS, entries)

    def _request(self, created: float, requests, tasks, entries) -> None:
        rng, now, at = self.rng, self.now, _at
        age_days = (now - created) / 86400
        mix = next(m for limit, m in self.status_mixes if limit is None or age_days < limit)
        status = mix.draw(rng)
        request_id = self.next_request
        self.next_request += 1

        states, opens, closes, end = self._chain(created, status)
        resolved_at = closed_at = None
        if status in ("resolved", "closed"):
            resolved_at = end
            if status == "closed":
                closed_at = min(now, end + rng.randrange(3600, 240 * 3600))
        elif status == "cancelled":
            closed_at = end
        last_change = closed_at or resolved_at or max(created, end, *(t or 0 for t in opens))

        type_id, type_code = self.types[0] if rng.random() < 0.6 else self.types[1]
        channel = self.channel_mix.draw(rng)
        filed = at(created)
        course = f"{rng.choice(DEPARTMENTS)}{rng.randrange(1000, 7000)}"
        term = f"{'HEA'[(filed.month - 1) // 4]}{filed.year}"
        day = int(created // 86400)
        requests.append(
            (
                request_id,
                rng.choice(self.requester_ids),
                rng.choice(self.agent_ids) if channel in ASSISTED_CHANNELS else None,
                channel,
                type_id,
                f"{course} {term}",
                "",
                {"cours": course, "trimestre": term, "approche": type_code},
                None,
                self._due_date(day, filed, 20),
                status,
                filed,
                at(last_change),
                at(resolved_at) if resolved_at else None,
                at(closed_at) if closed_at else None,
            )
        )

        first_task = self.next_task
        self.next_task += len(self.steps)
        for index, step in enumerate(self.steps):
            task_status = states[index]
            assignee = None
            if task_status == "closed":
                assignee = rng.choice(self.closing_pool[index])
            elif task_status in ("in_progress", "on_hold") or (
                task_status == "open" and rng.random() < TAKEN_OPEN_SHARE
            ):
                assignee = rng.choice(self.active_pool[index])
                self.taken_active.append((first_task + index, step.group_name))
            opened = at(opens[index]) if opens[index] else None
            task_closed = at(closes[index]) if closes[index] else None
            tasks.append(
                (
                    first_task + index,
                    "service",
                    request_id,
                    None,
                    step.template_id,
                    step.title,
                    "",
                    step.group_id,
                    assignee,
                    self._due_date(day, filed, step.due_offset_days),
                    task_status,
                    step.visible_to_requester,
                    filed,
                    task_closed or opened or filed,
                    opened,
                    task_closed,
                    *TASK_BLANKS,
                )
            )
        if (
            status == "in_progress"
            and states[self.planning] == "in_progress"
            and states[-1] == "pending"
        ):
            self.showcase.append(request_id)

        # Notes are written on tasks that were worked, while they were open.
        worked = [i for i, opened in enumerate(opens) if opened]
        for _ in range(_poisson_small(rng, JOURNAL_PER_REQUEST)):
            if not worked:
                break
            index = rng.choice(worked)
            since = opens[index]
            entries.append(
                (
                    self.next_entry,
                    request_id,
                    first_task + index,
                    "comment" if rng.random() < 0.3 else "work_note",
                    rng.choice(self.closing_pool[index]),
                    rng.choice(JOURNAL_BODIES),
                    at(since + ((closes[index] or now) - since) * rng.random()),
                )
            )
            self.next_entry += 1

    def _chain(self, created: float, status: str):
        """Each step's status, opening and closing times (None when it did not happen), and
        the time of the last closing.

        Steps run in order of their prerequisites; times are stretched to fit between the
        filing and now, so that nothing happens in the future.
        """
        rng, steps = self.rng, self.steps
        done = status in ("resolved", "closed")
        states: list[str] = []
        for step in steps:
            if done:
                states.append("closed")
            elif any(states[p] != "closed" for p in step.prerequisites):
                states.append("pending")
            elif status == "submitted":
                states.append("open")
            else:
                states.append("closed" if rng.random() < 0.55 else "active")
        if not done and status != "submitted" and all(s == "closed" for s in states):
            states[-1] = "active"  # every step closed would make the request resolved

        # Durations in arbitrary units, then scaled to the time the request has had.
        begins, finishes = [], []
        for step in steps:
            begin = max([finishes[p] for p in step.prerequisites], default=0.0)
            begins.append(begin)
            finishes.append(begin + rng.uniform(0.2, 1.0))
        limit = min(self.now, created + rng.uniform(3, 45) * 86400) if done else self.now
        unit = (limit - created) / (max(finishes) * 1.05)
        opens = [
            None if s == "pending" else created + unit * b
            for s, b in zip(states, begins, strict=True)
        ]
        closes = [
            created + unit * f if s == "closed" else None
            for s, f in zip(states, finishes, strict=True)
        ]
        end = max([created, *(t for t in closes if t)])
        if status == "cancelled":
            end += (self.now - end) * rng.random()
            closes = [end if s != "closed" else t for s, t in zip(states, closes, strict=True)]
            states = ["cancelled" if s != "closed" else s for s in states]
        else:
            states = [self.active_mix.draw(rng) if s == "active" else s for s in states]
        return states, opens, closes, end

    def _due_date(self, day: int, filed, business_days: int):
        key = (day, business_days)
        if key not in self._due:
            self._due[key] = add_business_days(self.schedule, filed.date(), business_days)
        return self._due[key]


def _at(timestamp: float):
    return datetime.fromtimestamp(timestamp, UTC)


REQUEST_COLUMNS = [
    "id", "requester_id", "created_by_id", "channel", "request_type_id", "title", "description",
    "form_data", "external_key", "due_date", "status", "created_at", "updated_at", "resolved_at",
    "closed_at",
]  # fmt: skip
TASK_COLUMNS = [
    "id", "kind", "request_id", "parent_id", "template_id", "title", "description",
    "assignment_group_id", "assignee_id", "due_date", "status", "visible_to_requester",
    "created_at", "updated_at", "opened_at", "closed_at", "priority", "place",
    "virtual_room_url",
]  # fmt: skip
# A service task's to-do and scheduling columns (COPY applies no model default).
TASK_BLANKS = ("medium", "", "")
JOURNAL_COLUMNS = ["id", "request_id", "task_id", "kind", "author_id", "body", "created_at"]
CLIENT_COLUMNS = [
    "first_name", "last_name", "email", "language", "user_id", "created_at", "updated_at",
    "phone", "street", "street_2", "city", "region", "postal_code", "country",
]  # fmt: skip
# Phone and address, empty: COPY applies no model default.
CLIENT_BLANKS = ("",) * 7


def _assign_known_loads(rng: random.Random, plan: _Plan, busy: int, quiet: int) -> None:
    """Hand ``BUSY_OPEN_TASKS`` taken tasks to the busy agent and one technologists' task to
    the quiet agent, so that their pages show a known amount of work at every scale."""
    technologists = [t for t, group in plan.taken_active if group == "Technologues"]
    quiet_task = rng.choice(technologists)
    others = [t for t, _group in plan.taken_active if t != quiet_task]
    busy_tasks = rng.sample(others, min(BUSY_OPEN_TASKS, len(others)))
    Task.objects.filter(pk__in=busy_tasks).update(assignee_id=busy)
    Task.objects.filter(pk=quiet_task).update(assignee_id=quiet)


def _enrich(rng: random.Random, request_id: int, chain, agent_ids: list[int], *, many: bool):
    """Give a request in progress, and its technology-planning task, journal entries, support
    tasks and a recorded history; ``many`` multiplies every kind of row. Returns the task's id.
    """
    request = ServiceRequest.objects.get(pk=request_id)
    steps = chain["steps"]
    planning = planning_step(steps)
    task = Task.objects.get(request=request, template_id=steps[planning].template_id)
    technologists = AssignmentGroup.objects.get(name="Technologues")
    workers = list(technologists.members.values_list("pk", flat=True))
    repeat = 8 if many else 1
    since = task.opened_at or request.created_at

    def moment(i: int, of: int):
        return since + (timezone.now() - since) * (i + 1) / (of + 2)

    entries = []
    for i in range(repeat):
        for subject_task in (None, task):
            entries.append(
                JournalEntry(
                    request=request,
                    task=subject_task,
                    kind=JournalEntry.Kind.COMMENT if i % 3 == 0 else JournalEntry.Kind.WORK_NOTE,
                    author_id=rng.choice(workers),
                    body=rng.choice(JOURNAL_BODIES),
                )
            )
    JournalEntry.objects.bulk_create(entries)
    for i, entry in enumerate(entries):
        # auto_now_add stamped them all now; spread them over the task's life instead.
        JournalEntry.objects.filter(pk=entry.pk).update(created_at=moment(i, len(entries)))

    support = [
        Task(
            kind=Task.Kind.SUPPORT,
            request=request,
            parent=task,
            title=f"Soutien technique à la prestation {i + 1}",
            assignment_group=technologists,
            # Unassigned in the queue, or taken (a closed task always has its closer).
            assignee_id=rng.choice(workers) if i % 3 else None,
            due_date=task.due_date,
            status=[Task.Status.OPEN, Task.Status.IN_PROGRESS, Task.Status.CLOSED][i % 3],
            opened_at=moment(i, repeat),
            closed_at=moment(i + 1, repeat) if i % 3 == 2 else None,
            visible_to_requester=False,
        )
        for i in range(max(1, repeat // 2))
    ]
    Task.objects.bulk_create(support)

    # The history a request in progress has: filed, submitted, started, then (for the rich one)
    # its due date moved back and forth.
    agent = rng.choice(workers)
    request_steps = [
        (request.created_at, request.created_by_id, "+", "", {"status": "draft"}),
        (request.created_at, request.created_by_id, "~", "submitted", {"status": "submitted"}),
        (since, agent, "~", "work started", {}),
    ]
    for i in range(repeat - 1):
        moved = request.due_date + timedelta(days=7 * (1 + i % 2)) if i % 2 == 0 else None
        request_steps.append(
            (
                moment(i, repeat),
                agent,
                "~",
                "due date moved",
                {"due_date": moved or request.due_date},
            )
        )
    _record_history(request, request_steps)

    # The task's: created pending, opened, taken, started, then handed between technologists
    # and put on hold; every change of assignee is a foreign key the page shows by name.
    task_steps = [
        (
            request.created_at,
            None,
            "+",
            "",
            {"status": "pending", "assignee_id": None, "opened_at": None},
        ),
        (since, None, "~", "prerequisites done", {"status": "open", "assignee_id": None}),
        (since, agent, "~", "taken", {"status": "open", "assignee_id": agent}),
        (since, agent, "~", "started", {"assignee_id": agent}),
    ]
    for i in range(repeat - 1):
        holder = rng.choice(workers)
        status = "on_hold" if i % 2 == 0 else "in_progress"
        task_steps.append(
            (moment(i, repeat), agent, "~", "assigned", {"assignee_id": holder, "status": status})
        )
    task_steps.append((moment(repeat, repeat), agent, "~", "resumed", {}))
    _record_history(task, task_steps)
    return task.pk


def _record_history(obj: models.Model, steps) -> None:
    """Write ``obj``'s history rows: each step is (when, user id, type, reason, fields that
    differed then from the current row)."""
    history = type(obj).history.model
    current = {f.attname: getattr(obj, f.attname) for f in history.tracked_fields}
    history.objects.bulk_create(
        history(
            history_date=when,
            history_user_id=user_id,
            history_type=kind,
            history_change_reason=reason or None,
            **{**current, **differences},
        )
        for when, user_id, kind, reason, differences in steps
    )


def copy_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Insert rows given as tuples of values for ``columns`` (attnames, in that order).

    Lighter than ``insert_rows`` for millions of rows: no dictionary and no default per row,
    so every column without a database default must be named. On PostgreSQL the rows travel
    in COPY's binary format, with each column's type given up front: converting values to text
    in Python cost six times as long as the whole binary load.
    """
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(
            (model(**dict(zip(columns, row, strict=True))) for row in rows), batch_size=BATCH_SIZE
        )
        return
    # A column added to the model since the generator was written, with a default and no
    # database default (``place = CharField(blank=True)``: ""), gets that default.
    defaults = [
        field
        for field in model._meta.concrete_fields
        if field.attname not in columns
        and not field.null
        and not field.primary_key
        and not field.generated
        and field.db_default is models.NOT_PROVIDED
        and (field.has_default() or (field.blank and field.empty_strings_allowed))
    ]
    if defaults:
        values = tuple(field.get_default() for field in defaults)
        columns = [*columns, *(field.attname for field in defaults)]
        rows = (tuple(row) + values for row in rows)
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = [model._meta.get_field(column).column for column in columns]
    # Columns added to the model after its generator was written, NOT NULL with a constant
    # default (or blank text) and no database default: written with it rather than refused.
    added = [
        f
        for f in model._meta.concrete_fields
        if f.attname not in columns
        and not f.null
        and not f.primary_key
        and not f.generated
        and not (f.has_default() and callable(f.default))
        and not f.has_db_default()
        and f.get_default() is not None
    ]
    if added:
        names += [f.column for f in added]
        constants = tuple(f.get_db_prep_save(f.get_default(), connection) for f in added)
        rows = (tuple(row) + constants for row in rows)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, format_type(atttypid, NULL) FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
            [table],
        )
        types = dict(cursor.fetchall())
        sql = f"COPY {table} ({', '.join(map(quote, names))}) FROM STDIN (FORMAT BINARY)"
        with cursor.cursor.copy(sql) as copy:
            copy.set_types([types[name] for name in names])
            for row in rows:
                copy.write_row(row)


@contextmanager
def _without_secondary_indexes(models_: list[type[models.Model]]):
    """Load the tables without their foreign keys and non-unique indexes, then put them back.

    Kept in place, every row queued one integrity check per foreign key, run one by one at
    commit (23 s for 100,000 requests and their tasks, four minutes at scale 1), and updated
    eight indexes. Put back afterwards, each foreign key is checked by one join over the table
    and each index built by one sort, as a restore does: 6 s for the same rows. DDL is
    transactional, so a load that fails rolls the drops back with its rows.
    """
    if connection.vendor != "postgresql":
        yield
        return
    quote = connection.ops.quote_name
    saved_keys, saved_indexes = [], []
    with connection.cursor() as cursor:
        # Checks still queued from earlier inserts (the catalogue) forbid altering the tables
        # they involve: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for model in models_:
            table = model._meta.db_table
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
                [quote(table)],
            )
            for name, definition in cursor.fetchall():
                saved_keys.append((table, name, definition))
                cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
            # Indexes behind a primary key, a unique or an exclusion constraint stay: they
            # guard the load.
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
                "FROM pg_index i WHERE i.indrelid = %s::regclass AND NOT i.indisunique "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
                "ORDER BY 1",
                [quote(table)],
            )
            for name, definition in cursor.fetchall():
                saved_indexes.append(definition)
                cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        # The default 64 MB sorts on disk for the larger indexes; this is the load's session.
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for definition in saved_indexes:
            cursor.execute(definition)
        for table, name, definition in saved_keys:
            cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
        # Back to Django's mode: foreign keys checked at commit.
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _next_id(model: type[models.Model]) -> int:
    return (model._default_manager.aggregate(top=models.Max("pk"))["top"] or 0) + 1


def _reset_sequences(models_: list[type[models.Model]]) -> None:
    """Rows were written with their ids: move the id sequences past them, as loaddata does."""
    statements = connection.ops.sequence_reset_sql(no_style(), models_)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _vacuum_analyze(models_: list[type[models.Model]]) -> None:
    # Beyond statistics, VACUUM sets the visibility map and hint bits that a table in service
    # has: without it the first reads of bulk-loaded rows rewrite pages and index-only scans
    # visit the heap, which would slow the measured requests for a reason production lacks.
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models_)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {tables}")


def _poisson_small(rng: random.Random, mean: float) -> int:
    """A small count with the given mean (Knuth's method; fine for a mean below 10)."""
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count
