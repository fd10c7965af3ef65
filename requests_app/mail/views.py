"""The download of a journal entry's attachment: as an attachment, never shown in the browser,
after checking who asks (permissions.py)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from . import permissions
from .models import JournalAttachment


@login_required
@require_safe
def attachment_download(request, pk: int):
    attachment = get_object_or_404(
        JournalAttachment.objects.select_related(
            "entry__request__requester", "entry__incident__requester"
        ),
        pk=pk,
    )
    if not permissions.can_download_attachment(request.user, attachment):
        raise PermissionDenied
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError, ValueError) as exc:
        raise Http404(_("The file of this attachment is missing.")) from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name or f"attachment-{attachment.pk}",
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
