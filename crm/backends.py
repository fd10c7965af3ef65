"""Authentication backends."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save

# A user's permission names are kept in the shared cache this long, with the version of the
# roles they were read under: any change of a role, of its permissions or of a user's roles
# bumps the version, so the next page reads them again.
PERMISSIONS_TTL = 300
VERSION_KEY = "permissions:version"


def _key(pk: int, superuser: bool) -> str:
    return f"permissions:{pk}:{int(superuser)}"


def permissions_changed(**_kwargs) -> None:
    """Every cached permission set is stale (a role or a permission changed)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 1, None)


def users_permissions_changed(*, instance, action, reverse, pk_set, **_kwargs) -> None:
    """Some users' roles or own permissions changed: theirs are read again (a role given to
    one user leaves everyone else's kept)."""
    if not action.startswith("post_"):
        return
    if not reverse:
        users = [instance.pk]
    elif pk_set is not None:
        users = list(pk_set)
    else:  # a role or a permission cleared of all its users: nobody's set is known to hold
        permissions_changed()
        return
    cache.delete_many([_key(pk, flag) for pk in users for flag in (False, True)])


def connect() -> None:
    user_model = get_user_model()
    for through in (user_model.groups.through, user_model.user_permissions.through):
        m2m_changed.connect(
            users_permissions_changed, sender=through, dispatch_uid=f"perms-{through}"
        )
    m2m_changed.connect(
        permissions_changed, sender=Group.permissions.through, dispatch_uid="perms-roles"
    )
    for model in (Group, Permission):
        post_save.connect(permissions_changed, sender=model, dispatch_uid=f"perms-save-{model}")
        post_delete.connect(permissions_changed, sender=model, dispatch_uid=f"perms-del-{model}")


class RoleBackend(ModelBackend):
    """Django's model backend, reading a user's permissions (their own and their roles') in one
    query instead of two, and keeping them in the shared cache between pages: every
    back-office page asks whether its reader holds a role."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            key = _key(user_obj.pk, user_obj.is_superuser)
            found = cache.get_many([key, VERSION_KEY])
            version = found.get(VERSION_KEY, 0)
            kept = found.get(key)
            if kept is not None and kept[0] == version:
                user_obj._perm_cache = set(kept[1])
            else:
                user_obj._perm_cache = self._read(user_obj)
                cache.set(key, (version, sorted(user_obj._perm_cache)), PERMISSIONS_TTL)
        return user_obj._perm_cache

    @staticmethod
    def _read(user_obj) -> set[str]:
        columns = ("content_type__app_label", "codename")
        if user_obj.is_superuser:
            rows = Permission.objects.order_by().values_list(*columns)
        else:
            own = Permission.objects.filter(user=user_obj).order_by().values_list(*columns)
            roles = Permission.objects.filter(group__user=user_obj).order_by()
            rows = own.union(roles.values_list(*columns))
        return {f"{app_label}.{codename}" for app_label, codename in rows}
