"""``--keep``: the generated database survives the run, and the next ``--keep`` run reuses it.

What a generator returns (a dataclass of ids, counts and model instances) is pickled into the
table ``bench_memo`` of the bench database, under the generator's name. A later run that finds
the database, made at the same scale, takes the value back instead of generating the rows
again: generating the search's three million rows takes minutes, measuring them seconds.

Generators whose data the measure itself changes (the SLA sweep's) are not remembered: when
they are selected, the kept database is dropped and made again.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from typing import TypeVar

from django.db import connection

TABLE = "bench_memo"
SCALE_KEY = "scale"

T = TypeVar("T")

# Set by ``__main__`` for a --keep run on PostgreSQL.
enabled = False


def _ensure_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (name text PRIMARY KEY, value bytea)")


def recall(name: str):
    """The value remembered under ``name``, or None."""
    if not enabled:
        return None
    _ensure_table()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {TABLE} WHERE name = %s", [name])
        row = cursor.fetchone()
    # Our own pickle, written by an earlier run into our own throw-away database.
    return pickle.loads(bytes(row[0])) if row else None  # noqa: S301


def remember(name: str, value) -> None:
    if not enabled:
        return
    _ensure_table()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (name, value) VALUES (%s, %s) "
            "ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
            [name, pickle.dumps(value)],
        )


def remembered(name: str, generate: Callable[[], T]) -> tuple[T, bool]:
    """``(value, reused)``: the remembered value of ``name``, else ``generate()`` remembered."""
    value = recall(name)
    if value is not None:
        return value, True
    value = generate()
    remember(name, value)
    return value, False


def reusable(scale: float) -> bool:
    """Whether the database connected to was kept by a run at ``scale``."""
    return recall(SCALE_KEY) == scale
