"""Reads of requests: the agent's list and the request page (with its chain as a diagram)."""

from django.db.models import Prefetch, QuerySet

from crm.selectors import record_history
from tasks_app import chain

from ..mail.selectors import with_attachments
from . import answers
from .models import JournalEntry, RequestAttachment, ServiceRequest
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
        ServiceRequest.objects.select_related(
            "request_type", "requester", "created_by", "organisation"
        )
        .prefetch_related(
            chain.request_tasks_prefetch(),
            Prefetch(
                "journal",
                queryset=JournalEntry.objects.select_related(
                    "author", "author_client", "task"
                ).order_by("-created_at"),
            ),
        )
        .get(pk=pk)
    )


def request_page(*, pk: int) -> dict:
    request = request_detail(pk=pk)
    with_attachments(request.journal.all())
    return {
        "request_obj": request,
        "answers": answers.answer_rows(request),
        "attachments": list(
            RequestAttachment.objects.filter(request_id=request.pk)
            .select_related("uploaded_by")
            .order_by("created_at", "pk")
        ),
        "chain": chain.chain_columns(request),
        "history": request_history(request),
        "task_statuses": chain.TASK_STATUSES,
    }


def request_history(request: ServiceRequest) -> list:
    """The request's recorded changes; a change of its answers shows one row per answer, under
    its label."""
    return record_history(request, expand={"form_data": answers.answer_changes(request)})


def request_as_of(*, request: ServiceRequest, version) -> dict | None:
    """What the request said when it was saved at ``version`` (its ``updated_at`` then), from its
    history: the first row written at or after that instant. None when no row tells."""
    record = (
        request.history.filter(history_date__gte=version)
        .order_by("history_date", "history_id")
        .only("title", "description", "due_date", "requester_id", "form_data")
        .first()
    )
    if record is None:
        return None
    return {
        "title": record.title,
        "description": record.description,
        "due_date": record.due_date,
        "requester": record.requester_id,
        "form_data": record.form_data if isinstance(record.form_data, dict) else {},
    }


def request_for_edit(*, pk: int) -> ServiceRequest:
    return ServiceRequest.objects.select_related("requester", "request_type").get(pk=pk)
