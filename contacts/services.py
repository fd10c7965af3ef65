"""Write use-cases of clients: create one, give a portal account its client, and find or create
clients by e-mail in bulk for imports."""

from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.bulk import chunks, full_row, insert_with_history
from crm.errors import NotAllowed
from crm.models import User
from crm.workflow import save_recorded

from .models import TEXT_MAX_LENGTH, Client
from .permissions import can_create_client

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
