"""Scheduled reports: which period each subscription owes, and sending it once.

Every hour (Celery beat, *Scheduled reports* under Periodic tasks in the admin) the last complete
period of every active subscription (yesterday, last week from Monday, last month) gets its
delivery row, at most one per subscription and period (a unique constraint; concurrent beats
insert it once). A worker then claims the row with a conditional update (STYLE.md rule 6) and
only the worker whose update changed it sends the mail; a retry after an SMTP error finds the
claim released, a duplicate worker finds it taken, a later beat finds it sent. A claim left by
a worker that died is taken again after ``CLAIM_TIMEOUT``.

A subscription's first period is the first one that ends after it was made. The report is read
as its subscriber sees it (their permissions, their language); a group's members receive it
only if they may read every field of it themselves.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from crm.csv import csv_text
from crm.models import User

from . import builder, exportables, permissions, report_exports
from .models import ReportDelivery, ReportSubscription, split_addresses

CLAIM_TIMEOUT = dt.timedelta(minutes=30)
ERROR_MAX_LENGTH = 255


def last_complete_period(frequency: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """``(first day, day after the last)`` of the last period of ``frequency`` that ended by
    ``today`` (local dates)."""
    if frequency == ReportSubscription.Frequency.DAILY:
        return today - dt.timedelta(days=1), today
    if frequency == ReportSubscription.Frequency.WEEKLY:
        monday = today - dt.timedelta(days=today.weekday())
        return monday - dt.timedelta(days=7), monday
    first = today.replace(day=1)
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    return previous, first


def _moment(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def deliveries_due(*, now: dt.datetime | None = None) -> list[int]:
    """Create the delivery row of each active subscription's last complete period (once), and
    return the ids of those not sent yet: three queries, whatever the subscriptions."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    owed = []
    subscriptions = ReportSubscription.objects.filter(is_active=True).values_list(
        "pk", "frequency", "created_at"
    )
    for pk, frequency, created_at in subscriptions:
        start, end = last_complete_period(frequency, today)
        if _moment(end) > created_at:
            owed.append(ReportDelivery(subscription_id=pk, period_start=start))
    if not owed:
        return []
    ReportDelivery.objects.bulk_create(owed, ignore_conflicts=True)
    wanted = Q()
    for delivery in owed:
        wanted |= Q(subscription_id=delivery.subscription_id, period_start=delivery.period_start)
    return list(
        ReportDelivery.objects.filter(wanted, sent_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def claim(delivery_id: int, *, now: dt.datetime) -> bool:
    """Take the delivery for this worker: true for exactly one of concurrent callers."""
    stale = now - CLAIM_TIMEOUT
    return (
        ReportDelivery.objects.filter(pk=delivery_id, sent_at__isnull=True)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        .update(claimed_at=now, attempts=F("attempts") + 1)
        == 1
    )


def recipients_of(subscription: ReportSubscription, report: builder.Report) -> list[str]:
    """The addresses of the subscription, and of its group's active members who may read the
    report's fields themselves."""
    found = split_addresses(subscription.addresses)
    if subscription.group_id is not None:
        members = User.objects.filter(
            assignment_groups=subscription.group_id, is_active=True
        ).order_by("pk")
        for member in members:
            allowed = permissions.can_read_reports(member) and not builder.forbidden_fields(
                report.source, report.definition, member
            )
            address = (member.email or "").lower()
            readable = allowed and permissions.can_read_source(member, report.source)
            if readable and address and address not in found:
                found.append(address)
    return found


def _message(subscription: ReportSubscription, delivery: ReportDelivery, recipients: list[str]):
    saved = subscription.report
    start = delivery.period_start
    last_day = period_end(subscription.frequency, start) - dt.timedelta(days=1)
    dates = {"date_from": start, "date_to": last_day} if subscription.only_period else {}
    report = report_exports.report_for(saved, user=subscription.created_by, **dates)
    label = report_exports.period_label(start, last_day)
    subject = _("%(report)s — %(period)s") % {"report": saved.name, "period": label}
    body = _(
        "Please find attached the report “%(report)s” (%(period)s), sent %(frequency)s at the "
        "request of %(who)s.\n\nTo stop receiving it, ask them or a manager of Guichet."
    ) % {
        "report": saved.name,
        "period": label,
        "frequency": subscription.get_frequency_display(),
        "who": subscription.created_by,
    }
    message = EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, bcc=recipients
    )
    name = f"{slugify(saved.name) or 'report'}-{start.isoformat()}"
    if subscription.format == ReportSubscription.Format.CSV:
        table = report_exports.table_of(saved, report)
        message.attach(
            f"{name}.csv", csv_text(table.rows, header=table.headers, bom=True), "text/csv"
        )
    else:
        document = report_exports.document_of(saved, report, label=label)
        message.attach(f"{name}.pdf", exportables.render_pdf(document), "application/pdf")
    return message


def period_end(frequency: str, start: dt.date) -> dt.date:
    """The day after the last of the period that begins on ``start``."""
    if frequency == ReportSubscription.Frequency.DAILY:
        return start + dt.timedelta(days=1)
    if frequency == ReportSubscription.Frequency.WEEKLY:
        return start + dt.timedelta(days=7)
    return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _finish(delivery_id: int, *, claimed_at, recipients: int = 0, error: str = "") -> None:
    ReportDelivery.objects.filter(pk=delivery_id, claimed_at=claimed_at).update(
        sent_at=timezone.now(), recipients=recipients, error=error[:ERROR_MAX_LENGTH]
    )


def delivery_send(*, delivery_id: int, now: dt.datetime | None = None) -> int | None:
    """Send one delivery if this caller wins its claim; the number of recipients, or None when
    another worker has it (or it was sent). An SMTP error releases the claim and is raised, for
    the task to retry."""
    now = now or timezone.now()
    if not claim(delivery_id, now=now):
        return None
    delivery = ReportDelivery.objects.select_related(
        "subscription__report__owner", "subscription__created_by"
    ).get(pk=delivery_id)
    subscription = delivery.subscription
    subscriber = subscription.created_by
    if not subscription.is_active or not permissions.can_read_report(
        subscriber, subscription.report
    ):
        _finish(delivery_id, claimed_at=now, error=_("The subscriber may no longer read it."))
        return 0
    with translation.override(subscriber.language or settings.LANGUAGE_CODE):
        try:
            report = report_exports.report_for(subscription.report, user=subscriber)
            recipients = recipients_of(subscription, report)
            if not recipients:
                _finish(delivery_id, claimed_at=now, error=_("Nobody to send it to."))
                return 0
            message = _message(subscription, delivery, recipients)
        except ValidationError as error:
            _finish(delivery_id, claimed_at=now, error=" ".join(error.messages))
            return 0
        try:
            message.send()
        except OSError as error:
            ReportDelivery.objects.filter(pk=delivery_id, claimed_at=now).update(
                claimed_at=None, error=str(error)[:ERROR_MAX_LENGTH]
            )
            raise
    _finish(delivery_id, claimed_at=now, recipients=len(recipients))
    return len(recipients)
