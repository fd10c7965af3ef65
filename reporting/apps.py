from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Reporting")

    def ready(self):
        # The named rule of the reports (rules.add_perm), and the dashboards exportable by name
        # (manage.py export_report), once the models are loaded.
        from . import dashboards, permissions  # noqa: F401

        dashboards.register_exportables()
