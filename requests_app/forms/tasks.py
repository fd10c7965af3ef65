"""Celery entry points of the form factory (thin: they build the mail from ids)."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template import loader
from django.urls import reverse
from django.utils import translation

from . import engine, tokens
from .models import FormSubmission


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def form_confirmation_mail_send(self, submission_id: int, base_url: str) -> str | None:
    """Mail the link that confirms the address of a filing without an account. The signed link
    is made here, so the broker never holds it."""
    submission = (
        FormSubmission.objects.select_related("version__form__request_type")
        .filter(pk=submission_id, request__isnull=True)
        .first()
    )
    if submission is None or not submission.email:
        return None
    link = base_url.rstrip("/") + reverse(
        "portal:form_confirm", args=[tokens.confirm_token(submission.pk)]
    )
    with translation.override(submission.language or settings.LANGUAGE_CODE):
        context = {
            "link": link,
            "request_type": submission.version.form.request_type,
            "intro": engine.tr(submission.version.snapshot.get("intro")),
        }
        subject = "".join(
            loader.render_to_string("forms/confirm_email_subject.txt", context).splitlines()
        )
        body = loader.render_to_string("forms/confirm_email.txt", context)
        send_mail(
            subject=subject,
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[submission.email],
        )
    return submission.email
