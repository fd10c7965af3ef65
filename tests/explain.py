"""What PostgreSQL's planner does with a queryset, for tests that check an index is used."""

from django.db import connection, transaction


def plan(queryset) -> str:
    """The EXPLAIN of ``queryset`` when only bitmap scans are allowed.

    The test tables hold a few rows, which the planner rightly reads in full: forbidding
    sequential and plain index scans leaves the bitmap scans of the indexes the conditions can
    use, and the plan names them (a trigram index is only ever read through a bitmap).
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("SET LOCAL enable_indexonlyscan = off")
        return queryset.explain()
