"""Reads of requests: the agent's list and the request page (with its chain as a diagram)."""

from django.db.models import Prefetch, QuerySet

from crm.selectors import record_history
from tasks_app import chain

from .models import JournalEntry, ServiceRequest
from .search import request_search


def request_list(*, status: str | None = None, q: str = "") -> QuerySet:
    queryset = ServiceRequest.objects.select_related("request_type", "requester").annotate(
        open_tasks=chain.open_tasks_count()
    )
    if status:
        queryset = queryset.filter(status=status)
    queryset = request_search(queryset, q)
    return queryset.order_by("-created_at", "-pk")


def request_detail(*, pk: int) -> ServiceRequest:
    return (
        ServiceRequest.objects.select_related("request_type", "requester", "created_by")
        .prefetch_related(
            chain.request_tasks_prefetch(),
            Prefetch(
                "journal",
                queryset=JournalEntry.objects.select_related("author", "task").order_by(
                    "-created_at"
                ),
            ),
        )
        .get(pk=pk)
    )


def request_page(*, pk: int) -> dict:
    request = request_detail(pk=pk)
    return {
        "request_obj": request,
        "chain": chain.chain_columns(request),
        "history": record_history(request),
        "task_statuses": chain.TASK_STATUSES,
    }
