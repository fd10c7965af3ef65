from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequestsAppConfig(AppConfig):
    name = "requests_app"
    verbose_name = _("Requests")

    def ready(self):
        # Registers the named rules (rules.add_perm) once the models are loaded.
        from .imports import permissions as _imports  # noqa: F401
        from .incidents import permissions as _incidents  # noqa: F401

        # The requests and incidents on a client's timeline, and their pages' favourite star
        # (contacts.timeline, contacts.favourites).
        from .incidents.timeline import register_sources as register_incidents
        from .requests import permissions as _requests  # noqa: F401
        from .requests.timeline import register_sources as register_requests

        register_requests()
        register_incidents()

        # What every filing reads, kept in each process until one of these changes.
        from crm import config_cache

        config_cache.watch(
            "requests_app.Theme",
            "requests_app.RequestType",
            "requests_app.FormDefinition",
            "requests_app.FormVersion",
            "requests_app.BusinessCalendar",
            "requests_app.OpeningSlot",
            "requests_app.Closure",
        )
