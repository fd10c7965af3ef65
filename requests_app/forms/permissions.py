"""Who may do what with forms, drafts and the files given in forms. The only place that decides
it: services and views ask here.

Rules:

- An administrator holding ``requests_app.change_formdefinition`` edits and publishes forms and
  previews them.
- A draft is its person's alone (the client of the portal account); anyone else gets a 404.
- A file given in a form is downloaded by the person who gave it (their client, while the
  request is drafted, or the requester's account once filed) and by whoever reads the back
  office (every request page is read there), nobody else.
- Agents file requests on someone's behalf (``can_create_assisted_request`` of requests).
"""

from crm.models import User
from crm.permissions import can_read_backoffice

from ..requests import permissions as request_permissions
from .models import FormDocument, FormDraft

PUBLISH = "requests_app.change_formdefinition"


def can_publish_form(user: User) -> bool:
    return user.is_active and user.is_staff and user.has_perm(PUBLISH)


def can_use_draft(user: User, draft: FormDraft) -> bool:
    return (
        user is not None
        and user.is_authenticated
        and draft.client.user_id is not None
        and draft.client.user_id == user.pk
    )


def can_file_assisted(user: User) -> bool:
    return request_permissions.can_create_assisted_request(user)


def can_download_document(
    user: User, document: FormDocument, *, session_documents: frozenset[int] = frozenset()
) -> bool:
    if document.pk in session_documents:
        return True
    if user is None or not user.is_authenticated:
        return False
    if can_read_backoffice(user):
        return True
    owner = document.request.requester if document.request_id else document.client
    return owner is not None and owner.user_id is not None and owner.user_id == user.pk
