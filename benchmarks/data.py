"""A production-sized Guichet, generated in a few seconds.

At scale 1: 10,000 citizens, 50 agents each in several of 200 assignment groups, and 100,000
notifications. Every count is multiplied by the scale. Two agents are singled out for the
benchmarks: one in several groups with no notification at all, and one with exactly 100 unread
notifications among many read ones.

Rows are written set-wise (COPY on PostgreSQL, ``bulk_create`` elsewhere), never one save per
row, and the same random seed gives the same data.
"""

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from time import perf_counter
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, models, transaction
from django.utils import timezone

from crm import roles
from crm.models import AssignmentGroup, Notification, User

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
        _groups(rng, n, agent_ids)
        _notifications(rng, n, now, citizen_ids, agent_ids)
    _analyze(
        [User, User.groups.through, AssignmentGroup, AssignmentGroup.members.through, Notification]
    )

    counts = {
        label: model._default_manager.count()
        for label, model in [
            ("users", User),
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
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
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
