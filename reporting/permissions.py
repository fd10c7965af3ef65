"""Who may read the managers' dashboards, the reports and their exports: managers and
administrators. Agents have their own home (dashlets); citizens see nothing of the back office.

Roles are crm groups holding permissions (crm/roles.py): the Manager and Administrator roles
hold ``crm.view_reports`` (crm's migrations grant it; an administrator holds every crm
permission), so that an administrator can give the
reports to another role without a developer."""

import rules

from crm.permissions import has_global_perm, view_requires

reads_reports = rules.is_active & has_global_perm("crm.view_reports")

rules.add_perm("reporting.read_reports", reads_reports)


def can_read_reports(user) -> bool:
    return reads_reports.test(user)


# Anonymous visitors go to the login page; logged-in users without the role get 403.
reports_required = view_requires(can_read_reports)
