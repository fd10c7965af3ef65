from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Reporting")

    def ready(self):
        # The named rule of the reports (rules.add_perm) once the models are loaded.
        from . import (
            permissions,  # noqa: F401
            report_exports,
        )

        # The saved reports, by name, for manage.py export_report.
        report_exports.register()
