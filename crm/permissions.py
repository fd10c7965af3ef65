"""Who may reach the back office, and who may act in it: the predicates every app's
permissions module builds on.

Roles are crm groups (crm/roles.py) holding permissions, so that an administrator can change
a role without a developer:

- Citizen: the portal only; every back-office page answers 403.
- Agent: reads the back office (``crm.access_backoffice``) and acts in it
  (``crm.act_in_backoffice``).
- Manager: reads the back office (lists, pages) and the reports, and changes nothing there:
  no ``crm.act_in_backoffice``, so every write service refuses a manager with ``NotAllowed``
  (a 403 page over HTTP) and the action buttons and forms are not shown.
- Administrator: every crm permission (so acts like an agent) and the admin site.

What each role may do to a record is decided by the record's app, in one module:
``tasks_app/permissions.py``, ``requests_app/requests/permissions.py``,
``requests_app/incidents/permissions.py``, ``requests_app/imports/permissions.py``. Each names
its rules with ``rules.add_perm``, so ``user.has_perm(name, obj)`` (rules'
``ObjectPermissionBackend``, used by templates and DRF) and the module's ``can_…`` functions
(used by services and views) answer the same. A rule never bears the name of a Django
model permission: the backend would ask itself again.
"""

from functools import wraps

import rules
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from .errors import NotAllowed


def has_global_perm(name: str) -> rules.Predicate:
    """A predicate: the user holds the model-level permission ``name`` (through a role)."""

    @rules.predicate(name=f"has_global_perm({name})")
    def holds(user) -> bool:
        return user.has_perm(name)

    return holds


reads_backoffice = rules.is_active & has_global_perm("crm.access_backoffice")
is_agent = rules.is_active & has_global_perm("crm.act_in_backoffice")


def can_read_backoffice(user) -> bool:
    return reads_backoffice.test(user)


def can_act_in_backoffice(user) -> bool:
    """An agent (or an administrator): not a manager, not a citizen."""
    return is_agent.test(user)


def require(allowed: bool, message) -> None:
    """Raise ``NotAllowed(message)`` unless ``allowed``: the services' one-line guard."""
    if not allowed:
        raise NotAllowed(message)


def view_requires(test):
    """A view decorator: anonymous visitors go to the login page; logged-in users for whom
    ``test(user)`` is false get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not test(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def group_work_rule(name: str, refusal):
    """``(can, require)`` for a named object rule about an object that has an assignment group:
    ``can(user, obj)`` answers, ``require(user, obj)`` raises ``NotAllowed(refusal)``, where the
    (lazy) ``refusal`` may name ``%(group)s``."""

    def can(user, obj) -> bool:
        return rules.has_perm(name, user, obj)

    def require_(user, obj) -> None:
        require(can(user, obj), str(refusal) % {"group": obj.assignment_group})

    return can, require_


# Anonymous visitors go to the login page; logged-in users without the role get 403.
backoffice_required = view_requires(can_read_backoffice)
