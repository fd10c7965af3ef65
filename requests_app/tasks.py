"""Celery finds the tasks of every room of requests_app through this module."""

from .imports.tasks import course_grid_import_run
from .incidents.tasks import sla_escalations_execute, sla_sweep_run
from .mail.polling import inbound_email_poll
from .mail.tasks import comment_email_send

__all__ = [
    "comment_email_send",
    "course_grid_import_run",
    "inbound_email_poll",
    "sla_escalations_execute",
    "sla_sweep_run",
]
