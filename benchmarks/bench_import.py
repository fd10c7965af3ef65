"""The course-grid import at production size: 10,000 rows (× scale), then the same file again.

Each import runs once, so they are checks rather than repeated operations: the first creates
every request and its chain of tasks, and a second run of it would be the re-import. The
re-import check imports the file first, untimed, when it runs alone.
"""

import json
import random
from pathlib import Path
from time import perf_counter

from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm import roles
from crm.models import AssignmentGroup, User
from requests_app.catalogue.services import catalogue_load
from requests_app.imports.apply import course_grid_import
from requests_app.models import ServiceRequest
from tasks_app.models import Task

from .data import DOMAIN, PASSWORD, SEED
from .registry import check

ROWS_PER_SCALE = 10_000
IMPORT_BUDGET_S = 20
REIMPORT_BUDGET_S = 10
COURSES_PER_TEACHER = 4
FACULTY_GROUPS = ("Techno-pédagogues", "Technologues")
CATALOGUE = Path(__file__).resolve().parents[1] / "requests_app/fixtures/faculty_catalogue.json"
HEADER = (
    "sigle;titre;trimestre;departement;responsable_nom;responsable_courriel;approche;"
    "date_debut;presentateurs"
)
SUBJECTS = [
    "Anatomie", "Physiologie", "Pharmacologie", "Éthique clinique", "Santé publique",
    "Immunologie", "Microbiologie", "Pathologie", "Biochimie", "Sémiologie",
]  # fmt: skip
DEPARTMENTS = ["Médecine", "Pathologie", "Pharmacologie", "Santé publique", "Chirurgie"]

_state: dict = {}


def _grid(scale: float) -> tuple[bytes, int]:
    """The file and its row count, built once: a teacher for every four courses, half of them
    clients already known (the citizens' clients), the others new clients."""
    if "grid" in _state:
        return _state["grid"], _state["rows"]
    rng = random.Random(SEED)
    rows = max(1, round(ROWS_PER_SCALE * scale))
    citizens = max(1, round(10_000 * scale))
    lines = [HEADER]
    for i in range(rows):
        teacher = i // COURSES_PER_TEACHER
        if teacher % 2:
            email = f"citoyen{teacher % citizens:06d}@{DOMAIN}"
        else:
            email = f"enseignant{teacher:06d}@{DOMAIN}"
        day, month = 1 + i % 28, 1 + i % 12
        date = f"2026-{month:02d}-{day:02d}" if i % 2 else f"{day:02d}/{month:02d}/2026"
        presenters = "|".join(
            f"Présentateur {i}-{p} <presentateur{i}-{p}@{DOMAIN}>" for p in range(rng.randint(0, 2))
        )
        lines.append(
            ";".join(
                [
                    f"BEN{i:06d}",
                    f"{rng.choice(SUBJECTS)} {i % 7 + 1}",
                    "A2026",
                    rng.choice(DEPARTMENTS),
                    f"Enseignant {teacher}",
                    email,
                    "SYNC" if i % 2 else "ASYNC",
                    date,
                    presenters,
                ]
            )
        )
    _state["grid"] = ("\r\n".join(lines) + "\r\n").encode("utf-8")
    _state["rows"] = rows
    return _state["grid"], rows


def _catalogue() -> User:
    """The faculty's groups (with two members of their own) and catalogue; the importer."""
    if "by" in _state:
        return _state["by"]
    agent_role = Group.objects.get(name=roles.AGENT)
    members = []
    for name in ("importeur", "technologue-import"):
        user, _created = User.objects.get_or_create(
            email=f"{name}@{DOMAIN}", defaults={"first_name": name.capitalize()}
        )
        user.set_password(PASSWORD)
        user.save()
        user.groups.add(agent_role)
        members.append(user)
    for name in FACULTY_GROUPS:
        group, _created = AssignmentGroup.objects.get_or_create(name=name)
        group.members.add(*members)
    catalogue_load(data=json.loads(CATALOGUE.read_text(encoding="utf-8")))
    _state["by"] = members[0]
    return members[0]


def _timed_import(data: bytes, by: User):
    with CaptureQueriesContext(connection) as captured:
        started = perf_counter()
        result = course_grid_import(data=data, by=by)
        elapsed = perf_counter() - started
    return result, elapsed, len(captured)


def _already_imported(rows: int) -> bool:
    return ServiceRequest.objects.filter(external_key__startswith="BEN").count() >= rows


@check(
    f"course-grid import: {ROWS_PER_SCALE:,} rows × scale within {IMPORT_BUDGET_S} s × scale",
    mutates=True,
)
def course_grid_first_import(ctx):
    by = _catalogue()
    data, rows = _grid(ctx.data.scale)
    if _already_imported(rows):
        return False, "the grid was already imported in this database"
    tasks_before = Task.objects.count()
    result, elapsed, queries = _timed_import(data, by)
    budget = IMPORT_BUDGET_S * ctx.data.scale
    tasks = Task.objects.count() - tasks_before
    detail = (
        f"{rows:,} rows: {result.summary}, {tasks:,} tasks, "
        f"{result.requesters_created:,} new clients, {elapsed:.1f} s (budget {budget:g} s), "
        f"{queries} queries"
    )
    holds = elapsed < budget and result.created == rows and result.rejected == 0
    return holds, detail


@check(
    f"course-grid re-import: same file within {REIMPORT_BUDGET_S} s × scale, nothing written",
    mutates=True,
)
def course_grid_reimport(ctx):
    by = _catalogue()
    data, rows = _grid(ctx.data.scale)
    if not _already_imported(rows):
        course_grid_import(data=data, by=by)
    counts_before = (
        ServiceRequest.objects.count(),
        Task.objects.count(),
        ServiceRequest.history.count(),
    )
    result, elapsed, queries = _timed_import(data, by)
    counts_after = (
        ServiceRequest.objects.count(),
        Task.objects.count(),
        ServiceRequest.history.count(),
    )
    budget = REIMPORT_BUDGET_S * ctx.data.scale
    detail = (
        f"{rows:,} rows: {result.summary}, {elapsed:.1f} s (budget {budget:g} s), "
        f"{queries} queries, rows written: {'none' if counts_after == counts_before else 'SOME'}"
    )
    holds = (
        elapsed < budget
        and result.unchanged == rows
        and result.created == result.updated == 0
        and counts_after == counts_before
    )
    return holds, detail
