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
