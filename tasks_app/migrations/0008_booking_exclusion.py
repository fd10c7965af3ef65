"""No resource booked twice for overlapping times, enforced by PostgreSQL itself (an exclusion
constraint over the booking's time range, with btree_gist for the resource's equality), so that
two agents booking a cubicle at once get one success and one refusal. Cancelled and closed
support tasks free their slot. SQLite (``make run``) relies on the service's check alone."""

from django.db import migrations

from crm.search import RunSQLOnPostgreSQL

CONSTRAINT = "task_resource_no_double_booking"

SQL = f"""
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE tasks_app_task ADD CONSTRAINT {CONSTRAINT}
    EXCLUDE USING gist (
        resource_id WITH =,
        tstzrange(scheduled_start, scheduled_end, '[)') WITH &&
    )
    WHERE (resource_id IS NOT NULL AND status NOT IN ('cancelled'));
"""


class Migration(migrations.Migration):
    dependencies = [("tasks_app", "0007_todos_and_support_scheduling")]

    operations = [
        RunSQLOnPostgreSQL(
            sql=SQL, reverse_sql=f"ALTER TABLE tasks_app_task DROP CONSTRAINT IF EXISTS {CONSTRAINT}"
        )
    ]
