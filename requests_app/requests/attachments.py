"""Documents added to a request after it was filed (the portal's "add documents").

A file is checked like every document of Guichet (contacts.documents.check_file): its type read
from its content, never its name, among ``DOCUMENT_ALLOWED_TYPES``, and its size under
``DOCUMENT_MAX_BYTES``. It is stored under a random name through Django's storage; the
uploader's name is kept for the download, which goes through a view that checks who may read
the request (requests_app/requests/permissions.py).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from contacts.documents import check_file, clean_file_name
from crm.errors import DomainError
from crm.models import User
from crm.permissions import require

from . import permissions
from .models import RequestAttachment, ServiceRequest


def attachment_add(*, request: ServiceRequest, by: User, file) -> RequestAttachment:
    """Keep ``file`` (an uploaded file) as a document of ``request``. ``DomainError`` names what
    is wrong with the file; nothing is stored then."""
    require(
        permissions.can_attach_to_request(by, request),
        _("You may not add documents to this request."),
    )
    try:
        sniffed = check_file(file, file.name)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages)) from error
    attachment = RequestAttachment(
        request=request,
        uploaded_by=by,
        original_name=clean_file_name(file.name, sniffed.type),
        content_type=sniffed.content_type,
        size=file.size,
        file=file,
    )
    try:
        with transaction.atomic():
            attachment.save()
    except Exception:
        # The row is not there: neither must the file be (storage is no part of a transaction).
        if attachment.file._committed and attachment.file.name:
            attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment
