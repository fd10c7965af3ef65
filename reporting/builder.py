"""The report builder's engine: a definition (JSON, as a saved report stores it) checked against
the catalogue of sources (sources.py) and the reader's permissions, then turned into one query.

A definition::

    {
      "columns": ["number", "title", "status"],
      "filters": [{"field": "status", "op": "eq", "value": "submitted"}],
      "group_by": ["status"],                      # at most two fields; [] for none
      "aggregate": {"fn": "count", "field": null},  # count, sum or avg (sum/avg: a number field)
      "sort": [{"field": "title", "desc": false}]   # a field; grouped: a group field or "value"
    }

Ungrouped, the report shows its columns, one row per record, each linked to its page. Grouped,
it shows the group fields and the aggregate, one row per group. Sorting always ends on the id
(ungrouped) or on every group field (grouped), so that a page never shows a row twice.

Checking a definition names every problem at once (``ValidationError`` with a message per
problem); a field the reader may not see is refused by name, whatever part of the definition
uses it. The query costs one statement per page (and one to count), whatever the rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, F, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.validation import SHORT_TEXT_MAX_LENGTH, has_nul

from . import permissions
from .sources import (
    BOOL,
    CHOICE,
    DATE,
    DATETIME,
    NUMBER,
    REF,
    TEXT,
    USER,
    Field,
    Source,
)

MAX_COLUMNS = 30
MAX_FILTERS = 10
MAX_GROUPS = 2
MAX_SORTS = 3
MAX_LAST_DAYS = 3660
EXPORT_CHUNK = 2000
# A grouped report's figure: "value" in a definition's sort, ``AGGREGATE_ALIAS`` in the query.
AGGREGATE_KEY = "value"
AGGREGATE_ALIAS = "agg_value"

OPERATORS = {
    "eq": gettext_lazy("is"),
    "ne": gettext_lazy("is not"),
    "contains": gettext_lazy("contains"),
    "startswith": gettext_lazy("starts with"),
    "lt": gettext_lazy("is less than (before)"),
    "lte": gettext_lazy("is at most (on or before)"),
    "gt": gettext_lazy("is more than (after)"),
    "gte": gettext_lazy("is at least (on or after)"),
    "last_days": gettext_lazy("in the last … days"),
    "empty": gettext_lazy("is empty"),
    "not_empty": gettext_lazy("is not empty"),
    "is_me": gettext_lazy("is me"),
    "is_true": gettext_lazy("is yes"),
    "is_false": gettext_lazy("is no"),
}
_COMPARE = ("eq", "ne", "lt", "lte", "gt", "gte")
_PRESENCE = ("empty", "not_empty")
OPERATORS_BY_TYPE = {
    TEXT: ("eq", "ne", "contains", "startswith", *_PRESENCE),
    USER: ("is_me", "eq", "contains", *_PRESENCE),
    NUMBER: (*_COMPARE, *_PRESENCE),
    REF: ("eq", "lt", "gt"),
    DATE: (*_COMPARE, "last_days", *_PRESENCE),
    DATETIME: (*_COMPARE, "last_days", *_PRESENCE),
    CHOICE: ("eq", "ne", *_PRESENCE),
    BOOL: ("is_true", "is_false"),
}
NO_VALUE = ("empty", "not_empty", "is_me", "is_true", "is_false")

AGGREGATES = {
    "count": gettext_lazy("Count"),
    "sum": gettext_lazy("Sum"),
    "avg": gettext_lazy("Average"),
}


def alias(name: str) -> str:
    """The name a field is read under in the query (never a model field's own name)."""
    return f"c_{name}"


def filter_alias(name: str) -> str:
    """The name a field is compared under by the filters."""
    return f"f_{name}"


def day_start(day: dt.date) -> dt.datetime:
    """The moment ``day`` begins in the body's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass(frozen=True)
class Filter:
    field: str
    op: str
    value: object = None


@dataclass(frozen=True)
class Definition:
    columns: tuple[str, ...]
    filters: tuple[Filter, ...] = ()
    group_by: tuple[str, ...] = ()
    aggregate_fn: str = "count"
    aggregate_field: str | None = None
    sort: tuple[tuple[str, bool], ...] = ()

    @property
    def grouped(self) -> bool:
        return bool(self.group_by)

    def as_json(self) -> dict:
        return {
            "columns": list(self.columns),
            "filters": [
                {"field": f.field, "op": f.op, "value": _json_value(f.value)} for f in self.filters
            ],
            "group_by": list(self.group_by),
            "aggregate": {"fn": self.aggregate_fn, "field": self.aggregate_field},
            "sort": [{"field": key, "desc": desc} for key, desc in self.sort],
        }

    def fields_used(self) -> list[str]:
        names = [*self.columns, *(f.field for f in self.filters), *self.group_by]
        if self.aggregate_field:
            names.append(self.aggregate_field)
        names += [key for key, _desc in self.sort if key != AGGREGATE_KEY]
        return list(dict.fromkeys(names))


def _json_value(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


# --- checking ---------------------------------------------------------------------------------


class _Problems:
    def __init__(self):
        self.messages: list[str] = []

    def add(self, message: str, **params) -> None:
        self.messages.append(message % params if params else message)


def _as_list(value, what: str, problems: _Problems) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        problems.add(_("“%(part)s” must be a list."), part=what)
        return []
    return value


def _label(source_field: Field) -> str:
    return str(source_field.label)


def _parse_value(source: Source, spec: Field, op: str, raw, problems: _Problems):
    """The filter's value as the query compares it, or None after adding a problem."""
    if op in NO_VALUE:
        return None
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        problems.add(_("The filter on “%(field)s” needs a value."), field=_label(spec))
        return None
    if isinstance(raw, (dict, list)):
        problems.add(
            _("The filter on “%(field)s” has a value of the wrong kind."), field=_label(spec)
        )
        return None
    text = str(raw).strip()
    if has_nul(text) or len(text) > SHORT_TEXT_MAX_LENGTH:
        problems.add(
            _("The value of the filter on “%(field)s” is too long or holds a forbidden character."),
            field=_label(spec),
        )
        return None
    if op == "last_days":
        if not text.isdigit() or not 1 <= int(text) <= MAX_LAST_DAYS:
            problems.add(
                _("“%(field)s”: give a number of days from 1 to %(max)d."),
                field=_label(spec),
                max=MAX_LAST_DAYS,
            )
            return None
        return int(text)
    if spec.type in (TEXT, USER):
        return text
    if spec.type == NUMBER:
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            problems.add(_("“%(field)s” is compared with a number."), field=_label(spec))
            return None
        return number
    if spec.type == REF:
        digits = text.upper().removeprefix(spec.prefix)
        if not digits.isdigit() or len(digits) > 12:
            problems.add(
                _("“%(field)s” is compared with a number such as %(example)s."),
                field=_label(spec),
                example=f"{spec.prefix}0000042",
            )
            return None
        return int(digits)
    if spec.type in (DATE, DATETIME):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            problems.add(_("“%(field)s” is compared with a date (YYYY-MM-DD)."), field=_label(spec))
            return None
    if spec.type == CHOICE:
        for key in source.choices_of(spec):
            if str(key) == text:
                return key
        problems.add(
            _("“%(value)s” is not a value of “%(field)s”."), value=text[:40], field=_label(spec)
        )
        return None
    return None


def parse_definition(source: Source, data, *, user=None) -> Definition:
    """The definition ``data`` (parsed JSON) checked against ``source``; with ``user``, also
    against what that reader may see. Raises ``ValidationError`` naming every problem."""
    problems = _Problems()
    if not isinstance(data, dict):
        raise ValidationError(_("A report's definition is an object."))
    unknown_keys = set(data) - {"columns", "filters", "group_by", "aggregate", "sort"}
    if unknown_keys:
        problems.add(
            _("Unknown parts of the definition: %(keys)s."), keys=", ".join(sorted(unknown_keys))
        )

    def known(name, part: str) -> Field | None:
        if not isinstance(name, str) or source.field(name) is None:
            problems.add(
                _("“%(name)s” is not a field of %(source)s (%(part)s)."),
                name=str(name)[:60],
                source=str(source.label).lower(),
                part=part,
            )
            return None
        return source.field(name)

    columns: list[str] = []
    for name in _as_list(data.get("columns"), "columns", problems):
        if known(name, _("columns")) is not None and name not in columns:
            columns.append(name)
    if len(columns) > MAX_COLUMNS:
        problems.add(_("A report shows at most %(max)d columns."), max=MAX_COLUMNS)

    filters: list[Filter] = []
    raw_filters = _as_list(data.get("filters"), "filters", problems)
    if len(raw_filters) > MAX_FILTERS:
        problems.add(_("A report has at most %(max)d filters."), max=MAX_FILTERS)
    for raw in raw_filters[:MAX_FILTERS]:
        if not isinstance(raw, dict):
            problems.add(_("A filter is an object with a field, an operator and a value."))
            continue
        spec = known(raw.get("field"), _("filters"))
        if spec is None:
            continue
        op = raw.get("op")
        if op not in OPERATORS_BY_TYPE[spec.type]:
            problems.add(
                _("“%(op)s” cannot filter “%(field)s”."), op=str(op)[:20], field=_label(spec)
            )
            continue
        value = _parse_value(source, spec, op, raw.get("value"), problems)
        if value is None and op not in NO_VALUE:
            continue
        filters.append(Filter(spec.name, op, value))

    group_by: list[str] = []
    for name in _as_list(data.get("group_by"), "group_by", problems):
        if known(name, _("grouping")) is not None and name not in group_by:
            group_by.append(name)
    if len(group_by) > MAX_GROUPS:
        problems.add(_("A report is grouped by at most %(max)d fields."), max=MAX_GROUPS)

    aggregate = data.get("aggregate") or {}
    if not isinstance(aggregate, dict):
        problems.add(_("The aggregate is an object with a function and a field."))
        aggregate = {}
    fn = aggregate.get("fn") or "count"
    aggregate_field = aggregate.get("field") or None
    if not isinstance(fn, str) or fn not in AGGREGATES:
        problems.add(_("“%(fn)s” is not count, sum or average."), fn=str(fn)[:20])
    elif fn == "count":
        aggregate_field = None
    else:
        spec = known(aggregate_field, _("aggregate"))
        if spec is not None and not spec.aggregatable:
            problems.add(
                _("Only a number can be summed or averaged: “%(field)s” is not one."),
                field=_label(spec),
            )

    sort: list[tuple[str, bool]] = []
    raw_sorts = _as_list(data.get("sort"), "sort", problems)
    if len(raw_sorts) > MAX_SORTS:
        problems.add(_("A report is sorted on at most %(max)d fields."), max=MAX_SORTS)
    for raw in raw_sorts[:MAX_SORTS]:
        if not isinstance(raw, dict):
            problems.add(_("A sort is an object with a field and a direction."))
            continue
        key = raw.get("field")
        desc = raw.get("desc", False)
        if not isinstance(desc, bool):
            problems.add(_("A sort's direction is true (descending) or false (ascending)."))
            continue
        if group_by:
            if key != AGGREGATE_KEY and key not in group_by:
                problems.add(_("A grouped report is sorted by a group field or by its figure."))
                continue
        elif known(key, _("sort")) is None:
            continue
        sort.append((key, desc))

    if not group_by and not columns:
        problems.add(_("Choose at least one column, or a grouping."))

    if problems.messages:
        raise ValidationError(problems.messages)
    definition = Definition(
        columns=tuple(columns),
        filters=tuple(filters),
        group_by=tuple(group_by),
        aggregate_fn=fn,
        aggregate_field=aggregate_field,
        sort=tuple(sort),
    )
    if user is not None:
        require_visible(source, definition, user)
    return definition


def forbidden_fields(source: Source, definition: Definition, user) -> list[Field]:
    return [
        source.field(name)
        for name in definition.fields_used()
        if not permissions.can_read_field(user, source, source.field(name))
    ]


def require_visible(source: Source, definition: Definition, user) -> None:
    """Refuse a definition that uses a field ``user`` may not see, naming the fields."""
    if not permissions.can_read_source(user, source):
        raise ValidationError(
            _("You may not read %(source)s: a report cannot show them to you.")
            % {"source": str(source.label).lower()},
            code="forbidden",
        )
    forbidden = forbidden_fields(source, definition, user)
    if forbidden:
        raise ValidationError(
            _("You may not see these fields, so a report cannot show or use them: %(fields)s.")
            % {"fields": ", ".join(f"“{f.label}”" for f in forbidden)},
            code="forbidden",
        )


def visible_fields(source: Source, user) -> list[Field]:
    """The fields of ``source`` that ``user`` is offered."""
    return [f for f in source.fields if permissions.can_read_field(user, source, f)]


# --- the query --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column of the result: ``key`` what the query reads (``alias``), ``field`` the source's
    field it shows (None for the aggregate)."""

    key: str
    label: str
    field: Field | None = None
    numeric: bool = False


def _filter_q(spec: Field, f: Filter, key: str, user, *, text_choices: bool = True) -> Q:
    op, value = f.op, f.value
    if op == "is_me":
        return Q(**{f"{spec.user_path}_id": user.pk})
    if op == "is_true":
        return Q(**{key: True})
    if op == "is_false":
        return Q(**{key: False})
    if op in ("empty", "not_empty"):
        empty = Q(**{f"{key}__isnull": True})
        if spec.type in (TEXT, USER) or (spec.type == CHOICE and text_choices):
            empty |= Q(**{key: ""})
        return empty if op == "empty" else ~empty
    if op == "last_days":
        since = timezone.localdate() - dt.timedelta(days=value - 1)
        return Q(**{f"{key}__gte": day_start(since) if spec.type == DATETIME else since})
    if spec.type in (TEXT, USER):
        lookups = {
            "eq": "iexact",
            "ne": "iexact",
            "contains": "icontains",
            "startswith": "istartswith",
        }
        matched = Q(**{f"{key}__{lookups[op]}": value})
        return ~matched if op == "ne" else matched
    if spec.type == DATETIME:
        # A day of the body's time zone, as a range of moments: an index on the column serves.
        start, end = day_start(value), day_start(value + dt.timedelta(days=1))
        within = Q(**{f"{key}__gte": start, f"{key}__lt": end})
        return {
            "eq": within,
            "ne": ~within | Q(**{f"{key}__isnull": True}),
            "lt": Q(**{f"{key}__lt": start}),
            "lte": Q(**{f"{key}__lt": end}),
            "gt": Q(**{f"{key}__gte": end}),
            "gte": Q(**{f"{key}__gte": start}),
        }[op]
    if op == "eq":
        return Q(**{key: value})
    if op == "ne":
        return ~Q(**{key: value}) | Q(**{f"{key}__isnull": True})
    return Q(**{f"{key}__{op}": value})


@dataclass
class Report:
    """A checked definition over its source, for one reader: the columns, and the rows as a
    queryset of dicts (one query per slice)."""

    source: Source
    definition: Definition
    user: object
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    columns: list[Column] = field(init=False)
    _choice_labels: dict = field(init=False, default_factory=dict, repr=False)
    _url_parts: list | None = field(init=False, default=None, repr=False)

    def __post_init__(self):
        require_visible(self.source, self.definition, self.user)
        d = self.definition
        shown = d.group_by if d.grouped else d.columns
        self.columns = [
            Column(
                alias(name),
                str(self.source.field(name).label),
                self.source.field(name),
                self.source.field(name).type == NUMBER,
            )
            for name in shown
        ]
        if d.grouped:
            if d.aggregate_fn == "count":
                label = str(AGGREGATES["count"])
            else:
                label = _("%(fn)s of %(field)s") % {
                    "fn": AGGREGATES[d.aggregate_fn],
                    "field": self.source.field(d.aggregate_field).label,
                }
            self.columns.append(Column(AGGREGATE_ALIAS, label, None, True))

    # The rows ---------------------------------------------------------------------------

    def _base(self) -> QuerySet:
        rows = permissions.visible_rows(self.user, self.source, self.source.queryset())
        period = self.source.period_field
        if self.date_from is not None:
            rows = rows.filter(**{f"{period}__gte": _start_of(self.date_from, rows, period)})
        if self.date_to is not None:
            rows = rows.filter(
                **{f"{period}__lt": _start_of(self.date_to + dt.timedelta(days=1), rows, period)}
            )
        return rows

    def sort_keys(self, override: list[str] | None = None) -> list[str]:
        """The ORDER BY of the rows: ``override`` (a table header's ``?sort=``, already
        checked) or the definition's sort, then the tie-breakers."""
        d = self.definition
        if override:
            keys = list(override)
        else:
            keys = [
                ("-" if desc else "") + (AGGREGATE_ALIAS if name == AGGREGATE_KEY else alias(name))
                for name, desc in d.sort
            ]
        bare = {key.lstrip("-") for key in keys}
        if d.grouped:
            keys += [alias(name) for name in d.group_by if alias(name) not in bare]
        else:
            keys.append("pk")
        return keys

    def _filtered(self) -> QuerySet:
        """The source's rows the reader may open, in the period, that pass every filter: no
        column read yet (what a count needs)."""
        d = self.definition
        source = self.source
        # What a filter compares, read under names of its own ("is me" compares the account).
        compared = {f.field for f in d.filters if f.op != "is_me"}
        rows = self._base()
        if compared:
            rows = rows.alias(
                **{filter_alias(name): source.field(name).read() for name in compared}
            )
        for f in d.filters:
            spec = source.field(f.field)
            text_choices = spec.type != CHOICE or all(
                isinstance(key, str) for key in source.choices_of(spec)
            )
            rows = rows.filter(
                _filter_q(spec, f, filter_alias(f.field), self.user, text_choices=text_choices)
            )
        return rows

    def queryset(self, sort: list[str] | None = None) -> QuerySet:
        d = self.definition
        source = self.source
        shown = set(d.group_by if d.grouped else d.columns)
        selected = {name: source.field(name).read() for name in shown}
        # Read but not shown: what the rows are sorted by, what the groups add up.
        referenced = [name for name, _desc in d.sort if name != AGGREGATE_KEY]
        if d.aggregate_field:
            referenced.append(d.aggregate_field)
        hidden = {
            name: source.field(name).read()
            for name in dict.fromkeys(referenced)
            if name not in shown
        }
        rows = self._filtered()
        if hidden:
            rows = rows.alias(**{alias(name): expr for name, expr in hidden.items()})
        rows = rows.annotate(**{alias(name): expr for name, expr in selected.items()})
        if d.grouped:
            if d.aggregate_fn == "count":
                measure = Count("pk")
            else:
                measure = {"sum": Sum, "avg": Avg}[d.aggregate_fn](F(alias(d.aggregate_field)))
            rows = rows.values(*[alias(name) for name in d.group_by]).annotate(
                **{AGGREGATE_ALIAS: measure}
            )
        else:
            # A sort on a field that is not shown reads its alias.
            rows = rows.values("pk", *[alias(name) for name in d.columns])
        return rows.order_by(*self.sort_keys(sort))

    def counted(self) -> QuerySet:
        """What a page's count counts: the filtered rows without their columns, joins or
        order (a grouped report: its groups)."""
        if self.definition.grouped:
            return self.queryset().order_by()
        return self._filtered().order_by()

    # Showing a value ---------------------------------------------------------------------

    def display(self, column: Column, value) -> str:
        """The value as a person reads it (the page, the CSV and the PDF say the same)."""
        if value is None or value == "":
            return ""
        spec = column.field
        if spec is None:
            return _number(value)
        if spec.type == REF:
            return f"{spec.prefix}{int(value):07d}"
        if spec.type == CHOICE:
            return self._labels(spec).get(value, str(value))
        if spec.type == BOOL:
            return _("yes") if value else _("no")
        if spec.type == DATETIME:
            return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
        if spec.type == DATE:
            return formats.date_format(value, "SHORT_DATE_FORMAT")
        if spec.type == NUMBER:
            return _number(value)
        return str(value)

    def export_value(self, column: Column, value) -> str:
        """The value in a file: dates in ISO form, so a spreadsheet reads them as dates."""
        if value is None or value == "":
            return ""
        spec = column.field
        if spec is not None and spec.type == DATETIME:
            return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
        if spec is not None and spec.type == DATE:
            return value.isoformat()
        return self.display(column, value)

    def link_of(self, column: Column, row: dict) -> str | None:
        if self.definition.grouped or column.field is None or not column.field.link:
            return None
        # Every row's address is the same pattern: reversed once, the id put in its place.
        if self._url_parts is None:
            self._url_parts = reverse(self.source.url_name, args=[0]).rsplit("0", 1)
        head, tail = self._url_parts
        return f"{head}{row['pk']}{tail}"

    def _labels(self, spec: Field) -> dict:
        """A CHOICE field's labels, translated once per report rather than once per cell."""
        if spec.name not in self._choice_labels:
            self._choice_labels[spec.name] = {
                key: str(label) for key, label in self.source.choices_of(spec).items()
            }
        return self._choice_labels[spec.name]

    def headers(self) -> list[str]:
        return [column.label for column in self.columns]

    def export_rows(self, rows: QuerySet | None = None, limit: int | None = None) -> Iterator[list]:
        """The rows as a file holds them, read in chunks (a streamed export holds one):
        ``rows`` is ``queryset()`` as sorted by the page, by default in the report's sort."""
        rows = self.queryset() if rows is None else rows
        if limit is not None:
            rows = rows[:limit]
        for row in rows.iterator(chunk_size=EXPORT_CHUNK):
            yield [self.export_value(column, row[column.key]) for column in self.columns]


def _number(value) -> str:
    if isinstance(value, float | Decimal):
        rounded = round(float(value), 2)
        return formats.number_format(rounded, decimal_pos=2 if rounded % 1 else 0)
    return formats.number_format(value)


def _start_of(day: dt.date, rows: QuerySet, path: str):
    """The moment a day begins in the body's time zone, for a datetime field; the day itself
    for a date field."""
    model_field = rows.model._meta.get_field(path)
    if model_field.get_internal_type() == "DateTimeField":
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return day


def build(source: Source, data, *, user, date_from=None, date_to=None) -> Report:
    """The report of the definition ``data`` for ``user`` (``ValidationError`` if it is not
    valid or uses a field ``user`` may not see)."""
    definition = parse_definition(source, data, user=user)
    return Report(source, definition, user, date_from=date_from, date_to=date_to)
