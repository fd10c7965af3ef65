from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Reporting")

    def ready(self):
        # The named rule of the reports (rules.add_perm), then what manage.py export_report
        # exports by name: the dashboards and the saved reports, once the models are loaded.
        from . import dashboards, permissions, report_exports  # noqa: F401

        dashboards.register_exportables()
        report_exports.register()
