"""Personas of the report builder's tests."""

from django.contrib.auth.models import Group, Permission

from crm.models import User
from tests import factories


def limited_manager() -> User:
    """A reader of the reports whose role reads requests but no client: an administrator may
    make such a role without a developer."""
    role = Group.objects.create(name="Gestion sans clients")
    codenames = [
        ("crm", "view_reports"),
        ("crm", "access_backoffice"),
        ("requests_app", "view_servicerequest"),
        ("tasks_app", "view_task"),
    ]
    for app_label, codename in codenames:
        role.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    user = factories.UserFactory(email="gestion-limitee@example.org")
    user.groups.add(role)
    return user
