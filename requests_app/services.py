"""Write use-cases of requests: create (with its chain of tasks), cancel, close, reopen, and
the journal of work notes and comments."""

from datetime import date

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.errors import DomainError, NotAllowed
from crm.models import User
from crm.services import notification_send
from crm.workflow import save_recorded, transition
from tasks_app import services as task_services
from tasks_app.models import Task, TaskTemplate

from .models import JournalEntry, Request, RequestType


def chain_templates_of(request_type: RequestType) -> list[TaskTemplate]:
    if request_type.chain_template_id is None:
        return []
    return list(
        TaskTemplate.objects.filter(chain_id=request_type.chain_template_id)
        .prefetch_related(Prefetch("prerequisites", queryset=TaskTemplate.objects.only("pk")))
        .order_by("sequence")
    )


@transaction.atomic
def request_create(
    *,
    requester: User,
    request_type: RequestType,
    title: str,
    by: User | None = None,
    channel: str = Request.Channel.PORTAL,
    description: str = "",
    form_data: dict | None = None,
    due_date: date | None = None,
    external_key: str | None = None,
    submit: bool = True,
) -> Request:
    """File a request and give it one task per step of its type's chain.

    Steps that wait for nothing open at once (their groups are notified); the others wait.
    A draft (``submit=False``) gets its tasks when it is submitted.
    """
    if not request_type.active:
        raise DomainError(_("This request type is no longer offered."))
    request = Request(
        requester=requester,
        created_by=by if by is not None and by != requester else None,
        channel=channel,
        request_type=request_type,
        title=title.strip(),
        description=description,
        form_data=form_data or {},
        due_date=due_date,
        external_key=external_key,
    )
    request.full_clean()
    request._history_user = by or requester
    request.save()
    if submit:
        request = request_submit(request=request, by=by or requester)
    return request


@transaction.atomic
def request_submit(*, request: Request, by: User) -> Request:
    request = Request.objects.select_for_update().select_related("request_type").get(pk=request.pk)
    transition(request, "submit")
    save_recorded(request, by=by, reason="submitted")
    tasks = task_services.tasks_instantiate(
        request=request,
        templates=chain_templates_of(request.request_type),
        start=timezone.localdate(),
        by=by,
    )
    task_services._notify_opened([t for t in tasks if t.status == Task.Status.OPEN])
    return request


@transaction.atomic
def request_cancel(*, request: Request, by: User, reason: str = "") -> Request:
    """Cancel the request and every task of it that is not done yet."""
    if not by.has_perm("crm.access_backoffice") and by.pk != request.requester_id:
        raise NotAllowed(_("You may not cancel this request."))
    request = Request.objects.select_for_update().get(pk=request.pk)
    now = timezone.now()
    transition(request, "cancel", when=now)
    save_recorded(request, by=by, reason=reason or "cancelled")
    for task in Task.objects.select_for_update().filter(request=request).not_done():
        task.cancel(when=now)
        save_recorded(task, by=by, reason="request cancelled")
    if reason:
        JournalEntry.objects.create(
            request=request, kind=JournalEntry.Kind.COMMENT, author=by, body=reason
        )
    return request


@transaction.atomic
def request_close(*, request: Request, by: User) -> Request:
    request = Request.objects.select_for_update().get(pk=request.pk)
    transition(request, "close", when=timezone.now())
    save_recorded(request, by=by, reason="closed")
    return request


@transaction.atomic
def request_reopen(*, request: Request, by: User, reason: str) -> Request:
    """Reopen a resolved request (e.g. the requester says it is not done); a reason is kept."""
    if not reason.strip():
        raise DomainError(_("Say why the request is reopened."))
    request = Request.objects.select_for_update().get(pk=request.pk)
    transition(request, "reopen")
    save_recorded(request, by=by, reason="reopened")
    JournalEntry.objects.create(
        request=request, kind=JournalEntry.Kind.WORK_NOTE, author=by, body=reason.strip()
    )
    return request


@transaction.atomic
def journal_add(
    *, by: User, kind: str, body: str, request: Request | None = None, task: Task | None = None
) -> JournalEntry:
    """Add a work note (agents only, never shown to the requester) or a comment (shown to the
    requester, who is notified) to a request or one of its tasks."""
    body = (body or "").strip()
    if not body:
        raise DomainError(_("The text is empty."))
    if kind not in JournalEntry.Kind.values:
        raise DomainError(_("Unknown kind of journal entry."))
    if task is not None:
        request = task.request
    if request is None:
        raise DomainError(_("A journal entry belongs to a request or a task."))
    is_agent = by.has_perm("crm.access_backoffice")
    if not is_agent and (kind != JournalEntry.Kind.COMMENT or by.pk != request.requester_id):
        raise NotAllowed(_("You may not write in this journal."))
    entry = JournalEntry.objects.create(request=request, task=task, kind=kind, author=by, body=body)
    if kind == JournalEntry.Kind.COMMENT and is_agent and request.requester_id != by.pk:
        notification_send(
            recipient=request.requester,
            title=_("New message on your request %(number)s") % {"number": request.number},
            body=body,
            url="",
        )
    return entry


@transaction.atomic
def catalogue_load(*, data: dict) -> list[RequestType]:
    """Create or update a theme, a chain template with its steps and the request types that use
    it, from a description keyed by natural keys (names, sequences, codes). Running it twice
    changes nothing."""
    from crm.models import AssignmentGroup
    from tasks_app.models import ChainTemplate

    from .models import Theme

    groups = {g.name: g for g in AssignmentGroup.objects.all()}

    def group(name):
        if name not in groups:
            raise DomainError(_("Unknown assignment group: %(name)s") % {"name": name})
        return groups[name]

    theme_data = dict(data["theme"])
    theme, _created = Theme.objects.update_or_create(
        name=theme_data.pop("name"), defaults=theme_data
    )
    chain_data = dict(data["chain"])
    steps = chain_data.pop("steps")
    chain, _created = ChainTemplate.objects.update_or_create(
        name=chain_data.pop("name"), defaults=chain_data
    )
    by_sequence = {}
    for step in steps:
        fields = {k: v for k, v in step.items() if k not in ("sequence", "group", "prerequisites")}
        fields["assignment_group"] = group(step["group"])
        template, _created = TaskTemplate.objects.update_or_create(
            chain=chain, sequence=step["sequence"], defaults=fields
        )
        by_sequence[step["sequence"]] = template
    for step in steps:
        by_sequence[step["sequence"]].prerequisites.set(
            [by_sequence[s] for s in step["prerequisites"]]
        )
    types = []
    for item in data["request_types"]:
        fields = {k: v for k, v in item.items() if k not in ("code", "default_group")}
        fields.update(
            theme=theme, chain_template=chain, default_assignment_group=group(item["default_group"])
        )
        request_type, _created = RequestType.objects.update_or_create(
            code=item["code"].upper(), defaults=fields
        )
        types.append(request_type)
    return types
