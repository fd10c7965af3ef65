"""Writes of reporting: saved reports, their subscriptions, the agent's dashlet layout.

Each checks who may act (permissions.py), validates (a definition that uses a field the author
may not see is refused, naming it), and writes in one transaction."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from crm.models import AssignmentGroup, User
from crm.permissions import require
from crm.workflow import save_recorded

from . import permissions, sources
from .builder import parse_definition
from .dashlets import DASHLETS
from .models import DashletLayout, ReportSubscription, SavedReport, split_addresses


def _checked_definition(source_name: str, definition, by: User) -> dict:
    source = sources.source(source_name)
    if source is None:
        raise ValidationError({"source": _("Choose a source among those offered.")})
    try:
        checked = parse_definition(source, definition, user=by)
    except ValidationError as error:
        raise ValidationError({"definition": error.messages}) from error
    return checked.as_json()


def _save(report: SavedReport, *, by: User, reason: str, shared_with) -> SavedReport:
    report.full_clean(exclude=["owner"])
    try:
        with transaction.atomic():
            save_recorded(report, by=by, reason=reason)
    except IntegrityError as error:
        raise ValidationError({"name": _("You already have a report with this name.")}) from error
    if shared_with is not None:
        report.shared_with.set(list(shared_with))
    return report


def saved_report_create(
    *,
    by: User,
    name: str,
    source: str,
    definition: dict,
    shared_with: Iterable[AssignmentGroup] | None = None,
    description: str = "",
) -> SavedReport:
    require(permissions.can_build_reports(by), _("Only managers and administrators build reports."))
    checked = _checked_definition(source, definition, by)
    with transaction.atomic():
        report = SavedReport(
            name=name.strip(),
            description=description.strip(),
            owner=by,
            source=source,
            definition=checked,
        )
        return _save(report, by=by, reason="created", shared_with=shared_with)


def saved_report_update(
    *,
    report: SavedReport,
    by: User,
    name: str,
    definition: dict,
    shared_with: Iterable[AssignmentGroup] | None = None,
    description: str = "",
) -> SavedReport:
    """Change a report's name, definition and sharing (its source stays)."""
    require(permissions.can_change_report(by, report), _("You may not change this report."))
    checked = _checked_definition(report.source, definition, by)
    with transaction.atomic():
        current = SavedReport.objects.select_for_update().get(pk=report.pk)
        current.name = name.strip()
        current.description = description.strip()
        current.definition = checked
        return _save(current, by=by, reason="edited", shared_with=shared_with)


def saved_report_delete(*, report: SavedReport, by: User) -> None:
    require(permissions.can_delete_report(by, report), _("You may not delete this report."))
    with transaction.atomic():
        report._history_user = by
        report.delete()


def subscription_create(
    *,
    report: SavedReport,
    by: User,
    frequency: str,
    format: str,
    group: AssignmentGroup | None = None,
    addresses: str = "",
    only_period: bool = False,
) -> ReportSubscription:
    """Subscribe ``group``'s members or ``addresses`` (or both) to ``report``. The first period
    sent is the first one that ends after now."""
    require(
        permissions.can_subscribe(by, report), _("You may not subscribe anyone to this report.")
    )
    subscription = ReportSubscription(
        report=report,
        created_by=by,
        frequency=frequency,
        format=format,
        group=group,
        addresses="\n".join(split_addresses(addresses or "")),
        only_period=only_period,
    )
    subscription.full_clean()
    with transaction.atomic():
        subscription.save()
    return subscription


def subscription_delete(*, subscription: ReportSubscription, by: User) -> None:
    require(
        permissions.can_remove_subscription(by, subscription),
        _("You may not remove this subscription."),
    )
    with transaction.atomic():
        subscription.delete()


def dashlet_layout_save(*, user: User, by: User, dashlets: list[str]) -> DashletLayout:
    """Save which dashlets ``user`` shows on their home and in what order."""
    require(
        permissions.can_arrange_dashlets(by) and by.pk == user.pk,
        _("You arrange your own home only."),
    )
    keys = list(dict.fromkeys(dashlets))
    unknown = [key for key in keys if key not in DASHLETS]
    if unknown:
        raise ValidationError(_("Unknown dashlet: %(key)s.") % {"key": unknown[0][:40]})
    with transaction.atomic():
        layout, _created = DashletLayout.objects.select_for_update().get_or_create(user=user)
        layout.dashlets = keys
        layout.save()
    return layout
