from celery import shared_task

from .invitations import invitation_message
from .models import PartnerInvitation


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def invitation_mail_send(self, invitation_id: int, base_url: str) -> str | None:
    """Mail an invitation to join an organisation, while it is still pending; ``base_url`` is
    the site's address as the inviting request saw it (``https://guichet.example/``)."""
    invitation = (
        PartnerInvitation.objects.select_related("partner", "invited_by")
        .filter(pk=invitation_id, accepted_at=None, cancelled_at=None)
        .first()
    )
    if invitation is None:
        return None
    invitation_message(invitation, base_url=base_url).send()
    return invitation.email
