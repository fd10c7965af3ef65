"""Search that ignores accents and case, on PostgreSQL trigram indexes; the pieces every app's
search module builds on.

On PostgreSQL a searched column is compared through ``guichet_fold(column)``: lower case, no
accents ("École" and "ECOLE" both become "ecole", "Œuvre" becomes "oeuvre"). The function is
created by ``crm/migrations/0007_search_extensions.py`` (with the ``pg_trgm`` and ``unaccent``
extensions) and declared IMMUTABLE, so that each app can index ``guichet_fold(column)`` with a
GIN trigram index (``gin_trgm_ops``); ``LIKE '%word%'`` on the same expression then reads that
index instead of every row. Phone numbers are compared on their digits, ``guichet_digits(phone)``.

Trigrams rather than full-text search: people type part of a name ("trembl"), an e-mail fragment
or a course code, and expect to find it inside the text, as ``icontains`` did. A French full-text
vector stems words ("écoles" → "écol") and would find what ``icontains`` found only for whole
words, never for "trem" or "@ville."; names are not French words to stem.

On another database (SQLite, for ``make run``) there is neither the function nor the indexes:
the same questions are asked with ``icontains``, which ignores case but not accents.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.db import connection
from django.db.migrations.operations import RunSQL
from django.db.models import (
    BooleanField,
    CharField,
    Expression,
    F,
    Func,
    GeneratedField,
    OrderBy,
    Q,
    TextField,
    Value,
)
from django.db.models.functions import Replace
from django.db.models.lookups import Contains

FOLD_FUNCTION = "guichet_fold"
DIGITS_FUNCTION = "guichet_digits"

# More words than this are ignored: each one is one more index condition.
MAX_WORDS = 6

# A record number: an optional prefix (REQ, INC, TASK…), then digits, as shown on the pages
# ("REQ0000123") or typed ("req 123", "#123", "123").
_NUMBER = re.compile(r"^\s*#?\s*([A-Za-z]{0,5})[\s#-]*0*(\d{1,18})\s*$")


class Fold(Func):
    """``guichet_fold(expression)``: the text in lower case and without accents.

    Elsewhere than on PostgreSQL (the SQLite of ``make run``) it is ``LOWER(expression)``: what
    a stored folded column (``folded_column``) holds there, which that search never reads (it
    asks ``icontains`` of the column itself)."""

    function = FOLD_FUNCTION
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="LOWER", **extra_context)


def folded_column(field: str) -> GeneratedField:
    """A column holding ``guichet_fold(field)``, written by the database at every insert and
    update: a search that must read many rows (a common word, found in the list's order)
    compares it as it is, instead of folding the text of every row it reads (2 µs a row, 20 ms
    for the 10,000 rows that a common word's first 500 matches took at 1M requests). Its
    trigram index answers a rare word."""
    return GeneratedField(expression=Fold(field), output_field=TextField(), db_persist=True)


class FoldedWords(Func):
    """``guichet_fold(a || ' ' || b …)``: several text columns folded as one text, each word of
    one column apart from the next one's (a word typed has no space, so it is found in the
    whole text exactly when it is found in one of the columns). Empty columns count as "".

    Written with ``||`` and ``COALESCE``, which are immutable (``CONCAT`` is not), so that a
    generated column may hold it; ``LOWER`` instead of the fold elsewhere (``Fold``)."""

    output_field = TextField()

    def __init__(self, *fields: str):
        super().__init__(*(F(field) for field in fields))

    def as_sql(self, compiler, connection, function=FOLD_FUNCTION, **extra_context):
        parts, params = [], []
        for expression in self.source_expressions:
            sql, expression_params = compiler.compile(expression)
            parts.append(f"COALESCE({sql}, '')")
            params.extend(expression_params)
        joined = " || ' ' || ".join(parts)
        return f"{function}({joined})", params

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="LOWER", **extra_context)


def folded_words_column(*fields: str) -> GeneratedField:
    """A column holding ``FoldedWords(*fields)``, written by the database: the one column a
    record's instant search compares (``words_contained``), with one trigram index. A common
    word (30,000 "Tremblay" among 200,000 clients) is then found by that index and its rows
    read as they are; compared column by column, each row folded its three columns again."""
    return GeneratedField(
        expression=FoldedWords(*fields), output_field=TextField(), db_persist=True
    )


def words_contained(folded: str, q: str) -> Q:
    """Every word of ``q`` is in the stored ``folded`` column (``folded_words_column``), on
    PostgreSQL; callers ask ``contains_all`` of the columns themselves elsewhere."""
    condition = Q()
    for word in words(q):
        condition &= Q(Contains(F(folded), Fold(Value(word))))
    return condition


class Unindexed(Func):
    """An expression that sorts exactly as the column it wraps, and that no index answers:
    ``text || ''``, ``number + 0``, ``time + interval '0'``.

    Sorting a searched list by it makes PostgreSQL find the matching rows first (with the
    trigram index), then sort them; otherwise it may read the list in its index order and keep
    the rows that match, on the assumption that matches are spread evenly. They are not when
    the search is on the column the list is sorted by: the 30,000 Tremblay clients come after
    175,000 others in the name order, and the client list took 1.2 s to find its first 50."""

    TEMPLATES = {
        "CharField": "(%(expressions)s || '')",
        "TextField": "(%(expressions)s || '')",
        "EmailField": "(%(expressions)s || '')",
        "SlugField": "(%(expressions)s || '')",
        "AutoField": "(%(expressions)s + 0)",
        "BigAutoField": "(%(expressions)s + 0)",
        "IntegerField": "(%(expressions)s + 0)",
        "BigIntegerField": "(%(expressions)s + 0)",
        "PositiveIntegerField": "(%(expressions)s + 0)",
        "PositiveSmallIntegerField": "(%(expressions)s + 0)",
        "SmallIntegerField": "(%(expressions)s + 0)",
        "DateField": "(%(expressions)s + 0)",
        "DateTimeField": "(%(expressions)s + interval '0 seconds')",
    }


def filtered_then_sorted(queryset):
    """``queryset`` sorted as it is, its first sort key wrapped in ``Unindexed`` (PostgreSQL):
    for a searched list, whose matches PostgreSQL must find before it sorts them."""
    if not indexed():
        return queryset
    ordering = list(queryset.query.order_by) or list(queryset.model._meta.ordering)
    if not ordering:
        return queryset
    first = ordering[0]
    nulls = {}
    if isinstance(first, OrderBy) and isinstance(first.expression, F):
        # ``F("due").asc(nulls_last=True)``: the same sort, nulls where they were.
        descending = first.descending
        path = first.expression.name
        nulls = {"nulls_first": first.nulls_first or None, "nulls_last": first.nulls_last or None}
    elif isinstance(first, str):
        descending = first.startswith("-")
        path = first.lstrip("-+")
    else:
        return queryset
    try:
        field = _field_of(queryset.model, path)
    except Exception:  # noqa: BLE001 (an unknown path is left to the ORM, which names it)
        return queryset
    template = Unindexed.TEMPLATES.get(field.get_internal_type())
    if template is None:
        return queryset
    key = Unindexed(F(path), template=template, output_field=field)
    nulls = {name: value for name, value in nulls.items() if value}
    key = key.desc(**nulls) if descending else key.asc(**nulls)
    return queryset.order_by(key, *ordering[1:])


def first_found(queryset, limit: int):
    """The first ``limit`` rows of a searched, sorted ``queryset``, as a queryset (one query):
    their ids found and sorted first, in a subquery (``filtered_then_sorted``), from the few
    columns the sort reads, then their rows read with every column. Read whole, the 30,000
    rows of a common name were sorted with all their columns (45 ms for 20 suggestions)."""
    if not indexed():
        return queryset[:limit]
    return queryset.filter(pk__in=filtered_then_sorted(queryset).values("pk")[:limit])


def ids_found(queryset, cap: int):
    """The ids of the rows ``queryset`` finds, as a list when there are no more than ``cap``
    (one query, ``cap + 1`` ids read at most), else as the subquery."""
    ids = list(queryset.order_by().values_list("pk", flat=True)[: cap + 1])
    return ids if len(ids) <= cap else queryset.order_by().values("pk")


def first_found_of(queryset, limit: int, ids):
    """The first ``limit`` rows of a searched, sorted ``queryset`` (one query), given the ids
    it finds (``ids_found``): a few, sorted among themselves; more than the cap, the ``limit``
    newest, sorted. A common name's newest are found walking the primary key's index back
    (some hundred rows read); its first in the sort order need every match sorted (30,000
    rows and 50 ms for "tremblay" among 210,000 clients)."""
    if isinstance(ids, list):
        # Asked for even when none were found, so that the queries are the same whatever is
        # found (``pk__in=[]`` is answered without asking).
        found = Q(EqualsAny("pk", ids)) if indexed() else in_values("pk", ids)
        return queryset.filter(found)[:limit]
    return queryset.filter(pk__in=queryset.order_by("-pk").values("pk")[:limit])[:limit]


def _field_of(model, path: str):
    parts = path.split("__")
    for part in parts[:-1]:
        model = model._meta.get_field(part).related_model
    name = parts[-1]
    return model._meta.pk if name == "pk" else model._meta.get_field(name)


class Digits(Func):
    """``guichet_digits(expression)``: the digits of a text, for phone numbers."""

    function = DIGITS_FUNCTION
    output_field = CharField()


def indexed(using=None) -> bool:
    """Whether the database has the fold function and the trigram indexes (PostgreSQL)."""
    return (using or connection).vendor == "postgresql"


def words(q: str) -> list[str]:
    """The words of a query, at most ``MAX_WORDS`` of them."""
    return q.split()[:MAX_WORDS]


def record_number(q: str, prefixes: tuple[str, ...]) -> tuple[str, int] | None:
    """``(prefix, number)`` when the query is a record number, with one of ``prefixes`` or none
    (the prefix is then ""); None otherwise. "REQ0000123", "req 123", "#123" and "123" are
    numbers; "MED1234" is not (an unknown prefix)."""
    match = _NUMBER.match(q)
    if not match:
        return None
    prefix = match.group(1).upper()
    if prefix and prefix not in prefixes:
        return None
    return prefix, int(match.group(2))


def contains(field: str, word: str, *, folded: str | None = None) -> Q:
    """The column ``field`` (a lookup path such as ``"requester__last_name"``) contains
    ``word``, ignoring accents and case on PostgreSQL and case only elsewhere.

    On PostgreSQL the comparison is ``guichet_fold(field) LIKE '%' || guichet_fold(word) || '%'``
    with ``%``, ``_`` and ``\\`` of the word escaped: the planner folds the constant side when
    it plans, so the pattern is a constant that the trigram index of ``guichet_fold(field)``
    answers. ``folded`` names the column that stores ``guichet_fold(field)``
    (``folded_column``), compared instead on PostgreSQL.
    """
    if indexed():
        return Q(Contains(F(folded) if folded else Fold(field), Fold(Value(word))))
    return Q(**{f"{field}__icontains": word})


def contains_all(fields: tuple[str, ...], q: str, *, folded: Mapping[str, str] | None = None) -> Q:
    """Every word of ``q`` is contained in one of ``fields`` (not necessarily the same one).
    ``folded`` maps a field to its stored folded column, if it has one (``contains``)."""
    folded = folded or {}
    condition = Q()
    for word in words(q):
        either = Q()
        for field in fields:
            either |= contains(field, word, folded=folded.get(field))
        condition &= either
    return condition


class EqualsAny(Expression):
    """``expression = ANY(%s)``, the values passed as one array: the same rows as ``__in``, but
    one parameter to bind and one constant to plan instead of thousands (a common name finds
    thousands of requesters, and a page's count and rows each planned their list for 5 ms)."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, field: str, values):
        super().__init__()
        self.lhs = F(field)
        self.values = list(values)

    def get_source_expressions(self):
        return [self.lhs]

    def set_source_expressions(self, exprs):
        (self.lhs,) = exprs

    def as_sql(self, compiler, connection):
        sql, params = compiler.compile(self.lhs)
        # An array of the column's own type: PostgreSQL hashes it (one lookup per row read)
        # only then; an int4[] against a bigint column is searched element by element.
        array_type = self.lhs.output_field.db_type(connection)
        return f"{sql} = ANY(%s::{array_type}[])", [*params, self.values]


def in_values(field: str, values) -> Q:
    """``field`` is one of ``values`` (a list, or a subquery): ``EqualsAny`` for a list on
    PostgreSQL, ``__in`` otherwise."""
    if isinstance(values, list) and values and indexed():
        return Q(EqualsAny(field, values))
    return Q(**{f"{field}__in": values})


def digits_contain(field: str, digits: str) -> Q:
    """The digits of ``field`` contain ``digits`` (a phone number typed with any punctuation).

    Elsewhere than on PostgreSQL the digits come from removing the usual punctuation with
    REPLACE, which every database has.
    """
    if indexed():
        return Q(Contains(Digits(field), Value(digits)))
    expression = F(field)
    for character in PHONE_PUNCTUATION:
        expression = Replace(expression, Value(character), Value(""))
    return Q(Contains(expression, Value(digits)))


# What people type between the digits of a phone number.
PHONE_PUNCTUATION = (" ", "-", ".", "(", ")", "+", "/")


def any_of(model, branches: list[Q]) -> Q:
    """Rows of ``model`` that meet one of ``branches`` (conditions on ``model`` or through its
    relations).

    On PostgreSQL the condition is ``pk IN (SELECT pk … WHERE branch UNION ALL …)``: each
    branch is answered by its own index (the title's trigrams, the requester's through its
    foreign key) and the planner joins the few ids found to the list. A plain OR across two
    tables cannot use either index, and read every row of the list (1.4 s at 1M incidents).
    """
    if not branches:
        return Q(pk__in=[])
    if not indexed():
        condition = Q()
        for branch in branches:
            condition |= branch
        return condition
    # No ORDER BY in the legs: the model's ordering would sort each one for nothing.
    ids = [model._default_manager.filter(branch).order_by().values("pk") for branch in branches]
    return Q(pk__in=ids[0].union(*ids[1:], all=True) if len(ids) > 1 else ids[0])


class RunSQLOnPostgreSQL(RunSQL):
    """``RunSQL`` that does nothing on another database: the SQLite of ``make run`` has no
    extensions, no fold function and no trigram indexes, and searches with ``icontains``."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def trigram_index(table: str, name: str, expression: str) -> RunSQLOnPostgreSQL:
    """A migration operation creating (and dropping, backwards) a GIN trigram index over an SQL
    expression of ``table``, such as ``guichet_fold(title)``."""
    return RunSQLOnPostgreSQL(
        sql=(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
            f"USING gin ({expression} gin_trgm_ops)"
        ),
        reverse_sql=f'DROP INDEX IF EXISTS "{name}"',
    )
