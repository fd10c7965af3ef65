"""The global search of the back office's shell: clients, partners, contacts, requests and
incidents found by name, e-mail, phone or number ("REQ0000123", "INC42"), grouped by kind.

It composes each app's own search (the layer above them all may: see .importlinter), each kind
a query with a LIMIT on its trigram indexes, so that the answer costs the same number of
queries whatever the number of rows matched (8: the clients found, read once for the clients,
the requests and the incidents; the clients, the partners and the contacts, each a query for
the ids found and one for the rows; the requests; the incidents).

A kind that finds more than a few hundred rows (a common surname) shows its newest, sorted:
the first in name order would need every match sorted first (30,000 "Tremblay"); its list,
linked, sorts them all."""

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from contacts import selectors as contact_selectors
from contacts.permissions import can_view_crm
from contacts.records import RECORD_TYPES
from contacts.search import requester_ids
from crm.permissions import can_read_backoffice
from requests_app.incidents.models import Incident
from requests_app.incidents.search import incident_search
from requests_app.requests.models import ServiceRequest
from requests_app.requests.search import request_search

# Results per kind: a few in the dropdown, more on the results page.
SUGGEST_LIMIT = 5
PAGE_LIMIT = 20
# Up to this many partners or contacts found are sorted by name; past it, the newest are shown.
SORTED_CAP = 500


@dataclass(frozen=True)
class Hit:
    url: str
    title: str
    detail: str = ""


@dataclass
class Group:
    kind: str
    label: object
    icon: str
    hits: list[Hit] = field(default_factory=list)
    # More were found than shown: a link to the kind's own list, searched.
    more: bool = False
    more_url: str = ""


def _person_detail(*parts) -> str:
    return " · ".join(str(p) for p in parts if p)


class _Found:
    """The clients ``q`` finds, read once when first asked for (their ids, or past
    ``REQUESTER_IDS_CAP`` the subquery): the clients, requests and incidents found use them."""

    def __init__(self, q: str):
        self.q = q
        self._clients = None

    @property
    def clients(self):
        if self._clients is None:
            self._clients = requester_ids(self.q)
        return self._clients


def _clients(found: _Found, limit: int) -> list[Hit]:
    return [
        Hit(c.get_absolute_url(), str(c), _person_detail(c.email, c.phone))
        for c in contact_selectors.client_search(q=found.q, limit=limit, ids=found.clients)
    ]


def _partners(found: _Found, limit: int) -> list[Hit]:
    return [
        Hit(p.get_absolute_url(), str(p), _person_detail(p.email, p.phone, p.city))
        for p in contact_selectors.partner_search(q=found.q, limit=limit, cap=SORTED_CAP)
    ]


def _contacts(found: _Found, limit: int) -> list[Hit]:
    return [
        Hit(c.get_absolute_url(), str(c), _person_detail(c.partner, c.email, c.phone))
        for c in contact_selectors.contact_search(q=found.q, limit=limit, cap=SORTED_CAP)
    ]


def _numbered(model, search, found: _Found, limit: int) -> list[Hit]:
    rows = (
        search(model.objects.select_related("requester"), found.q, requesters=found.clients)
        .only(
            "pk",
            "title",
            "status",
            "created_at",
            "requester__first_name",
            "requester__last_name",
            "requester__email",
        )
        .order_by("-created_at", "-pk")[:limit]
    )
    return [
        Hit(
            r.get_absolute_url(),
            f"{r.number} {r.title}",
            _person_detail(r.requester, r.get_status_display()),
        )
        for r in rows
    ]


def _requests(found: _Found, limit: int) -> list[Hit]:
    return _numbered(ServiceRequest, request_search, found, limit)


def _incidents(found: _Found, limit: int) -> list[Hit]:
    return _numbered(Incident, incident_search, found, limit)


def _crm_group(kind: str):
    return RECORD_TYPES[kind].icon, f"contacts:{kind}_list"


# (kind, heading, icon, the kind's list, its search)
KINDS = (
    ("client", _("Clients"), *_crm_group("client"), _clients),
    ("partner", _("Partners"), *_crm_group("partner"), _partners),
    ("contact", _("Contacts"), *_crm_group("contact"), _contacts),
    ("request", _("Requests"), "bi-folder2-open", "requests:list", _requests),
    ("incident", _("Incidents"), "bi-life-preserver", "incidents:all", _incidents),
)


def _may_see(user, kind: str) -> bool:
    if kind in RECORD_TYPES:
        return can_view_crm(user, kind)
    # The request and incident lists are open to whoever reads the back office.
    return can_read_backoffice(user)


def global_search(*, user, q: str, limit: int = PAGE_LIMIT) -> list[Group]:
    """What ``q`` finds of each kind ``user`` may see, ``limit`` at most per kind (one more is
    read to tell that there are more). Kinds with nothing found are left out."""
    q = " ".join(q.split())
    if not q:
        return []
    groups = []
    found = _Found(q)
    for kind, label, icon, list_name, find in KINDS:
        if not _may_see(user, kind):
            continue
        hits = find(found, limit + 1)
        if hits:
            groups.append(
                Group(
                    kind=kind,
                    label=label,
                    icon=icon,
                    hits=hits[:limit],
                    more=len(hits) > limit,
                    more_url=reverse(list_name),
                )
            )
    return groups
