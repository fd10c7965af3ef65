"""The four roles, as Django groups. Their permissions are set by migrations."""

from django.contrib.auth.management import create_permissions

CITIZEN = "Citizen"
AGENT = "Agent"
ADMINISTRATOR = "Administrator"
MANAGER = "Manager"

ALL_ROLES = (CITIZEN, AGENT, ADMINISTRATOR, MANAGER)


def grant(apps, role: str, app_label: str, codenames: list[str] | None = None) -> None:
    """Give ``role`` the permissions of ``app_label`` (all of them, or ``codenames``).

    For data migrations: permissions are created first, since Django only creates them after the
    whole migrate run.
    """
    app_config = apps.get_app_config(app_label)
    if getattr(app_config, "models_module", None) is None:  # a migration's app stub
        app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=role)
    permissions = Permission.objects.filter(content_type__app_label=app_label)
    if codenames is not None:
        permissions = permissions.filter(codename__in=codenames)
    group.permissions.add(*permissions)
