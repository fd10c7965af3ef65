"""Who may import course grids. The only place that decides it: services, views, templates and
the API ask here.

Rules:

- Holders of ``requests_app.add_coursegridimport`` (the Agent and Administrator roles) who may
  act in the back office (see crm/permissions.py) upload a grid and read their own jobs; never
  managers, never citizens.
- Only the person who uploaded a dry run imports it for real, and only while they still may
  import.

Named rules (``user.has_perm(name[, job])`` answers the same): ``IMPORT``, ``CONFIRM``.
"""

import rules
from django.utils.translation import gettext as _

from crm.models import User
from crm.permissions import can_read_backoffice, has_global_perm, is_agent, require, view_requires

from .models import CourseGridImport

IMPORT = "requests_app.import_course_grid"
CONFIRM = "requests_app.confirm_course_grid_import"


@rules.predicate
def is_uploader(user: User, job: CourseGridImport) -> bool:
    return job.uploaded_by_id is not None and job.uploaded_by_id == user.pk


may_import = is_agent & has_global_perm("requests_app.add_coursegridimport")

rules.add_perm(IMPORT, may_import)
rules.add_perm(CONFIRM, may_import & is_uploader)


def can_import(user: User) -> bool:
    return rules.has_perm(IMPORT, user)


def require_import(user: User) -> None:
    require(can_import(user), _("You may not import course grids."))


def can_confirm_import(user: User, job: CourseGridImport) -> bool:
    return rules.has_perm(CONFIRM, user, job)


def require_confirm_import(user: User, job: CourseGridImport) -> None:
    require_import(user)
    require(
        can_confirm_import(user, job),
        _("Only the person who uploaded this file may import it."),
    )


# Anonymous visitors go to the login page; back-office users who may not import (and everyone
# else) get 403.
import_permission_required = view_requires(
    lambda user: can_read_backoffice(user) and can_import(user)
)
