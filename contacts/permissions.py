"""Who may see, search and create clients.

Agents find and create the people they serve; managers read the back office and change nothing;
citizens see no other client (their own record is reached through their account only).
"""

from crm.models import User


def _backoffice(user: User) -> bool:
    return user.is_active and user.has_perm("crm.access_backoffice")


def can_view_clients(user: User) -> bool:
    return _backoffice(user) and user.has_perm("contacts.view_client")


def can_search_clients(user: User) -> bool:
    return can_view_clients(user)


def can_create_client(user: User) -> bool:
    return _backoffice(user) and user.has_perm("contacts.add_client")
