"""The agents' side of the e-mail channel: a thread's "new reply" mark, cleared when its page
is opened. (A reply is received by inbound.inbound_email_receive.)"""

from crm.models import User

from . import permissions


def replies_mark_seen(*, subject_of, by: User) -> bool:
    """Clear the "new reply" mark of a request or an incident when ``by`` works on it; whether
    it was cleared. No query when there is no mark."""
    if getattr(subject_of, "unread_reply_at", None) is None:
        return False
    if not permissions.clears_new_reply(by, subject_of):
        return False
    type(subject_of).objects.filter(pk=subject_of.pk, unread_reply_at__isnull=False).update(
        unread_reply_at=None
    )
    subject_of.unread_reply_at = None
    return True
