"""Who may read the managers' dashboards, the reports and their exports: managers and
administrators. Agents have their own home (dashlets); citizens see nothing of the back office.

Roles are crm groups holding permissions (crm/roles.py): the Manager and Administrator roles
hold ``crm.view_reports`` (crm's migrations grant it; an administrator holds every crm
permission), so that an administrator can give the
reports to another role without a developer."""

import rules

from crm.permissions import can_read_backoffice, has_global_perm, view_requires

reads_reports = rules.is_active & has_global_perm("crm.view_reports")

rules.add_perm("reporting.read_reports", reads_reports)


def can_read_reports(user) -> bool:
    return reads_reports.test(user)


# Anonymous visitors go to the login page; logged-in users without the role get 403.
reports_required = view_requires(can_read_reports)


# --- The report builder, saved and scheduled reports, the agent's dashlets --------------------
#
# - A source (sources.py) is open to a reader of the reports who may read its lists in the
#   back office: the source's model permissions (``contacts.view_client``…), as its own pages
#   ask. A field that shows another kind of record asks for that record's permission too.
#   Every back-office reader of a source opens each of its rows (a manager reads every request,
#   task and incident page; the CRM is the team's shared file), so the rows a report shows are
#   those of its source; ``visible_rows`` is the one place that would narrow them.
# - A saved report is read by its owner, by the readers of the reports who belong to an
#   assignment group it is shared with, and by holders of ``reporting.view_savedreport``
#   (administrators). It is changed and deleted by its owner and by holders of
#   ``reporting.change_savedreport`` / ``reporting.delete_savedreport``.
# - Whoever reads a report may subscribe a group or addresses to it; a subscription is removed
#   by its author, the report's owner, or an administrator.
# - Each back-office user (agent, manager, administrator) arranges their own dashlets; nobody
#   arranges another's.


def can_read_source(user, source) -> bool:
    return (
        can_read_reports(user)
        and can_read_backoffice(user)
        and all(user.has_perm(perm) for perm in source.perms)
    )


def can_read_field(user, source, field) -> bool:
    return can_read_source(user, source) and all(user.has_perm(perm) for perm in field.perms)


def visible_rows(user, source, queryset):
    """The rows of ``source`` that ``user`` may open in the back office."""
    if not can_read_source(user, source):
        return queryset.none()
    return queryset


def can_build_reports(user) -> bool:
    return can_read_reports(user)


@rules.predicate
def owns_report(user, report) -> bool:
    return report.owner_id == user.pk


@rules.predicate
def in_a_shared_group(user, report) -> bool:
    # The page reads the answer with the report (``shared_with_viewer``): no query of its own.
    known = getattr(report, "shared_with_viewer", None)
    if known is not None:
        return known
    return report.shared_with.filter(members=user).exists()


reads_report = reads_reports & (
    owns_report | has_global_perm("reporting.view_savedreport") | in_a_shared_group
)
changes_report = reads_reports & (owns_report | has_global_perm("reporting.change_savedreport"))
deletes_report = reads_reports & (owns_report | has_global_perm("reporting.delete_savedreport"))

rules.add_perm("reporting.read_report", reads_report)
rules.add_perm("reporting.edit_report", changes_report)
rules.add_perm("reporting.remove_report", deletes_report)


def can_read_report(user, report) -> bool:
    return reads_report.test(user, report)


def can_change_report(user, report) -> bool:
    return changes_report.test(user, report)


def can_delete_report(user, report) -> bool:
    return deletes_report.test(user, report)


def can_subscribe(user, report) -> bool:
    return can_read_report(user, report)


def can_remove_subscription(user, subscription) -> bool:
    return can_read_reports(user) and (
        subscription.created_by_id == user.pk
        or subscription.report.owner_id == user.pk
        or user.has_perm("reporting.delete_reportsubscription")
    )


def can_arrange_dashlets(user) -> bool:
    return can_read_backoffice(user)
