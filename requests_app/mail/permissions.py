"""Who may download a journal entry's attachment, and who clears a thread's "new reply" mark.

- The attachments of a comment are read by whoever reads its request or incident page: every
  back-office reader (requests/permissions.py, incidents/permissions.py), and the requester's
  own portal account (a comment is shown to them). Nobody else, whatever the id asked for.
- The "new reply" mark is cleared when someone who works on the request or the incident opens
  its page (an agent of its groups), not when a manager reads it.
"""

from crm.models import User
from crm.permissions import can_read_backoffice

from ..incidents.models import Incident
from ..incidents.permissions import can_work_on_incident
from ..requests.permissions import is_requester, works_on_request
from .models import JournalAttachment


def can_download_attachment(user: User, attachment: JournalAttachment) -> bool:
    entry = attachment.entry
    subject_of = entry.incident if entry.incident_id else entry.request
    if subject_of is None:
        return False
    if can_read_backoffice(user):
        return True
    return entry.is_public and is_requester(user, subject_of)


def clears_new_reply(user: User, subject_of) -> bool:
    if isinstance(subject_of, Incident):
        return can_work_on_incident(user, subject_of)
    return works_on_request.test(user, subject_of)
