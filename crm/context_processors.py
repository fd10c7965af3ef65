from .permissions import can_act_in_backoffice, can_read_backoffice
from .selectors import notification_unread_count

PORTAL_LAYOUT = "portal/base.html"
AGENT_LAYOUT = "agent/base.html"


def _unread(request, user) -> int:
    """The bell's count, read once per request: a page whose parts are rendered apart (a
    cached fragment, an included form) runs the context processors once for each."""
    count = getattr(request, "_unread_notifications", None)
    if count is None:
        count = request._unread_notifications = notification_unread_count(user=user)
    return count


def shell(request):
    """What every page's layout needs: the bell's unread count and the user's display choices.

    ``shell_layout`` is the layout that pages shared by both worlds (the error pages) extend: the
    back office for a back-office user on an /agent/ address, the portal otherwise.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {
            "unread_notifications": 0,
            "ui_theme": "light",
            "ui_density": "comfortable",
            "shell_layout": PORTAL_LAYOUT,
        }
    backoffice = can_read_backoffice(user)
    in_agent_pages = request.path.startswith("/agent/")
    return {
        "shell_layout": AGENT_LAYOUT if backoffice and in_agent_pages else PORTAL_LAYOUT,
        "unread_notifications": _unread(request, user),
        "ui_theme": user.theme,
        "ui_density": user.density,
        "is_backoffice_user": backoffice,
        "can_act_in_backoffice": can_act_in_backoffice(user),
    }
