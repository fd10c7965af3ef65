"""Who may see, search and create clients.

Agents find and create the people they serve; managers read the back office and change nothing;
citizens see no other client (their own record is reached through their account only).
"""

from crm.models import User
from crm.permissions import can_act_in_backoffice, can_read_backoffice


def can_view_clients(user: User) -> bool:
    return can_read_backoffice(user) and user.has_perm("contacts.view_client")


def can_search_clients(user: User) -> bool:
    return can_view_clients(user)


def can_create_client(user: User) -> bool:
    # Managers change nothing in the back office, whatever permissions their role is given.
    return can_act_in_backoffice(user) and user.has_perm("contacts.add_client")
