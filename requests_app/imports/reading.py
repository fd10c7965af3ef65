"""Reading and checking a course grid: no database is touched but for the request types."""

import csv
import io
import re
import unicodedata
from datetime import date
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..catalogue.models import RequestType
from .rows import (
    DELIMITERS,
    EMAIL_MAX_LENGTH,
    KEY_MAX_LENGTH,
    LIST_SEPARATOR,
    MAY_BE_EMPTY,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    TITLE_MAX_LENGTH,
    CourseGridFileError,
    GridFile,
    PlannedRequest,
    RejectedRow,
)

_ISO_DATE = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})$")
_DAY_FIRST_DATE = re.compile(r"^(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4})$")
_PRESENTER = re.compile(r"^(?P<name>[^<>]*?)\s*<\s*(?P<email>[^<>\s]+)\s*>$")


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
