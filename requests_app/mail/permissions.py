"""Who may download a journal entry's attachment, and who clears a thread's "new reply" mark.

- The attachments of a comment are read by whoever reads its request or incident page: every
  back-office reader (requests/permissions.py, incidents/permissions.py), and on the portal
  whoever follows it (a comment is shown to them): the requester's own account and, for a
  request filed for an organisation, its members. Nobody else, whatever the id asked for.
- The "new reply" mark is cleared when someone who works on the request or the incident opens
  its page (an agent of its groups), not when a manager reads it.
"""

from crm.models import User
from crm.permissions import can_read_backoffice

from ..incidents.models import Incident
from ..incidents.permissions import can_work_on_incident
from ..requests.permissions import can_follow_request, is_requester, works_on_request
from .models import JournalAttachment


def can_download_attachment(user: User, attachment: JournalAttachment) -> bool:
    entry = attachment.entry
    subject_of = entry.incident if entry.incident_id else entry.request
    if subject_of is None:
        return False
    if can_read_backoffice(user):
        return True
    if not entry.is_public:
        return False
    if entry.incident_id:
        return is_requester(user, subject_of)
    return can_follow_request(user, subject_of)


def clears_new_reply(user: User, subject_of) -> bool:
    if isinstance(subject_of, Incident):
        return can_work_on_incident(user, subject_of)
    return works_on_request.test(user, subject_of)
