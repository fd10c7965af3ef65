"""Authentication backends."""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission


class RoleBackend(ModelBackend):
    """Django's model backend, reading a user's permissions (their own and their roles') in one
    query instead of two: every back-office page asks whether its reader holds a role."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            columns = ("content_type__app_label", "codename")
            if user_obj.is_superuser:
                rows = Permission.objects.order_by().values_list(*columns)
            else:
                own = Permission.objects.filter(user=user_obj).order_by().values_list(*columns)
                roles = Permission.objects.filter(group__user=user_obj).order_by()
                rows = own.union(roles.values_list(*columns))
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in rows}
        return user_obj._perm_cache
