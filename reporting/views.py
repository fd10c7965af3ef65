"""The agent's home: what waits for them, composed from each app's selectors."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from crm import selectors as crm_selectors
from crm.permissions import backoffice_required
from requests_app.incidents import selectors as incident_selectors
from tasks_app import selectors as task_selectors


@backoffice_required
@require_safe
def agent_home(request):
    user = request.user
    context = {
        "groups": crm_selectors.assignment_groups_of(user=user),
        "notifications": crm_selectors.notification_list(user=user, unread_only=True, limit=10),
        "counts": {
            **task_selectors.task_counts_for(user=user),
            **incident_selectors.incident_counts_for(user=user),
        },
    }
    return render(request, "agent/home.html", context)
