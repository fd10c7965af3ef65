"""Course-grid import: the faculty's grid of courses becomes one request per course, term and
teaching approach, each with its chain of tasks.

Reading and checking the file touch no database; applying it is set-based (a handful of bulk
queries per thousand rows, never one save per row) and runs in one transaction.
"""

import csv
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email
from django.db import connection, models, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from crm import roles
from crm.errors import DomainError, NotAllowed
from crm.models import AssignmentGroup, User
from crm.services import notifications_send
from tasks_app.models import Task, TaskTemplate

from .business_time import add_business_days
from .models import CourseGridImport, Request, RequestType
from .services import chain_templates_of

REQUIRED_COLUMNS = (
    "sigle",
    "titre",
    "trimestre",
    "departement",
    "responsable_nom",
    "responsable_courriel",
    "approche",
    "date_debut",
)
OPTIONAL_COLUMNS = ("presentateurs",)
# Columns that may be present but empty; every other required column needs a value.
MAY_BE_EMPTY = frozenset({"departement", "responsable_nom", "presentateurs"})
LIST_SEPARATOR = "|"
DELIMITERS = (";", ",")
KEY_MAX_LENGTH = Request._meta.get_field("external_key").max_length
TITLE_MAX_LENGTH = Request._meta.get_field("title").max_length
NAME_MAX_LENGTH = User._meta.get_field("first_name").max_length
EMAIL_MAX_LENGTH = User._meta.get_field("email").max_length
# Rows written per round of bulk queries: bounds memory and the size of each statement.
CHUNK_SIZE = 1000
# Databases other than PostgreSQL update through bulk_update, whose CASE expressions grow with
# the batch.
UPDATE_BATCH = 100
UPDATE_TABLE = "course_grid_update"
# Lookups by key or e-mail, per query.
LOOKUP_CHUNK = 5000
# Uploads with fewer rows run while the agent waits; larger ones go to the worker.
INLINE_MAX_ROWS = 2000
HISTORY_REASON = "course grid import"
LOCK_NAME = "course-grid-import"
PROGRESS_CACHE_KEY = "course-grid-import:{pk}:processed"

_ISO_DATE = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})$")
_DAY_FIRST_DATE = re.compile(r"^(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4})$")
_PRESENTER = re.compile(r"^(?P<name>[^<>]*?)\s*<\s*(?P<email>[^<>\s]+)\s*>$")

Progress = Callable[[float], None]


class CourseGridFileError(DomainError):
    """The file as a whole cannot be read as a course grid (encoding, header, separator)."""


@dataclass(frozen=True)
class GridFile:
    """The file cut into records: its header as written, and each record with its line."""

    header: list[str]
    columns: dict[str, int]
    delimiter: str
    records: list[tuple[int, list[str]]]


@dataclass(frozen=True)
class RejectedRow:
    line: int
    reasons: tuple[str, ...]
    cells: tuple[str, ...]


@dataclass(frozen=True)
class PlannedRequest:
    """What one (course, term, approach) of the file says its request must be."""

    line: int
    key: str
    request_type_id: int
    title: str
    due_date: date
    form_data: dict
    email: str
    name: str


@dataclass
class CourseGridResult:
    """Counts are of requests (a row with two approaches gives two), ``rejected`` is of rows.

    ``errors`` holds one ``(line_number, reason)`` per problem found, in file order.
    """

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    rejected_rows: list[RejectedRow] = field(default_factory=list)
    total_rows: int = 0
    requesters_created: int = 0
    tasks_created: int = 0
    dry_run: bool = False
    applied: bool = False
    header: list[str] = field(default_factory=list)
    delimiter: str = ";"

    @property
    def summary(self) -> str:
        return (
            f"created={self.created} updated={self.updated} "
            f"unchanged={self.unchanged} rejected={self.rejected}"
        )

    def as_report(self) -> dict:
        """A JSON-ready form, kept on the upload job for its page and its rejected-rows file."""
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "total_rows": self.total_rows,
            "requesters_created": self.requesters_created,
            "tasks_created": self.tasks_created,
            "dry_run": self.dry_run,
            "applied": self.applied,
            "header": self.header,
            "delimiter": self.delimiter,
            "rejected_rows": [
                {"line": r.line, "reasons": list(r.reasons), "cells": list(r.cells)}
                for r in self.rejected_rows
            ],
        }


# Reading -----------------------------------------------------------------------------------


def normalise_header(name: str) -> str:
    """``" Date début "`` → ``"date_debut"``: no accents, no case, spaces and dashes as ``_``."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[\s\-]+", "_", ascii_text.strip().lower())


def course_grid_read(*, data: bytes) -> GridFile:
    """Decode (UTF-8, with or without BOM), detect the separator and map the header.

    Raises ``CourseGridFileError`` when the file is not a course grid at all.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CourseGridFileError(
            _("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")
        ) from exc
    if "\x00" in text:
        raise CourseGridFileError(_("The file is not a CSV text file."))
    first_line = next((line for line in text.splitlines() if line.strip()), None)
    if first_line is None:
        raise CourseGridFileError(_("The file is empty."))
    counts = {d: first_line.count(d) for d in DELIMITERS}
    delimiter = max(DELIMITERS, key=lambda d: counts[d])
    if not counts[delimiter]:
        raise CourseGridFileError(_("Line 1: no column separator found (expected “;” or “,”)."))

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    header_line = 0
    records: list[tuple[int, list[str]]] = []
    try:
        while True:
            line = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                break
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header, header_line = cells, line
            else:
                records.append((line, cells))
    except csv.Error as exc:
        raise CourseGridFileError(
            _("Line %(line)d: %(error)s") % {"line": reader.line_num, "error": exc}
        ) from exc

    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        key = normalise_header(name)
        if not key:
            continue
        if key in columns:
            raise CourseGridFileError(
                _("Line %(line)d: the column “%(column)s” appears twice.")
                % {"line": header_line, "column": key}
            )
        columns[key] = index
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise CourseGridFileError(
            ngettext(
                "Line %(line)d: missing column %(columns)s.",
                "Line %(line)d: missing columns %(columns)s.",
                len(missing),
            )
            % {"line": header_line, "columns": ", ".join(f"“{c}”" for c in missing)}
        )
    if not records:
        raise CourseGridFileError(_("The file has a header but no rows."))
    return GridFile(header=header, columns=columns, delimiter=delimiter, records=records)


# Checking ----------------------------------------------------------------------------------


def _clean(value: str) -> str:
    return " ".join(value.split())


def _parse_date(value: str) -> date | None:
    # Two regular expressions: strptime was a quarter of the time spent checking big files.
    match = _ISO_DATE.match(value) or _DAY_FIRST_DATE.match(value)
    if match is None:
        return None
    try:
        return date(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError:
        return None


@lru_cache(maxsize=65536)
def _valid_email(value: str) -> str | None:
    email = value.strip().lower()
    if len(email) > EMAIL_MAX_LENGTH:
        return None
    try:
        validate_email(email)
    except ValidationError:
        return None
    return email


def parse_presenters(value: str) -> tuple[list[dict], list[str]]:
    """``"Ana Roy <ana@x.org>|luc@x.org"`` → presenters as ``{name, email}`` and the bad
    items as written."""
    presenters, bad = [], []
    for item in value.split(LIST_SEPARATOR):
        item = _clean(item)
        if not item:
            continue
        match = _PRESENTER.match(item)
        name, address = (match["name"], match["email"]) if match else ("", item)
        email = _valid_email(address)
        if email is None:
            bad.append(item)
        else:
            presenters.append({"name": _clean(name).strip("\"'"), "email": email})
    return presenters, bad


def request_title(*, sigle: str, titre: str, trimestre: str) -> str:
    title = f"{sigle} — {titre} ({trimestre})"
    if len(title) <= TITLE_MAX_LENGTH:
        return title
    room = TITLE_MAX_LENGTH - len(f"{sigle} — … ({trimestre})")
    return f"{sigle} — {titre[: max(0, room)].rstrip()}… ({trimestre})"[:TITLE_MAX_LENGTH]


def external_key(*, sigle: str, trimestre: str, approche: str) -> str:
    return "|".join(_clean(part).upper() for part in (sigle, trimestre, approche))


def _check_row(
    line: int,
    cells: list[str],
    grid: GridFile,
    types: dict[str, RequestType],
    seen: dict[str, int],
) -> tuple[list[PlannedRequest], list[str]]:
    """The requests one row asks for, or the reasons it is refused."""
    reasons: list[str] = []
    width = len(grid.header)
    if len(cells) > width and any(c.strip() for c in cells[width:]):
        reasons.append(
            _("The row has %(count)d cells, the header %(expected)d.")
            % {"count": len(cells), "expected": width}
        )
    values: dict[str, str] = {}
    for column in REQUIRED_COLUMNS + OPTIONAL_COLUMNS:
        index = grid.columns.get(column)
        if index is None:
            values[column] = ""
            continue
        if index >= len(cells) and column in OPTIONAL_COLUMNS:
            values[column] = ""
            continue
        if index >= len(cells):
            reasons.append(_("Missing column “%(column)s”.") % {"column": column})
            values[column] = ""
            continue
        values[column] = cells[index].strip()
        if not values[column] and column not in MAY_BE_EMPTY:
            reasons.append(_("The column “%(column)s” is empty.") % {"column": column})

    sigle, trimestre = _clean(values["sigle"]).upper(), _clean(values["trimestre"]).upper()
    codes: list[str] = []
    for code in values["approche"].split(LIST_SEPARATOR):
        code = code.strip().upper()
        if not code or code in codes:
            continue
        if code not in types:
            reasons.append(
                _("Unknown approach “%(code)s” (known: %(known)s).")
                % {"code": code, "known": ", ".join(sorted(types))}
            )
        codes.append(code)
    if values["approche"] and not codes:
        reasons.append(_("The column “%(column)s” is empty.") % {"column": "approche"})

    due = None
    if values["date_debut"]:
        due = _parse_date(values["date_debut"])
        if due is None:
            reasons.append(
                _("Bad date “%(value)s” (expected YYYY-MM-DD or DD/MM/YYYY).")
                % {"value": values["date_debut"]}
            )
    email = None
    if values["responsable_courriel"]:
        email = _valid_email(values["responsable_courriel"])
        if email is None:
            reasons.append(
                _("Bad e-mail address “%(value)s”.") % {"value": values["responsable_courriel"]}
            )
    presenters, bad_presenters = parse_presenters(values["presentateurs"])
    for item in bad_presenters:
        reasons.append(_("Bad presenter “%(value)s” (expected Name <e-mail>).") % {"value": item})

    keys = []
    if sigle and trimestre:
        for code in codes:
            key = external_key(sigle=sigle, trimestre=trimestre, approche=code)
            if len(key) > KEY_MAX_LENGTH:
                reasons.append(
                    _("The course code and term are too long (%(max)d characters at most).")
                    % {"max": KEY_MAX_LENGTH - len(code) - 2}
                )
                break
            if key in seen:
                reasons.append(
                    _("Same course, term and approach (%(key)s) as line %(line)d.")
                    % {"key": key, "line": seen[key]}
                )
            else:
                seen[key] = line
            keys.append((key, code))
    if reasons:
        return [], reasons

    titre = _clean(values["titre"])
    planned = [
        PlannedRequest(
            line=line,
            key=key,
            request_type_id=types[code].pk,
            title=request_title(sigle=sigle, titre=titre, trimestre=trimestre),
            due_date=due,
            form_data={
                "sigle": sigle,
                "titre": titre,
                "trimestre": trimestre,
                "departement": _clean(values["departement"]),
                "approche": code,
                "presentateurs": presenters,
            },
            email=email,
            name=_clean(values["responsable_nom"]),
        )
        for key, code in keys
    ]
    return planned, []


def course_grid_check(
    *, grid: GridFile, types: dict[str, RequestType]
) -> tuple[list[PlannedRequest], list[RejectedRow]]:
    """Every row checked on its own; a key seen on an earlier line refuses the later one."""
    planned: list[PlannedRequest] = []
    rejected: list[RejectedRow] = []
    seen: dict[str, int] = {}
    for line, cells in grid.records:
        requests, reasons = _check_row(line, cells, grid, types, seen)
        if reasons:
            rejected.append(RejectedRow(line=line, reasons=tuple(reasons), cells=tuple(cells)))
        else:
            planned.extend(requests)
    return planned, rejected


# Applying ----------------------------------------------------------------------------------


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _users_by_email(emails: Iterable[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(set(emails)), LOOKUP_CHUNK):
        rows = (
            User.objects.alias(email_lower=Lower("email"))
            .filter(email_lower__in=chunk)
            .values_list("email", "pk")
        )
        found.update((email.lower(), pk) for email, pk in rows)
    return found


@dataclass(frozen=True)
class _Existing:
    """What the file is compared with: only the columns the import may change."""

    pk: int
    title: str
    due_date: date | None
    form_data: dict
    requester_email: str


def _existing_requests(keys: list[str]) -> dict[str, _Existing]:
    found: dict[str, _Existing] = {}
    for chunk in _chunks(keys, LOOKUP_CHUNK):
        rows = (
            Request.objects.filter(external_key__in=chunk)
            .annotate(requester_email=Lower("requester__email"))
            .values_list("external_key", "pk", "title", "due_date", "form_data", "requester_email")
        )
        found.update((key, _Existing(*values)) for key, *values in rows)
    return found


def _copy_supported() -> bool:
    return connection.vendor == "postgresql"


def _prepared(field: models.Field, value):
    # COPY adapts plain Python values itself; JSON needs the database's JSON wrapper.
    if isinstance(field, models.JSONField):
        return field.get_db_prep_save(value, connection)
    return value


def _copy(table: str, columns: list[str], rows: Iterable[list]) -> None:
    quote = connection.ops.quote_name
    sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def _copy_history(model, rows: list[dict], *, history_type: str, by, reason: str) -> None:
    """One history row per row (``{attname: value}``, id included), the columns that
    ``bulk_create_with_history`` and ``bulk_update_with_history`` fill."""
    history = model.history.model
    tracked = {f.attname: f for f in history.tracked_fields}
    extra = {
        "history_date": timezone.now(),
        "history_change_reason": reason,
        "history_type": history_type,
        "history_user_id": by.pk if by is not None else None,
    }
    columns = [f for f in history._meta.concrete_fields if not f.primary_key]
    unknown = {f.attname for f in columns} - set(tracked) - set(extra)
    if unknown:
        raise ImproperlyConfigured(f"{history.__name__} has unexpected fields {sorted(unknown)}")
    _copy(
        history._meta.db_table,
        [f.column for f in columns],
        (
            [
                _prepared(tracked[f.attname], row[f.attname])
                if f.attname in tracked
                else extra[f.attname]
                for f in columns
            ]
            for row in rows
        ),
    )


def _insert_with_history(model, rows: list[dict], *, by: User | None, reason: str) -> list[int]:
    """Insert ``rows`` (``{attname: value}``, every concrete field but the id) with one "+"
    history row each; returns the new ids in order.

    PostgreSQL gets COPY, with ids drawn from the sequence first: several times faster than
    ``bulk_create`` for tens of thousands of rows. Other databases get
    ``bulk_create_with_history``.
    """
    if not rows:
        return []
    if not _copy_supported():
        objs = bulk_create_with_history(
            [model(**row) for row in rows],
            model,
            batch_size=CHUNK_SIZE,
            default_user=by,
            default_change_reason=reason,
        )
        return [obj.pk for obj in objs]
    table, pk = model._meta.db_table, model._meta.pk
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, pk.column, len(rows)],
        )
        ids = [row[0] for row in cursor.fetchall()]
    rows = [{pk.attname: id_, **row} for id_, row in zip(ids, rows, strict=True)]
    fields = model._meta.concrete_fields
    _copy(
        table,
        [f.column for f in fields],
        ([_prepared(f, row[f.attname]) for f in fields] for row in rows),
    )
    _copy_history(model, rows, history_type="+", by=by, reason=reason)
    return ids


def _update_with_history(model, objs: list, fields: list[str], *, by, reason: str) -> None:
    """Write ``fields`` of ``objs`` with one "~" history row each.

    PostgreSQL: the new values are copied into a temporary table and applied by one
    ``UPDATE … FROM``; ``bulk_update`` spent two milliseconds per row building its CASE
    expressions. Other databases get ``bulk_update_with_history``.
    """
    if not objs:
        return
    if not _copy_supported():
        bulk_update_with_history(
            objs,
            model,
            fields,
            batch_size=UPDATE_BATCH,
            default_user=by,
            default_change_reason=reason,
        )
        return
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), model._meta.pk
    changed = [model._meta.get_field(name) for name in fields]
    columns = [pk.column, *(f.column for f in changed)]
    listed = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {UPDATE_TABLE} ON COMMIT DROP AS "
            f"SELECT {listed} FROM {table} WITH NO DATA"
        )
    _copy(
        UPDATE_TABLE,
        columns,
        ([obj.pk, *(_prepared(f, getattr(obj, f.attname)) for f in changed)] for obj in objs),
    )
    assignments = ", ".join(f"{quote(f.column)} = incoming.{quote(f.column)}" for f in changed)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {assignments} FROM {UPDATE_TABLE} AS incoming "
            f"WHERE {table}.{quote(pk.column)} = incoming.{quote(pk.column)}"
        )
        cursor.execute(f"DROP TABLE {UPDATE_TABLE}")
    _copy_history(
        model,
        [{f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields} for obj in objs],
        history_type="~",
        by=by,
        reason=reason,
    )


def _full_row(model, row: dict, now) -> dict:
    """``row`` completed with the model's defaults and its automatic timestamps."""
    complete = {}
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            complete[f.attname] = now
        elif f.attname in row:
            complete[f.attname] = row[f.attname]
        else:
            complete[f.attname] = f.get_default()
    return complete


def _split_name(full: str) -> tuple[str, str]:
    """``"Tremblay, Marie"`` and ``"Marie Tremblay"`` → ``("Marie", "Tremblay")``."""
    if "," in full:
        last, first = (part.strip() for part in full.split(",", 1))
    else:
        first, _sep, last = full.partition(" ")
    return first[:NAME_MAX_LENGTH], last.strip()[:NAME_MAX_LENGTH]


def _requesters_create(missing: dict[str, str], by: User | None) -> dict[str, int]:
    """Accounts for teachers not known yet (no usable password: they reset it to log in)."""
    if not missing:
        return {}
    users = []
    for email, name in sorted(missing.items()):
        first, last = _split_name(name)
        users.append(
            User(email=email, first_name=first, last_name=last, password=make_password(None))
        )
    created = bulk_create_with_history(
        users, User, batch_size=CHUNK_SIZE, default_user=by, default_change_reason=HISTORY_REASON
    )
    citizen = Group.objects.filter(name=roles.CITIZEN).first()
    if citizen is not None:
        User.groups.through.objects.bulk_create(
            [User.groups.through(user_id=u.pk, group_id=citizen.pk) for u in created],
            batch_size=CHUNK_SIZE,
            ignore_conflicts=True,
        )
    return {u.email: u.pk for u in created}


class _TaskFactory:
    """The chain's tasks of new requests, as rows; templates and due dates worked out once."""

    def __init__(self, types: dict[str, RequestType]):
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.steps: dict[int, list[dict]] = {}
        by_chain: dict[int, list[dict]] = {}
        for request_type in types.values():
            chain_id = request_type.chain_template_id
            if chain_id not in by_chain:
                by_chain[chain_id] = [
                    self._step(template) for template in chain_templates_of(request_type)
                ]
            self.steps[request_type.pk] = by_chain[chain_id]

    def _step(self, template: TaskTemplate) -> dict:
        waits = bool(template.prerequisites.all())
        return _full_row(
            Task,
            {
                "kind": Task.Kind.SERVICE,
                "template_id": template.pk,
                "title": str(template),
                "assignment_group_id": template.assignment_group_id,
                "due_date": add_business_days(self.today, template.due_offset_days),
                "status": Task.Status.PENDING if waits else Task.Status.OPEN,
                "opened_at": None if waits else self.now,
                "visible_to_requester": template.visible_to_requester,
            },
            self.now,
        )

    def tasks_of(self, request_id: int, request_type_id: int) -> list[dict]:
        return [{**step, "request_id": request_id} for step in self.steps.get(request_type_id, [])]


def _notify_groups(opened_per_group: Counter) -> None:
    """One summary per group rather than one notification per task."""
    groups = AssignmentGroup.objects.prefetch_related("members").in_bulk(list(opened_per_group))
    for group_id, count in sorted(opened_per_group.items()):
        group = groups.get(group_id)
        if group is None:
            continue
        notifications_send(
            recipients=group.members.all(),
            title=ngettext(
                "%(count)d new task in your queue (%(group)s)",
                "%(count)d new tasks in your queue (%(group)s)",
                count,
            )
            % {"count": count, "group": group.name},
            body=_("They come from a course-grid import."),
            url=group.get_absolute_url(),
        )


def course_grid_import(
    *,
    data: bytes,
    by: User | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: Progress | None = None,
) -> CourseGridResult:
    """Import a course grid: one request per (course, term, approach), found again by its key.

    A new key creates a submitted request with its chain of tasks (the groups of the open ones
    get one notification each); a known key whose title, due date, form data or requester
    differ updates its request (history kept); nothing is ever deleted. With any rejected row
    nothing is written unless ``skip_invalid``. ``dry_run`` checks and compares, and writes
    nothing: its counts say what the import would do with the valid rows.

    Raises ``CourseGridFileError`` when the file cannot be read as a course grid.
    """
    grid = course_grid_read(data=data)
    types = {t.code.upper(): t for t in RequestType.objects.filter(active=True)}
    planned, rejected = course_grid_check(grid=grid, types=types)
    result = CourseGridResult(
        rejected=len(rejected),
        errors=[(r.line, reason) for r in rejected for reason in r.reasons],
        rejected_rows=rejected,
        total_rows=len(grid.records),
        dry_run=dry_run,
        header=list(grid.header),
        delimiter=grid.delimiter,
    )
    if rejected and not skip_invalid and not dry_run:
        return result

    if dry_run:
        to_create, to_update = _compare(planned)
        _count(result, planned, to_create, to_update)
        return result

    with transaction.atomic():
        # One import at a time, compared inside the lock: two overlapping grids uploaded at once
        # would otherwise both create the same new keys.
        _lock_imports()
        to_create, to_update = _compare(planned)
        _count(result, planned, to_create, to_update)
        if to_create or to_update:
            _apply(result, to_create, to_update, types, by, progress)
            result.applied = True
    return result


def _lock_imports() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [LOCK_NAME])


def _compare(
    planned: list[PlannedRequest],
) -> tuple[list[PlannedRequest], list[tuple[int, PlannedRequest, dict]]]:
    """The requests to create, and those to update (id, plan, merged form data)."""
    existing = _existing_requests([p.key for p in planned])
    to_create: list[PlannedRequest] = []
    to_update: list[tuple[int, PlannedRequest, dict]] = []
    for plan in planned:
        found = existing.get(plan.key)
        if found is None:
            to_create.append(plan)
            continue
        # Keys added to form_data by agents are kept; the file's keys are the file's.
        form_data = {**found.form_data, **plan.form_data}
        if (
            found.title != plan.title
            or found.due_date != plan.due_date
            or form_data != found.form_data
            or found.requester_email != plan.email
        ):
            to_update.append((found.pk, plan, form_data))
    return to_create, to_update


def _count(result: CourseGridResult, planned, to_create, to_update) -> None:
    result.created, result.updated = len(to_create), len(to_update)
    result.unchanged = len(planned) - len(to_create) - len(to_update)


def _apply(result, to_create, to_update, types, by, progress) -> None:
    names: dict[str, str] = {}
    for plan in to_create + [plan for _pk, plan, _data in to_update]:
        names.setdefault(plan.email, plan.name)
    user_ids = _users_by_email(names)
    missing = {email: name for email, name in names.items() if email not in user_ids}
    user_ids.update(_requesters_create(missing, by))
    result.requesters_created = len(missing)

    total = len(to_create) + len(to_update)
    done = 0
    now = timezone.now()
    for chunk in _chunks(to_update, CHUNK_SIZE):
        requests = Request.objects.in_bulk([pk for pk, _plan, _data in chunk])
        for pk, plan, form_data in chunk:
            request = requests[pk]
            request.title = plan.title
            request.due_date = plan.due_date
            request.form_data = form_data
            request.requester_id = user_ids[plan.email]
            request.updated_at = now
        _update_with_history(
            Request,
            list(requests.values()),
            ["title", "due_date", "form_data", "requester", "updated_at"],
            by=by,
            reason=HISTORY_REASON,
        )
        done += len(chunk)
        if progress:
            progress(done / total)

    factory = _TaskFactory(types)
    opened = Counter()
    for chunk in _chunks(to_create, CHUNK_SIZE):
        rows = [
            _full_row(
                Request,
                {
                    "requester_id": user_ids[plan.email],
                    "created_by_id": (
                        by.pk if by is not None and by.pk != user_ids[plan.email] else None
                    ),
                    "channel": Request.Channel.IMPORT,
                    "request_type_id": plan.request_type_id,
                    "title": plan.title,
                    "form_data": plan.form_data,
                    "due_date": plan.due_date,
                    "external_key": plan.key,
                    "status": Request.Status.SUBMITTED,
                },
                now,
            )
            for plan in chunk
        ]
        ids = _insert_with_history(Request, rows, by=by, reason=HISTORY_REASON)
        tasks = [
            task
            for request_id, plan in zip(ids, chunk, strict=True)
            for task in factory.tasks_of(request_id, plan.request_type_id)
        ]
        _insert_with_history(Task, tasks, by=by, reason=HISTORY_REASON)
        result.tasks_created += len(tasks)
        opened.update(
            t["assignment_group_id"]
            for t in tasks
            if t["status"] == Task.Status.OPEN and t["assignment_group_id"]
        )
        done += len(chunk)
        if progress:
            progress(done / total)
    if opened:
        _notify_groups(opened)


def rejected_rows_csv(*, header: list[str], delimiter: str, rows: Iterable[dict]) -> str:
    """The refused rows as written, each after its line number and reasons, as CSV text.

    ``rows`` are ``{line, reasons, cells}`` (``CourseGridResult.as_report`` form).
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([_("line"), _("reason"), *header])
    for row in rows:
        writer.writerow([row["line"], "; ".join(row["reasons"]), *row["cells"]])
    return out.getvalue()


# Upload jobs -------------------------------------------------------------------------------


def _schedule(job: CourseGridImport) -> None:
    from .tasks import course_grid_import_run

    if job.total_rows < INLINE_MAX_ROWS:
        course_grid_import_run(job.pk)
        job.refresh_from_db()
    else:
        transaction.on_commit(lambda: course_grid_import_run.delay(job.pk))


def course_grid_import_submit(
    *, uploaded_by: User, file, dry_run: bool = True, skip_invalid: bool = False
) -> CourseGridImport:
    """Keep an uploaded grid and run it: at once when small, in the worker otherwise.

    Raises ``CourseGridFileError`` (nothing kept) when the file is not a course grid.
    """
    file.seek(0)
    grid = course_grid_read(data=file.read())
    file.seek(0)
    job = CourseGridImport(
        file=file,
        original_name=(file.name or "grid.csv")[:255],
        uploaded_by=uploaded_by,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        total_rows=len(grid.records),
    )
    job.save()
    _schedule(job)
    return job


def course_grid_import_confirm(
    *, job: CourseGridImport, by: User, skip_invalid: bool
) -> CourseGridImport:
    """Run a checked dry run for real, on the same stored file."""
    if job.uploaded_by_id != by.pk:
        raise NotAllowed(_("Only the person who uploaded this file may import it."))
    if not job.dry_run or job.status != CourseGridImport.Status.DONE:
        raise DomainError(_("Only a finished dry run can be imported for real."))
    new_job = CourseGridImport.objects.create(
        file=job.file.name,
        original_name=job.original_name,
        uploaded_by=by,
        dry_run=False,
        skip_invalid=skip_invalid,
        total_rows=job.total_rows,
    )
    _schedule(new_job)
    return new_job


def course_grid_imports_of(*, user: User, limit: int = 20) -> list[CourseGridImport]:
    return list(CourseGridImport.objects.filter(uploaded_by=user).order_by("-created_at")[:limit])


def course_grid_import_get(*, user: User, pk: int) -> CourseGridImport:
    """The user's own upload; anyone else's is ``DoesNotExist``, as if it did not exist."""
    return CourseGridImport.objects.get(pk=pk, uploaded_by=user)


def progress_cache_key(pk: int) -> str:
    return PROGRESS_CACHE_KEY.format(pk=pk)
