"""Organisations on the portal (seed 003: "les membres de l'établissement habilités à accéder au
profil de l'établissement et à déposer / suivre les demandes").

A Partner has member accounts (``PartnerMembership``), each a member or a manager. Members file
requests for the organisation and follow all of its requests; managers also invite (by e-mail,
with a signed link) and remove members. Who may do what is in contacts/permissions.py.

The invitation link carries the invitation's id, signed and dated (``django.core.signing``):
a forged or expired link is refused, an invitation is accepted once (a conditional update), by
the account whose verified address it was sent to, and a cancelled one no longer works. The
mail is built in the worker from the invitation's id, so no live link travels through the
broker.
"""

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.errors import DomainError
from crm.models import User
from crm.permissions import require
from crm.services import notification_send
from crm.workflow import save_recorded

from .invitations import SESSION_KEY, invitation_from_token
from .models import Partner, PartnerInvitation, PartnerMembership
from .permissions import can_manage_members
from .tasks import invitation_mail_send

# --- Reads ------------------------------------------------------------------------------------


def organisations_of(user: User) -> list[PartnerMembership]:
    """The memberships of ``user`` with their partners, by organisation name: what a portal
    account may file and follow requests for. One query."""
    if user is None or not user.is_authenticated:
        return []
    return list(
        PartnerMembership.objects.filter(user=user)
        .select_related("partner")
        .order_by("partner__name", "partner_id")
    )


def organisation_ids_of(user: User) -> QuerySet:
    """The ids of the partners ``user`` is a member of, as a subquery."""
    return PartnerMembership.objects.filter(user_id=user.pk).values_list("partner_id", flat=True)


def member_accounts(partner_id: int) -> list[User]:
    """The active accounts of the organisation's members (who follow its requests). One
    query."""
    return list(
        User.objects.filter(memberships__partner_id=partner_id, is_active=True)
        .order_by("pk")
        .distinct()
    )


def membership_of(user: User, partner_id: int) -> PartnerMembership | None:
    if user is None or not user.is_authenticated:
        return None
    return PartnerMembership.objects.filter(user_id=user.pk, partner_id=partner_id).first()


def organisation_page(*, partner: Partner) -> dict:
    """A partner's members (with their accounts) and pending invitations. Two queries."""
    members = list(
        PartnerMembership.objects.filter(partner=partner)
        .select_related("user")
        .order_by("-role", "user__last_name", "user__first_name", "user__email")
    )
    invitations = list(
        PartnerInvitation.objects.filter(
            partner=partner, accepted_at__isnull=True, cancelled_at__isnull=True
        ).order_by("-created_at", "-pk")
    )
    return {"partner": partner, "members": members, "invitations": invitations}


# --- Writes -------------------------------------------------------------------------------------


@transaction.atomic
def invitation_send(
    *, partner: Partner, by: User, email: str, role: str, base_url: str
) -> PartnerInvitation:
    """Invite ``email`` to join ``partner``; the mail (its link under ``base_url``, the site's
    address) leaves after commit, from the worker."""
    require(can_manage_members(by, partner), _("Only a manager of the organisation invites."))
    email = (email or "").strip().lower()
    if role not in PartnerMembership.Role.values:
        raise DomainError(_("Unknown role."))
    if PartnerMembership.objects.filter(partner=partner, user__email__iexact=email).exists():
        raise DomainError(_("This person is already a member."))
    invitation = PartnerInvitation(partner=partner, email=email, role=role, invited_by=by)
    invitation.full_clean()
    invitation.save()
    transaction.on_commit(lambda: invitation_mail_send.delay(invitation.pk, base_url))
    return invitation


@transaction.atomic
def invitation_cancel(*, invitation: PartnerInvitation, by: User) -> PartnerInvitation:
    require(can_manage_members(by, invitation.partner), _("Only a manager cancels invitations."))
    PartnerInvitation.objects.filter(pk=invitation.pk, accepted_at=None, cancelled_at=None).update(
        cancelled_at=timezone.now()
    )
    invitation.refresh_from_db()
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: PartnerInvitation, user: User) -> PartnerMembership:
    """The invited account joins the organisation, once; the invitation is spent."""
    if user.email.lower() != invitation.email.lower():
        raise DomainError(
            _("This invitation was sent to another e-mail address than your account's.")
        )
    claimed = PartnerInvitation.objects.filter(
        pk=invitation.pk, accepted_at=None, cancelled_at=None
    ).update(accepted_at=timezone.now())
    if not claimed:
        raise DomainError(_("This invitation was already used or cancelled."))
    existing = PartnerMembership.objects.filter(partner_id=invitation.partner_id, user=user).first()
    if existing is not None:
        return existing
    membership = PartnerMembership(
        partner_id=invitation.partner_id, user=user, role=invitation.role
    )
    try:
        with transaction.atomic():
            save_recorded(membership, by=user, reason="created")
    except IntegrityError:
        return PartnerMembership.objects.get(partner_id=invitation.partner_id, user=user)
    if invitation.invited_by_id is not None and invitation.invited_by_id != user.pk:
        notification_send(
            recipient=invitation.invited_by,
            title=_("%(name)s joined %(organisation)s")
            % {"name": user, "organisation": invitation.partner.name},
            url=reverse("portal:organisation_detail", args=[invitation.partner_id]),
        )
    return membership


def invitation_accept_pending(*, request, user: User) -> PartnerMembership | None:
    """After sign-up and confirmation: accept the invitation the visitor came with, if any and
    if it is still good. Nothing happens otherwise (the link can be opened again)."""
    token = request.session.pop(SESSION_KEY, None)
    if not token:
        return None
    try:
        return invitation_accept(invitation=invitation_from_token(token), user=user)
    except DomainError:
        return None


@transaction.atomic
def membership_remove(*, membership: PartnerMembership, by: User) -> None:
    """A manager removes a member (or another manager; never the last manager)."""
    require(can_manage_members(by, membership.partner), _("Only a manager removes members."))
    managers = PartnerMembership.objects.select_for_update().filter(
        partner_id=membership.partner_id, role=PartnerMembership.Role.MANAGER
    )
    if membership.is_manager and len(list(managers)) <= 1:
        raise DomainError(_("The organisation must keep at least one manager."))
    membership._history_user = by
    membership.delete()
