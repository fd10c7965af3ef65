"""Who may see and change the CRM: clients, partners, contacts, their activities and records.

Rules:

- The CRM is the team's shared file: every agent (a user who may act in the back office, see
  crm/permissions.py) reads and changes every client, partner, contact, activity, program
  enrolment, service record and SAE file, through the model permissions of the Agent role.
- Managers read the CRM and change nothing; citizens never reach it (every page answers 403),
  their own client record is reached through their portal account only.
- An agent's calendar is seen by its owner, and by colleagues only when the owner shares it
  (``CalendarSettings.shared``); a private iCalendar feed is read with its secret only.
- Merging two records is an agent's act on both; the one removed must be changeable.
"""

from django.utils.translation import gettext_lazy as _

from crm.models import User
from crm.permissions import can_act_in_backoffice, can_read_backoffice, require

from .models import PartnerMembership

# The CRM's record types, by the short name that URLs, saved filters and favourites use.
CRM_MODELS = (
    "client",
    "partner",
    "contact",
    "call",
    "meeting",
    "note",
    "document",
    "programenrolment",
    "servicerecord",
    "saefile",
)


def can_view_clients(user: User) -> bool:
    return can_read_backoffice(user) and user.has_perm("contacts.view_client")


def can_search_clients(user: User) -> bool:
    return can_view_clients(user)


def can_create_client(user: User) -> bool:
    # Managers change nothing in the back office, whatever permissions their role is given.
    return can_act_in_backoffice(user) and user.has_perm("contacts.add_client")


def can_view_crm(user: User, model_name: str = "client") -> bool:
    """Read the lists and pages of one record type (``model_name`` as in ``CRM_MODELS``)."""
    return can_read_backoffice(user) and user.has_perm(f"contacts.view_{model_name}")


def can_add_crm(user: User, model_name: str) -> bool:
    return can_act_in_backoffice(user) and user.has_perm(f"contacts.add_{model_name}")


def can_change_crm(user: User, model_name: str) -> bool:
    return can_act_in_backoffice(user) and user.has_perm(f"contacts.change_{model_name}")


def can_delete_crm(user: User, model_name: str) -> bool:
    return can_act_in_backoffice(user) and user.has_perm(f"contacts.delete_{model_name}")


def require_add(user: User, model_name: str) -> None:
    require(can_add_crm(user, model_name), _("You may not create this kind of record."))


def require_change(user: User, model_name: str) -> None:
    require(can_change_crm(user, model_name), _("You may not change this record."))


def can_merge(user: User, model_name: str) -> bool:
    return can_change_crm(user, model_name) and can_delete_crm(user, model_name)


def can_keep_own_items(user: User) -> bool:
    """Favourites, recently viewed, saved filters and calendar settings: anyone who reads the
    back office keeps their own (managers included)."""
    return can_read_backoffice(user)


def can_view_calendar_of(user: User, owner: User, *, shared: bool) -> bool:
    """``owner``'s calendar: its owner, or a colleague of the back office when it is shared."""
    if not can_read_backoffice(user):
        return False
    return user.pk == owner.pk or shared


# --- Organisations on the portal (contacts/organisations.py) ------------------------------------
#
# - A member of a partner (``PartnerMembership``) files requests for it and follows all of its
#   requests (requests_app/requests/permissions.py asks ``is_member_of``).
# - A manager of it also reads its members and invitations, invites and removes members.
# - Anyone else, agents included, reaches none of its portal pages (404): agents manage members
#   in the admin.


def is_member_of(user: User, partner_id: int | None) -> bool:
    """Whether ``user``'s account is a member (or a manager) of the partner ``partner_id``."""
    if partner_id is None or user is None or not user.is_authenticated:
        return False
    return PartnerMembership.objects.filter(user_id=user.pk, partner_id=partner_id).exists()


def can_file_for_organisation(user: User, partner) -> bool:
    """Whether ``user`` may file a request on behalf of ``partner`` (any member may)."""
    return partner is not None and is_member_of(user, partner.pk)


def can_manage_members(user: User, partner) -> bool:
    if partner is None or user is None or not user.is_authenticated:
        return False
    return PartnerMembership.objects.filter(
        user_id=user.pk, partner_id=partner.pk, role=PartnerMembership.Role.MANAGER
    ).exists()
