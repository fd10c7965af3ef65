"""Write use-cases of clients: create one, give a portal account its client, and find or create
clients by e-mail in bulk for imports."""

from collections.abc import Mapping

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.bulk import chunks, full_row, insert_with_history
from crm.errors import DomainError, NotAllowed
from crm.models import User
from crm.permissions import require
from crm.validation import has_nul
from crm.workflow import save_recorded

from .filters import FILTERS
from .models import (
    TEXT_MAX_LENGTH,
    Call,
    Client,
    Contact,
    Favourite,
    Meeting,
    Note,
    Partner,
    ProgramEnrolment,
    RecentView,
    SAEFile,
    SavedFilter,
    ServiceRecord,
)
from .permissions import can_create_client, can_keep_own_items, require_add, require_change

# Addresses looked up per query.
LOOKUP_CHUNK = 5000
INSERT_CHUNK = 1000


def _clean_email(email: str | None) -> str | None:
    return (email or "").strip().lower() or None


@transaction.atomic
def client_create(*, by: User | None, **fields) -> Client:
    """A new client from ``fields`` (model field names), validated. ``by`` None is the system
    (an import); a person must be allowed to create clients."""
    if by is not None and not can_create_client(by):
        raise NotAllowed(_("You may not create clients."))
    client = Client(**fields)
    client.email = _clean_email(client.email)
    client.full_clean()
    save_recorded(client, by=by, reason="created")
    return client


def client_for_user(*, user: User) -> Client:
    """The client linked to a portal account. When there is none, an unlinked client with the
    account's e-mail address is linked to it; failing that, one is created from the account's
    names, e-mail and language."""
    client = Client.objects.filter(user=user).first()
    if client is not None:
        return client
    try:
        with transaction.atomic():
            return _link_or_create(user)
    except IntegrityError:
        # Two first visits of the same person at once: the other one linked or created it.
        return Client.objects.get(user=user)


# What a citizen changes about themselves on the portal's profile page.
PROFILE_FIELDS = (
    "first_name",
    "last_name",
    "phone",
    "street",
    "street_2",
    "city",
    "region",
    "postal_code",
    "country",
    "language",
)


@transaction.atomic
def client_profile_update(*, user: User, **fields) -> Client:
    """The account's own Client record, changed by its owner (names, phone, address, language);
    the account's names and language follow. Only ``PROFILE_FIELDS`` are accepted."""
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Not profile fields: {sorted(unknown)}")
    client = Client.objects.select_for_update().get(pk=client_for_user(user=user).pk)
    changed = [name for name, value in fields.items() if getattr(client, name) != value]
    if changed:
        for name in changed:
            setattr(client, name, fields[name])
        try:
            client.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            raise DomainError(" ".join(error.messages)) from error
        save_recorded(client, by=user, reason="edited", update_fields=[*changed, "updated_at"])
    account_fields = [
        name
        for name in ("first_name", "last_name", "language")
        if name in fields and getattr(user, name) != fields[name]
    ]
    if account_fields:
        for name in account_fields:
            setattr(user, name, fields[name])
        save_recorded(user, by=user, reason="edited", update_fields=account_fields)
    return client


def _link_or_create(user: User) -> Client:
    email = _clean_email(user.email)
    client = None
    if email:
        client = (
            Client.objects.select_for_update()
            .alias(email_lower=Lower("email"))
            .filter(email_lower=email, user__isnull=True)
            .first()
        )
    if client is None and email:
        # The address belongs to a client already linked to another account (an address changed
        # since): this account's client is made without it rather than breaking the uniqueness.
        taken = Client.objects.alias(email_lower=Lower("email")).filter(email_lower=email)
        if taken.exists():
            email = None
    if client is not None:
        client.user = user
        save_recorded(
            client, by=user, reason="portal_account_linked", update_fields=["user", "updated_at"]
        )
        return client
    client = Client(
        user=user,
        first_name=user.first_name[:TEXT_MAX_LENGTH],
        last_name=user.last_name[:TEXT_MAX_LENGTH],
        email=email,
        language=user.language,
    )
    client.full_clean(validate_unique=False, validate_constraints=False)
    save_recorded(client, by=user, reason="portal_account_linked")
    return client


def _split_name(full: str) -> tuple[str, str]:
    """``"Tremblay, Marie"`` and ``"Marie Tremblay"`` → ``("Marie", "Tremblay")``."""
    if "," in full:
        last, first = (part.strip() for part in full.split(",", 1))
    else:
        first, _sep, last = full.strip().partition(" ")
    return first.strip()[:TEXT_MAX_LENGTH], last.strip()[:TEXT_MAX_LENGTH]


def clients_by_email(emails) -> dict[str, int]:
    """``{lower-case e-mail: client id}`` of the clients having these addresses."""
    found: dict[str, int] = {}
    for chunk in chunks(sorted({e.strip().lower() for e in emails if e}), LOOKUP_CHUNK):
        rows = (
            Client.objects.alias(email_lower=Lower("email"))
            .filter(email_lower__in=chunk)
            .values_list("email", "pk")
        )
        found.update((email.lower(), pk) for email, pk in rows)
    return found


def clients_find_or_create_by_email(
    *, people: Mapping[str, str], by: User | None, reason: str = "imported"
) -> dict[str, int]:
    """``people`` maps e-mail addresses to full names; returns ``{lower-case e-mail: client
    id}``. Existing clients are found without case, the others are created in bulk (with their
    history rows), never one save per row. The caller holds the lock that keeps two
    imports from creating the same address at once."""
    wanted = {}
    for email, name in people.items():
        key = _clean_email(email)
        if key:
            wanted.setdefault(key, name or "")
    found = clients_by_email(wanted)
    missing = sorted(e for e in wanted if e not in found)
    now = timezone.now()
    for chunk in chunks(missing, INSERT_CHUNK):
        rows = []
        for email in chunk:
            first, last = _split_name(wanted[email])
            rows.append(
                full_row(Client, {"email": email, "first_name": first, "last_name": last}, now)
            )
        ids = insert_with_history(Client, rows, by=by, reason=reason)
        found.update(zip(chunk, ids, strict=True))
    return found


# --- CRM records and activities: one create and one update per type --------------------------
#
# Each takes model field names as keyword arguments, validates the whole record (field lengths,
# choices, the "exactly one client, contact or partner" and date checks, unique numbers) and
# saves it with its history. ``ValidationError`` carries the message of each field for the form.
# An update locks the row and writes only the fields it was given, so that two agents changing
# two different fields of one record at once both keep their change.


def _model_name(model) -> str:
    return model._meta.model_name


def _save_new(obj, *, by, m2m: Mapping | None = None):
    obj.full_clean()
    try:
        with transaction.atomic():
            save_recorded(obj, by=by, reason="created")
    except IntegrityError as exc:
        # A unique number taken meanwhile by another agent (the race the check above lost).
        raise _unique_error(obj) from exc
    for name, values in (m2m or {}).items():
        getattr(obj, name).set(values)
    return obj


def _unique_error(obj) -> ValidationError:
    try:
        obj.validate_unique()
        obj.validate_constraints()
    except ValidationError as exc:
        return exc
    return ValidationError(_("This record conflicts with another one saved meanwhile."))


def record_create(model, *, by: User | None, m2m: Mapping | None = None, **fields):
    """A new CRM record of ``model``. ``by`` None is the system (an import, the demo data)."""
    if by is not None:
        require_add(by, _model_name(model))
    obj = model(**fields)
    if by is not None and hasattr(obj, "created_by_id") and obj.created_by_id is None:
        obj.created_by = by
    return _save_new(obj, by=by, m2m=m2m)


def record_update(obj, *, by: User, reason: str = "edited", note: str = "", m2m=None, **fields):
    """Change ``fields`` of ``obj`` (a CRM record) and nothing else."""
    require_change(by, _model_name(type(obj)))
    with transaction.atomic():
        current = type(obj).objects.select_for_update().get(pk=obj.pk)
        for name, value in fields.items():
            setattr(current, name, value)
        current.full_clean()
        changed = list(fields)
        if any(f.name == "updated_at" for f in current._meta.fields):
            changed.append("updated_at")
        try:
            with transaction.atomic():
                save_recorded(current, by=by, reason=reason, note=note, update_fields=changed)
        except IntegrityError as exc:
            raise _unique_error(current) from exc
        for name, values in (m2m or {}).items():
            getattr(current, name).set(values)
    return current


def client_update(*, client: Client, by: User, **fields) -> Client:
    if "email" in fields:
        fields["email"] = _clean_email(fields["email"])
    return record_update(client, by=by, **fields)


def partner_create(*, by: User | None, **fields) -> Partner:
    return record_create(Partner, by=by, **fields)


def partner_update(*, partner: Partner, by: User, **fields) -> Partner:
    return record_update(partner, by=by, **fields)


def contact_create(*, by: User | None, **fields) -> Contact:
    return record_create(Contact, by=by, **fields)


def contact_update(*, contact: Contact, by: User, **fields) -> Contact:
    return record_update(contact, by=by, **fields)


def call_create(*, by: User | None, **fields) -> Call:
    return record_create(Call, by=by, **fields)


def call_update(*, call: Call, by: User, **fields) -> Call:
    """Also what the calendar calls when a call is dragged to another time."""
    return record_update(call, by=by, **fields)


def meeting_create(
    *, by: User | None, attendees=(), contacts_attending=(), clients_attending=(), **fields
) -> Meeting:
    m2m = {
        "attendees": attendees,
        "contacts_attending": contacts_attending,
        "clients_attending": clients_attending,
    }
    return record_create(Meeting, by=by, m2m=m2m, **fields)


MEETING_M2M = ("attendees", "contacts_attending", "clients_attending")


def meeting_update(*, meeting: Meeting, by: User, **fields) -> Meeting:
    """Also what the calendar calls when a meeting is dragged or resized."""
    m2m = {name: fields.pop(name) for name in MEETING_M2M if name in fields}
    return record_update(meeting, by=by, m2m=m2m, **fields)


def note_create(*, by: User | None, **fields) -> Note:
    return record_create(Note, by=by, **fields)


def note_update(*, note: Note, by: User, **fields) -> Note:
    return record_update(note, by=by, **fields)


def enrolment_create(*, by: User | None, **fields) -> ProgramEnrolment:
    return record_create(ProgramEnrolment, by=by, **fields)


def service_record_create(*, by: User | None, **fields) -> ServiceRecord:
    return record_create(ServiceRecord, by=by, **fields)


def sae_file_create(*, by: User | None, **fields) -> SAEFile:
    return record_create(SAEFile, by=by, **fields)


def sae_file_update(*, sae_file: SAEFile, by: User, **fields) -> SAEFile:
    return record_update(sae_file, by=by, **fields)


# --- Saved filters: a list's filter kept under a name by its owner ----------------------------

SAVED_NAME_MAX_LENGTH = 120
SAVED_QUERY_MAX_LENGTH = 2000


def saved_filter_query(list_name: str, query: str) -> str:
    """``query`` (a list's query string) with only the parameters of that list's filter and
    its sort, in a stable order, empty values dropped."""
    allowed = FILTERS[list_name].param_names()
    # Cut before parsing: a query far past the limit is refused anyway, unread.
    params = QueryDict(query[: SAVED_QUERY_MAX_LENGTH * 2])
    kept = QueryDict(mutable=True)
    for key in sorted(set(params) & allowed):
        values = [v.strip() for v in params.getlist(key) if v.strip()]
        if values:
            kept.setlist(key, values)
    return kept.urlencode()


@transaction.atomic
def saved_filter_save(*, list_name: str, name: str, query: str, by: User) -> SavedFilter:
    """Keep ``query`` (the list's current filter) under ``name`` for ``by``. ``ValidationError``
    at the field: no name, a name too long or already used on that list, a filter too long
    or holding a character that is not allowed."""
    require(can_keep_own_items(by), _("You may not save filters."))
    if list_name not in FILTERS:
        raise ValidationError({"list_name": _("This list does not exist.")})
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Give the filter a name.")})
    if has_nul(name) or has_nul(query or ""):
        raise ValidationError({"name": _("The text contains a character that is not allowed.")})
    if len(name) > SAVED_NAME_MAX_LENGTH:
        raise ValidationError(
            {
                "name": _("The name is too long (%(max)d characters at most).")
                % {"max": SAVED_NAME_MAX_LENGTH}
            }
        )
    query = saved_filter_query(list_name, query or "")
    if len(query) > SAVED_QUERY_MAX_LENGTH:
        raise ValidationError({"query": _("This filter is too long to be saved.")})
    taken = _("You already have a filter with this name.")
    if SavedFilter.objects.filter(user=by, list_name=list_name, name__iexact=name).exists():
        raise ValidationError({"name": taken})
    saved = SavedFilter(user=by, list_name=list_name, name=name, query=query)
    try:
        with transaction.atomic():
            saved.save()
    except IntegrityError as exc:
        # The same name saved meanwhile (a double click).
        raise ValidationError({"name": taken}) from exc
    return saved


@transaction.atomic
def saved_filter_delete(*, saved_filter: SavedFilter, by: User) -> None:
    """Only its owner deletes a saved filter."""
    require(
        can_keep_own_items(by) and saved_filter.user_id == by.pk,
        _("You may not delete this filter."),
    )
    saved_filter.delete()


# --- The agent's own things: favourites and recently viewed records --------------------------


def _content_type_and_label(obj):
    return ContentType.objects.get_for_model(obj), str(obj)[:TEXT_MAX_LENGTH]


def favourite_toggle(*, user: User, obj) -> bool:
    """Star ``obj`` for ``user``, or remove the star it has; True when it is now starred. The
    caller checks that ``user`` may see ``obj`` (``contacts.favourites``)."""
    if not can_keep_own_items(user):
        raise NotAllowed(_("You may not keep favourites."))
    content_type, label = _content_type_and_label(obj)
    with transaction.atomic():
        removed, _detail = Favourite.objects.filter(
            user=user, content_type=content_type, object_id=obj.pk
        ).delete()
        if removed:
            return False
        # A double click posts twice at once: the second insert finds the first one's row.
        Favourite.objects.bulk_create(
            [
                Favourite(
                    user=user,
                    content_type=content_type,
                    object_id=obj.pk,
                    label=label,
                    url=obj.get_absolute_url()[:TEXT_MAX_LENGTH],
                )
            ],
            ignore_conflicts=True,
        )
    return True


def record_viewed(*, user: User, obj) -> None:
    """``user`` opened ``obj``'s page: it becomes their most recent record, and only the
    ``RecentView.KEEP`` most recent are kept. Two queries, however many were kept."""
    if not can_keep_own_items(user):
        return
    content_type, label = _content_type_and_label(obj)
    with transaction.atomic():
        RecentView.objects.bulk_create(
            [
                RecentView(
                    user=user,
                    content_type=content_type,
                    object_id=obj.pk,
                    label=label,
                    url=obj.get_absolute_url()[:TEXT_MAX_LENGTH],
                    viewed_at=timezone.now(),
                )
            ],
            update_conflicts=True,
            unique_fields=["user", "content_type", "object_id"],
            update_fields=["label", "url", "viewed_at"],
        )
        older = (
            RecentView.objects.filter(user=user)
            .order_by("-viewed_at", "-pk")
            .values("pk")[RecentView.KEEP :]
        )
        RecentView.objects.filter(pk__in=older).delete()
