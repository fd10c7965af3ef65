"""Django finds the admin of every room of requests_app through this module."""

from .catalogue import admin as catalogue_admin  # noqa: F401
from .forms import admin as forms_admin  # noqa: F401
from .imports import admin as imports_admin  # noqa: F401
from .incidents import admin as incidents_admin  # noqa: F401
from .mail import admin as mail_admin  # noqa: F401
from .requests import admin as requests_admin  # noqa: F401
from .sla import admin as sla_admin  # noqa: F401
