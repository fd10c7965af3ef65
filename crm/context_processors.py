from .permissions import can_act_in_backoffice, can_read_backoffice
from .selectors import notification_unread_count


def shell(request):
    """What every page's layout needs: the bell's unread count and the user's display choices."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0, "ui_theme": "light", "ui_density": "comfortable"}
    return {
        "unread_notifications": notification_unread_count(user=user),
        "ui_theme": user.theme,
        "ui_density": user.density,
        "is_backoffice_user": can_read_backoffice(user),
        "can_act_in_backoffice": can_act_in_backoffice(user),
    }
