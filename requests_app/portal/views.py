from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from contacts.services import client_for_user

from ..requests.models import ServiceRequest
from . import selectors


@login_required
@require_GET
def my_requests(request):
    """What is filed for the client of the account: requests and help requests."""
    client = client_for_user(user=request.user)
    context = {
        "requests": selectors.client_requests(client=client),
        "incidents": selectors.client_incidents(client=client),
    }
    return render(request, "portal/my_requests.html", context)


@login_required
@require_GET
def my_request_detail(request, pk: int):
    client = client_for_user(user=request.user)
    try:
        context = selectors.client_request_page(client=client, pk=pk)
    except ServiceRequest.DoesNotExist as exc:
        # Another person's request answers as if it did not exist.
        raise Http404 from exc
    return render(request, "portal/my_request_detail.html", context)
