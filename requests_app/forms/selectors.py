"""Reads of the form factory: the version people fill, their drafts, what "tell us once" knows
of them, and what a filed request's answers were asked with."""

from datetime import date

from django.db.models import Max
from django.db.models.functions import Lower

from contacts.models import Client, Contact, Partner
from crm.config_cache import kept

from ..catalogue.models import RequestType
from ..catalogue.selectors import published_types
from ..requests.models import ServiceRequest
from . import engine
from .models import FieldKind, FormDraft, FormSubmission, FormVersion, Prefill


def request_type_by_slug(slug: str) -> RequestType | None:
    """The e-service a portal URL names: active and published on the portal (the catalogue's
    ``published_types``)."""
    if not slug or len(slug) > 64:
        return None
    return _published_type(slug)


@kept
def _published_type(slug: str) -> RequestType | None:
    return published_types().filter(slug=slug).first()


def slug_of(request_type: RequestType) -> str:
    return request_type.slug


def published_version(request_type: RequestType) -> FormVersion | None:
    """The latest published version of the type's form (None: the type has no form yet)."""
    return _published_version(request_type.pk)


@kept
def _published_version(request_type_id: int) -> FormVersion | None:
    return (
        FormVersion.objects.filter(form__request_type_id=request_type_id)
        .select_related("form__request_type")
        .order_by("-number")
        .first()
    )


def draft_for(*, client: Client, request_type: RequestType) -> FormDraft | None:
    """The person's draft of the type, with its version (kept in the process: a published
    version never changes)."""
    draft = next(
        iter(FormDraft.objects.filter(client=client, request_type=request_type).order_by()[:1]),
        None,
    )
    if draft is None:
        return None
    draft.client = client
    draft.request_type = request_type
    draft.version = form_version(draft.version_id)
    return draft


@kept
def form_version(pk: int) -> FormVersion | None:
    """A version by its id (None: there is none), kept in the process: a published version
    never changes."""
    return FormVersion.objects.select_related("form__request_type").filter(pk=pk).first()


def drafts_of(*, client: Client) -> list[FormDraft]:
    """The person's drafts, newest first, for "my requests"."""
    return list(
        FormDraft.objects.filter(client=client)
        .select_related("request_type")
        .order_by("-updated_at")[:50]
    )


def organisation_of(client: Client) -> Partner | None:
    """The organisation the person acts for: the one their portal account is a member of (of
    several, the one whose contact has their e-mail, else the first by name); without a
    membership, the partner of the contact with their e-mail."""
    members_of = (
        list(Partner.objects.filter(members__user_id=client.user_id).order_by("name", "pk"))
        if client.user_id
        else []
    )
    if len(members_of) == 1:
        return members_of[0]
    contact = None
    if client.email:
        contacts = Contact.objects.alias(email_lower=Lower("email")).filter(
            email_lower=client.email.lower()
        )
        if members_of:
            contacts = contacts.filter(partner__in=members_of)
        contact = contacts.select_related("partner").order_by("pk").first()
    if contact is not None:
        return contact.partner
    return members_of[0] if members_of else None


ADDRESS_SOURCES = frozenset({Prefill.ADDRESS, Prefill.ORGANISATION_ADDRESS})


def _address(street: str, postal_code: str, city: str) -> dict:
    return {"street": street or "", "postal_code": postal_code or "", "city": city or ""}


def prefill(*, snapshot: dict, client: Client, request_type: RequestType) -> dict:
    """ "Tell us once": the answers known before the person types anything. The fields named
    after the person's profile or organisation take them from there; the others take the
    answer the person gave the last time they filed this type (files and consents apart)."""
    organisation = None
    needs_organisation = any(
        spec.get("prefill") in (Prefill.ORGANISATION, Prefill.ORGANISATION_ADDRESS)
        for spec in engine.all_fields(snapshot)
    )
    if needs_organisation:
        organisation = organisation_of(client)
    profile = {
        Prefill.FIRST_NAME: client.first_name,
        Prefill.LAST_NAME: client.last_name,
        Prefill.FULL_NAME: " ".join(p for p in (client.first_name, client.last_name) if p),
        Prefill.EMAIL: client.email or "",
        Prefill.PHONE: client.phone,
        Prefill.ADDRESS: _address(client.street, client.postal_code, client.city),
        Prefill.ORGANISATION: organisation.name if organisation else "",
        Prefill.ORGANISATION_ADDRESS: (
            _address(organisation.street, organisation.postal_code, organisation.city)
            if organisation
            else {}
        ),
    }
    last = {}
    definition_wants_last = snapshot.get("prefill_from_last_request", True)
    if definition_wants_last:
        previous = (
            ServiceRequest.objects.filter(requester=client, request_type=request_type)
            .exclude(status=ServiceRequest.Status.CANCELLED)
            .order_by("-created_at", "-pk")
            .only("form_data")
            .first()
        )
        if previous is not None and isinstance(previous.form_data, dict):
            last = previous.form_data
    data = {}
    for spec in engine.all_fields(snapshot):
        key, source = spec["key"], spec.get("prefill") or ""
        is_address = spec["kind"] == FieldKind.ADDRESS
        if source and (source in ADDRESS_SOURCES) != is_address:
            source = ""  # an address fills an address field only, and only an address does
        if source and not engine.is_empty(profile.get(source)):
            data[key] = profile[source]
        elif (
            key in last
            and spec["kind"] not in (FieldKind.FILE, FieldKind.CONSENT)
            and _fits(spec, last[key])
        ):
            data[key] = last[key]
    return data


def _fits(spec: dict, value) -> bool:
    """Whether an old answer is still a valid answer (a choice may have been removed)."""
    values = {c["value"] for c in spec.get("choices") or []}
    if spec["kind"] == FieldKind.SINGLE_CHOICE:
        return value in values
    if spec["kind"] == FieldKind.MULTIPLE_CHOICE:
        return isinstance(value, list) and all(v in values for v in value)
    if spec["kind"] == FieldKind.ADDRESS:
        return isinstance(value, dict)
    return isinstance(value, str | int | float | bool)


def version_of_request(request: ServiceRequest) -> FormVersion | None:
    """The form version the request was filled with (None: filed without a form)."""
    submission = (
        FormSubmission.objects.filter(request_id=request.pk).select_related("version").first()
    )
    return submission.version if submission is not None else None


def expected_date(request: ServiceRequest) -> date | None:
    """When the request should be done: its due date, else the latest due date of its chain's
    tasks (counted on its type's calendar when the chain was made)."""
    if request.due_date:
        return request.due_date
    return request.tasks.aggregate(latest=Max("due_date"))["latest"]


def submission_of(pk: int) -> FormSubmission | None:
    return (
        FormSubmission.objects.select_related("version__form__request_type", "request")
        .filter(pk=pk)
        .first()
    )


def followed_request(pk: int) -> ServiceRequest | None:
    return (
        ServiceRequest.objects.select_related("request_type")
        .filter(pk=pk, form_submission__isnull=False)
        .first()
    )


def submission_by_token(token: str) -> FormSubmission | None:
    return (
        FormSubmission.objects.select_related("request", "version__form")
        .filter(token=token)
        .first()
        if token
        else None
    )
