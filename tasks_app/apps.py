from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksAppConfig(AppConfig):
    name = "tasks_app"
    verbose_name = _("Tasks")

    def ready(self):
        # Registers the named rules (rules.add_perm) once the models are loaded.
        from . import permissions  # noqa: F401
