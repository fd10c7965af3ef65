from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksAppConfig(AppConfig):
    name = "tasks_app"
    verbose_name = _("Tasks")

    def ready(self):
        # Registers the named rules (rules.add_perm) once the models are loaded.
        from . import permissions  # noqa: F401
        from .timeline import register_sources

        # The to-dos on the timeline of a client, contact or partner (contacts.timeline).
        register_sources()

        # The steps of the chains, read by every filing, kept in each process until they change.
        from crm import config_cache

        config_cache.watch("tasks_app.ChainTemplate", "tasks_app.TaskTemplate")
