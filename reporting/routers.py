"""Reads of the dashboards, reports and exports go to the read replica when there is one.

``crm/settings.py`` adds the ``replica`` alias when ``DATABASE_REPLICA_URL`` is set and names
it in ``REPORTING_DATABASE`` (``default`` otherwise). Reporting's selectors run their queries
inside ``reading_reports()``; the router sends every read made there to that database, and
every write, and every read made elsewhere, to the primary. A replica lags a little: the
dashboards show how fresh their figures are anyway, and nothing written is read back there.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

_reading = ContextVar("reading_reports", default=False)


def reports_database() -> str:
    """The alias the reports read from (``default`` without a replica)."""
    return getattr(settings, "REPORTING_DATABASE", "default")


@contextmanager
def reading_reports() -> Iterator[str]:
    """Within the block, reads go to the reports' database; yields its alias (for raw SQL)."""
    token = _reading.set(True)
    try:
        yield reports_database()
    finally:
        _reading.reset(token)


class ReportingRouter:
    """Reads made inside ``reading_reports()`` go to ``REPORTING_DATABASE``; nothing else is
    routed (None lets Django use ``default``)."""

    def db_for_read(self, model, **hints):
        if _reading.get():
            return reports_database()
        return None

    def db_for_write(self, model, **hints):
        return None

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica is migrated by replication, never directly.
        return db == "default"
