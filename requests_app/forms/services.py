"""Write use-cases of the form factory: publish a version, keep a draft, store a file, file the
request (once, whatever the retries), and the filing without an account (confirm the e-mail,
then file)."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from contacts.models import Client, Partner
from contacts.services import client_create
from crm.errors import DomainError
from crm.models import User
from crm.permissions import require

from ..catalogue.models import RequestType
from ..requests.models import ServiceRequest
from ..requests.services import request_create
from . import engine, permissions
from .models import (
    FormDefinition,
    FormDocument,
    FormDraft,
    FormField,
    FormStep,
    FormSubmission,
    FormVersion,
)
from .tasks import form_confirmation_mail_send

TOKEN_LENGTH = 32


@transaction.atomic
def form_publish(*, form: FormDefinition, by: User | None) -> FormVersion:
    """Freeze the form as it stands into a new version, which new fillings use. Requests and
    drafts keep the version they were started with."""
    if by is not None:
        require(permissions.can_publish_form(by), _("You may not publish forms."))
    form = FormDefinition.objects.select_for_update().get(pk=form.pk)
    snapshot = engine.snapshot_of(form)
    problems = engine.snapshot_problems(snapshot)
    if problems:
        raise DomainError(" ".join(problems))
    last = form.versions.order_by("-number").first()
    if last is not None and last.snapshot == snapshot:
        raise DomainError(_("Nothing changed since version %(number)s.") % {"number": last.number})
    return FormVersion.objects.create(
        form=form,
        number=(last.number + 1) if last else 1,
        snapshot=snapshot,
        published_by=by,
    )


@transaction.atomic
def draft_save(
    *,
    client: Client,
    request_type: RequestType,
    version: FormVersion,
    data: dict,
    reached: int,
) -> FormDraft:
    """Keep what the person typed so far (one draft per person and request type)."""
    draft, _created = FormDraft.objects.select_for_update().get_or_create(
        client=client, request_type=request_type, defaults={"version": version}
    )
    draft.version = version
    draft.data = data
    draft.reached = max(1, min(reached, len(version.snapshot["steps"])))
    draft.save()
    return draft


@transaction.atomic
def draft_discard(*, draft: FormDraft, by: User) -> None:
    require(permissions.can_use_draft(by, draft), _("This draft is not yours."))
    FormDocument.objects.filter(client=draft.client_id, request__isnull=True).filter(
        pk__in=engine_document_ids(draft.data)
    ).delete()
    draft.delete()


def engine_document_ids(data: dict) -> list[int]:
    ids = []
    for value in (data or {}).values():
        if isinstance(value, dict) and isinstance(value.get("document"), int):
            ids.append(value["document"])
    return ids


def document_store(*, upload, field_key: str, client: Client | None) -> FormDocument:
    """Keep a file given in a file field (already checked by the field: size and content)."""
    sniffed = getattr(upload, "sniffed", None)
    name = (upload.name or "document").replace("\\", "/").rsplit("/", 1)[-1][:255]
    document = FormDocument(
        client=client,
        field_key=field_key,
        original_name=name,
        content_type=sniffed.content_type if sniffed else "application/octet-stream",
        size=upload.size,
    )
    document.file.save(name, upload, save=False)
    document.save()
    return document


def request_title(request_type: RequestType, requester: Client) -> str:
    name = " ".join(p for p in (requester.first_name, requester.last_name) if p).strip()
    title = request_type.name_fr or request_type.name
    return f"{title} — {name}" if name else title


def _check_complete(version: FormVersion, data: dict) -> dict:
    answers = engine.visible_data(version.snapshot, data)
    missing = engine.missing_required(version.snapshot, answers)
    if missing:
        raise DomainError(
            _("Step %(number)s is not complete: go back to it.") % {"number": missing[0]}
        )
    return answers


def form_submit(
    *,
    token: str,
    version: FormVersion,
    data: dict,
    requester: Client,
    by: User | None,
    channel: str = ServiceRequest.Channel.PORTAL,
    organisation: Partner | None = None,
) -> tuple[ServiceRequest, bool]:
    """File the request made of ``data`` (its shown answers only) through ``request_create``, so
    its chain starts; for ``organisation`` when given (its member files it). ``token`` makes it
    idempotent: a second call with the same token returns the first call's request and
    ``False``; the first returns ``True``. The draft is removed and the files given are attached
    to the request."""
    if not token or len(token) > TOKEN_LENGTH:
        raise DomainError(_("The form is out of date: open it again."))
    # No look-up of the token first: its unique row, inserted first, is the look-up (a token
    # already filed fails the insert and the first filing's request is returned below), and the
    # lock that makes a double click wait for the first click's transaction.
    request_type = version.form.request_type
    answers = _check_complete(version, data)
    try:
        with transaction.atomic():
            submission = FormSubmission.objects.create(token=token, version=version, data={})
            request = request_create(
                requester=requester,
                request_type=request_type,
                title=request_title(request_type, requester),
                by=by,
                channel=channel,
                form_data=answers,
                organisation=organisation,
            )
            submission.request = request
            submission.confirmed_at = timezone.now()
            submission.save(update_fields=["request", "confirmed_at"])
            _attach_documents(request, answers, client=requester)
            FormDraft.objects.filter(client=requester, request_type=request_type).delete()
    except IntegrityError:
        # The same token filed at the same instant (a double click): the other one won.
        existing = _submitted(token)
        if existing is None:
            raise
        return _same_requester(existing, requester), False
    return request, True


def _submitted(token: str) -> ServiceRequest | None:
    submission = (
        FormSubmission.objects.select_related("request").filter(token=token).only("request").first()
    )
    return submission.request if submission is not None else None


def _same_requester(request: ServiceRequest | None, requester: Client) -> ServiceRequest:
    if request is None or request.requester_id != requester.pk:
        raise DomainError(_("The form is out of date: open it again."))
    return request


def _attach_documents(request: ServiceRequest, answers: dict, *, client: Client | None) -> None:
    ids = engine_document_ids(answers)
    if not ids:
        return
    documents = FormDocument.objects.filter(pk__in=ids, request__isnull=True)
    documents = documents.filter(client=client) if client is not None else documents
    documents.update(request=request, client=request.requester)


# --- without an account ------------------------------------------------------------------------


@transaction.atomic
def anonymous_submission_create(
    *, token: str, version: FormVersion, data: dict, email: str, language: str, base_url: str
) -> tuple[FormSubmission, bool]:
    """Keep a filing made without an account until the e-mail address is confirmed; returns it
    and whether it is new (a retried POST does not send a second mail)."""
    if not version.form.allows_anonymous:
        raise DomainError(_("This form may only be filed with an account."))
    if not token or len(token) > TOKEN_LENGTH:
        raise DomainError(_("The form is out of date: open it again."))
    answers = _check_complete(version, data)
    submission, created = FormSubmission.objects.get_or_create(
        token=token,
        defaults={
            "version": version,
            "data": answers,
            "email": email.strip().lower(),
            "language": language,
        },
    )
    if created:
        transaction.on_commit(lambda: form_confirmation_mail_send.delay(submission.pk, base_url))
    return submission, created


@transaction.atomic
def anonymous_submission_confirm(*, submission: FormSubmission) -> ServiceRequest:
    """The e-mail address is confirmed (the signed link was opened): the request is filed for the
    client with this address (found, or created), once, however often the link is used."""
    submission = (
        FormSubmission.objects.select_for_update(of=("self",))
        .select_related("version__form__request_type", "request")
        .get(pk=submission.pk)
    )
    if submission.request is not None:
        return submission.request
    requester = (
        Client.objects.alias(email_lower=Lower("email"))
        .filter(email_lower=submission.email)
        .order_by("pk")
        .first()
    )
    if requester is None:
        requester = client_create(
            by=None,
            email=submission.email,
            language=submission.language or "fr",
            **_names_from(submission),
        )
    request_type = submission.version.form.request_type
    request = request_create(
        requester=requester,
        request_type=request_type,
        title=request_title(request_type, requester),
        by=None,
        channel=ServiceRequest.Channel.PORTAL,
        form_data=submission.data,
    )
    submission.request = request
    submission.confirmed_at = timezone.now()
    submission.save(update_fields=["request", "confirmed_at"])
    _attach_documents(request, submission.data, client=None)
    return request


def _names_from(submission: FormSubmission) -> dict:
    """The first and last names the person typed, when the form asked for them."""
    names = {}
    by_key = engine.fields_by_key(submission.version.snapshot)
    for key, value in submission.data.items():
        spec = by_key.get(key)
        if spec and spec.get("prefill") in ("first_name", "last_name") and isinstance(value, str):
            names[spec["prefill"]] = value[:255]
    return names


# --- loading a form from a description (demo data, tests) ----------------------------------------


@transaction.atomic
def form_load(*, data: dict, by: User | None = None, publish: bool = True) -> FormDefinition:
    """Create or replace the form of the request type ``data["request_type"]`` (its code) from a
    description (see requests_app/forms/demo_forms.json), then publish it when it changed.
    Versions already published keep their snapshot: requests filed with them read as before.

    The description's unsuffixed texts are French (``title``, ``title_en``): they are written in
    the default language whatever language is active, since a translated field written by its
    plain name goes to the active language's column."""
    with translation.override(settings.LANGUAGE_CODE):
        return _form_load(data=data, by=by, publish=publish)


def _form_load(*, data: dict, by: User | None, publish: bool) -> FormDefinition:
    request_type = RequestType.objects.get(code=data["request_type"].upper())
    form, _created = FormDefinition.objects.get_or_create(request_type=request_type)
    for name in ("intro", "intro_en"):
        setattr(form, name, data.get(name, ""))
    form.allows_anonymous = bool(data.get("allows_anonymous", False))
    form.prefill_from_last_request = bool(data.get("prefill_from_last_request", True))
    form.full_clean()
    form.save()
    form.fields.all().delete()
    form.steps.all().delete()
    fields: dict[str, FormField] = {}
    conditions: list[tuple[FormStep | FormField, dict]] = []
    position = 0
    for step_position, step_data in enumerate(data["steps"], start=1):
        step = FormStep.objects.create(
            form=form,
            position=step_position,
            title=step_data["title"],
            title_en=step_data.get("title_en", ""),
            help_text=step_data.get("help", ""),
            help_text_en=step_data.get("help_en", ""),
        )
        if step_data.get("condition"):
            conditions.append((step, step_data["condition"]))
        for field_data in step_data["fields"]:
            position += 1
            item = FormField(
                form=form,
                step=step,
                position=position,
                key=field_data["key"],
                kind=field_data["kind"],
                label=field_data["label"],
                label_en=field_data.get("label_en", ""),
                help_text=field_data.get("help", ""),
                help_text_en=field_data.get("help_en", ""),
                required=bool(field_data.get("required", False)),
                choices=field_data.get("choices", ""),
                choices_en=field_data.get("choices_en", ""),
                pattern=field_data.get("pattern", ""),
                pattern_message=field_data.get("pattern_message", ""),
                pattern_message_en=field_data.get("pattern_message_en", ""),
                min_value=field_data.get("min"),
                max_value=field_data.get("max"),
                file_types=field_data.get("file_types", ""),
                max_file_size_kb=field_data.get("max_size_kb"),
                prefill=field_data.get("prefill", ""),
            )
            item.full_clean(exclude=["form", "step"])
            item.save()
            fields[item.key] = item
            if field_data.get("condition"):
                conditions.append((item, field_data["condition"]))
    for target, condition in conditions:
        target.condition_field = fields[condition["field"]]
        target.condition_value = str(condition["value"])
        target.full_clean()
        target.save(update_fields=["condition_field", "condition_value"])
    last = form.versions.order_by("-number").first()
    if publish and (last is None or last.snapshot != engine.snapshot_of(form)):
        form_publish(form=form, by=by)
    return form
