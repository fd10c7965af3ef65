"""Celery finds the tasks of every room of requests_app through this module."""

from .imports.tasks import course_grid_import_run
from .incidents.tasks import sla_escalations_execute, sla_sweep_run

__all__ = ["course_grid_import_run", "sla_escalations_execute", "sla_sweep_run"]
