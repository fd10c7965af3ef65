"""The signed link of an invitation to join an organisation, and its mail.

The link carries the invitation's id and address, signed and dated (``django.core.signing``,
``ORGANISATION_INVITATION_DAYS``): a forged or expired link is refused, and so is one whose
invitation was accepted or cancelled.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.template import loader
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from crm.errors import DomainError

from .models import PartnerInvitation

INVITATION_SALT = "guichet.organisation.invitation"
# Where a visitor's invitation waits while they log in or sign up.
SESSION_KEY = "guichet_invitation"


def invitation_token(invitation: PartnerInvitation) -> str:
    return signing.dumps({"i": invitation.pk, "e": invitation.email}, salt=INVITATION_SALT)


def invitation_path(invitation: PartnerInvitation) -> str:
    return reverse("portal:invitation", args=[invitation_token(invitation)])


def invitation_from_token(token: str) -> PartnerInvitation:
    """The pending invitation of a link; ``DomainError`` when the link is forged, expired,
    used or cancelled."""
    try:
        data = signing.loads(
            token,
            salt=INVITATION_SALT,
            max_age=timedelta(days=settings.ORGANISATION_INVITATION_DAYS),
        )
    except signing.SignatureExpired as exc:
        raise DomainError(_("This invitation has expired: ask for a new one.")) from exc
    except signing.BadSignature as exc:
        raise DomainError(_("This invitation link is not valid.")) from exc
    if not isinstance(data, dict):
        raise DomainError(_("This invitation link is not valid."))
    invitation = (
        PartnerInvitation.objects.select_related("partner")
        .filter(pk=data.get("i"), email=data.get("e"))
        .first()
    )
    if invitation is None or not invitation.is_pending:
        raise DomainError(_("This invitation was already used or cancelled."))
    return invitation


def invitation_message(invitation: PartnerInvitation, *, base_url: str) -> EmailMessage:
    """The mail of an invitation, in the inviter's language, with a link made now."""
    language = getattr(invitation.invited_by, "language", None) or settings.LANGUAGE_CODE
    context = {
        "invitation": invitation,
        "partner": invitation.partner,
        "inviter": invitation.invited_by,
        "url": base_url.rstrip("/") + invitation_path(invitation),
        "days": settings.ORGANISATION_INVITATION_DAYS,
    }
    with translation.override(language):
        subject = _("[Guichet] You are invited to join %(organisation)s") % {
            "organisation": invitation.partner.name
        }
        body = loader.render_to_string("portal/email/invitation.txt", context)
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])
