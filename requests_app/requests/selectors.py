"""Reads of requests: the agent's list and the request page (with its chain as a diagram)."""

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from crm.selectors import record_history
from tasks_app.dag import depths
from tasks_app.models import Task, TaskTemplate

from .models import JournalEntry, ServiceRequest


def request_list(*, status: str | None = None, q: str = "") -> QuerySet:
    # Counted per request shown, by a subquery on the task index. A COUNT over a join grouped
    # every request with its tasks before the newest 50 could be kept (16 s at 1M requests).
    open_tasks = (
        Task.objects.filter(request=OuterRef("pk"))
        .not_done()
        .order_by()
        .values("request")
        .annotate(n=Count("pk"))
        .values("n")
    )
    queryset = ServiceRequest.objects.select_related("request_type", "requester").annotate(
        open_tasks=Coalesce(Subquery(open_tasks, output_field=IntegerField()), 0)
    )
    if status:
        queryset = queryset.filter(status=status)
    q = q.strip()
    if q:
        digits = q.upper().removeprefix("REQ").lstrip("0")
        if digits.isdigit():
            queryset = queryset.filter(pk=int(digits))
        else:
            queryset = queryset.filter(
                Q(title__icontains=q)
                | Q(requester__email__icontains=q)
                | Q(external_key__icontains=q)
            )
    return queryset.order_by("-created_at", "-pk")


def request_detail(*, pk: int) -> ServiceRequest:
    return (
        ServiceRequest.objects.select_related("request_type", "requester", "created_by")
        .prefetch_related(
            Prefetch(
                "tasks",
                queryset=Task.objects.select_related("assignment_group", "assignee", "template")
                .prefetch_related(
                    Prefetch("template__prerequisites", queryset=TaskTemplate.objects.only("pk"))
                )
                .order_by("template__sequence", "pk"),
            ),
            Prefetch(
                "journal",
                queryset=JournalEntry.objects.select_related("author", "task").order_by(
                    "-created_at"
                ),
            ),
        )
        .get(pk=pk)
    )


def request_chain(request: ServiceRequest) -> list[list[dict]]:
    """The request's tasks as columns for drawing: service tasks placed by the depth of their
    step in the chain, each with its support tasks. Uses the prefetched tasks only."""
    tasks = list(request.tasks.all())
    service = [t for t in tasks if t.kind == Task.Kind.SERVICE]
    support_of: dict[int, list[Task]] = {}
    for task in tasks:
        if task.parent_id:
            support_of.setdefault(task.parent_id, []).append(task)
    edges = {
        t.template_id: [p.pk for p in t.template.prerequisites.all()]
        for t in service
        if t.template_id
    }
    depth_of = depths(edges)
    by_sequence = {t.template_id: t for t in service if t.template_id}
    columns: dict[int, list[dict]] = {}
    for task in service:
        depth = depth_of.get(task.template_id, 0)
        waits_for = [by_sequence[p] for p in edges.get(task.template_id, []) if p in by_sequence]
        columns.setdefault(depth, []).append(
            {"task": task, "waits_for": waits_for, "support": support_of.get(task.pk, [])}
        )
    return [columns[d] for d in sorted(columns)]


def request_page(*, pk: int) -> dict:
    request = request_detail(pk=pk)
    return {
        "request_obj": request,
        "chain": request_chain(request),
        "history": record_history(request),
        "task_statuses": Task.Status.choices,
    }
