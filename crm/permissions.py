from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def backoffice_required(view):
    """Anonymous visitors go to the login page; logged-in users without the role get 403."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not request.user.has_perm("crm.access_backoffice"):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
