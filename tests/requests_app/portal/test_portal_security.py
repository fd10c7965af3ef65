"""Who may not: every portal address, tried by a visitor and by another citizen (an outsider)
on someone else's objects. The list of addresses is read from the URL resolver, so a new portal
page without a rule here fails ``test_every_portal_address_has_an_outsider_rule``.

Addresses covered: the ``portal`` namespace (requests_app/portal, contacts/portal_urls and any
other room's portal pages), allauth's account pages, Django's login/logout/password pages and
the notifications a citizen reads. Every form is also refused without its CSRF token, and no
view of them is exempt from the CSRF check.
"""

from dataclasses import dataclass, field

import pytest
from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from contacts.invitations import invitation_token
from contacts.models import PartnerInvitation, PartnerMembership
from crm.models import Notification
from requests_app.forms.models import FormDocument
from requests_app.forms.services import form_load
from requests_app.requests.attachments import attachment_add
from requests_app.requests.models import JournalEntry, RequestAttachment
from tests import factories
from tests.helpers import rows_of
from tests.requests_app.forms.conftest import permit_form

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
# Names outside the portal namespace that citizens reach.
ACCOUNT_NAMES = {
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "notifications",
    "notification_bell",
    "notification_open",
    "notifications_read_all",
    "set_language",
    "set_display",
    "home",
}


def portal_names() -> set[str]:
    """Every named address of the portal namespace, allauth's and the accounts' names."""
    found: set[str] = set()

    def walk(patterns, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, entry.namespace or namespace)
            elif isinstance(entry, URLPattern) and entry.name:
                if namespace == "portal":
                    found.add(f"portal:{entry.name}")
                elif namespace is None and (
                    entry.name.startswith("account_") or entry.name in ACCOUNT_NAMES
                ):
                    found.add(entry.name)

    walk(get_resolver().url_patterns, None)
    return found


@pytest.fixture
def world(db, media, request_type, school, head, teacher, agent_of_group, outsider):
    """The victims' objects: a request of a citizen (with a comment, a work note, a document), a
    school with a member and a pending invitation, a notification of the victim."""
    victim = factories.citizen(email="victime@example.org")
    from requests_app.requests.journal import journal_add
    from requests_app.requests.services import request_create

    theirs = request_create(requester=victim.client, request_type=request_type, title="Secret")
    journal_add(by=agent_of_group, request=theirs, kind="comment", body="Commentaire privé")
    journal_add(by=agent_of_group, request=theirs, kind="work_note", body="Note privée")
    attachment = attachment_add(
        request=theirs, by=victim, file=SimpleUploadedFile("privé.pdf", PDF)
    )
    membership = PartnerMembership.objects.get(partner=school, user=teacher)
    invitation = PartnerInvitation.objects.create(
        partner=school, email="invite@college.example", invited_by=head
    )
    notification = Notification.objects.create(recipient=victim, title="Pour la victime")
    # An e-service with its published form, and a file the victim gave in one of its forms.
    permit = factories.chain(["1"], code="PERMIT", name="Permis", published=True)
    form_load(data=permit_form())
    document = FormDocument.objects.create(
        request=theirs,
        client=victim.client,
        field_key="photo",
        file=SimpleUploadedFile("privé.pdf", PDF),
        original_name="privé.pdf",
        content_type="application/pdf",
        size=len(PDF),
    )
    return {
        "permit": permit,
        "document": document,
        "victim": victim,
        "request": theirs,
        "attachment": attachment,
        "school": school,
        "membership": membership,
        "invitation": invitation,
        "notification": notification,
        "outsider": outsider,
    }


@dataclass
class Rule:
    """How an address is tried. ``kwargs`` builds its arguments from the world; ``outsider``
    is the status another citizen gets, per method; ``anonymous`` the visitor's (``login``: sent
    to the login page)."""

    kwargs: object = None
    outsider: dict = field(default_factory=dict)
    anonymous: dict = field(default_factory=dict)
    post: dict = field(default_factory=dict)


LOGIN = "login"
REQUEST = lambda w: {"pk": w["request"].pk}  # noqa: E731
SCHOOL = lambda w: {"pk": w["school"].pk}  # noqa: E731
SERVICE = lambda w: {"slug": w["permit"].slug}  # noqa: E731

RULES = {
    # Someone else's objects: 404, as if they did not exist.
    "portal:my_request_detail": Rule(REQUEST, {"GET": 404}, {"GET": LOGIN}),
    "portal:my_request_message": Rule(
        REQUEST, {"POST": 404}, {"POST": LOGIN}, post={"body": "Intrus"}
    ),
    "portal:my_request_cancel": Rule(REQUEST, {"POST": 404}, {"POST": LOGIN}),
    "portal:my_request_attach": Rule(REQUEST, {"POST": 404}, {"POST": LOGIN}),
    "portal:my_request_attachment": Rule(
        lambda w: {"pk": w["request"].pk, "attachment_pk": w["attachment"].pk},
        {"GET": 404},
        {"GET": LOGIN},
    ),
    "portal:organisation_detail": Rule(SCHOOL, {"GET": 404}, {"GET": LOGIN}),
    "portal:organisation_invite": Rule(
        SCHOOL, {"POST": 404}, {"POST": LOGIN}, post={"email": "x@example.org", "role": "manager"}
    ),
    "portal:organisation_member_remove": Rule(
        lambda w: {"pk": w["school"].pk, "member_pk": w["membership"].pk},
        {"POST": 404},
        {"POST": LOGIN},
    ),
    "portal:organisation_invitation_cancel": Rule(
        lambda w: {"pk": w["school"].pk, "invitation_pk": w["invitation"].pk},
        {"POST": 404},
        {"POST": LOGIN},
    ),
    # The link is the invitation: readable, but accepted only by the invited address.
    "portal:invitation": Rule(
        lambda w: {"token": invitation_token(w["invitation"])},
        {"GET": 200, "POST": 400},
        {"GET": 200, "POST": LOGIN},
    ),
    "notification_open": Rule(
        lambda w: {"pk": w["notification"].pk}, {"POST": 404}, {"POST": LOGIN}
    ),
    # The e-services: their pages are public; a filing is the person's own; someone else's
    # filed request, file or signed link is not found.
    "portal:procedure": Rule(SERVICE, {"GET": 200}, {"GET": 200}),
    "portal:procedure_template": Rule(
        lambda w: {"slug": w["permit"].slug, "pk": 999999}, {"GET": 404}, {"GET": 404}
    ),
    "portal:request_start": Rule(SERVICE, {"GET": 302}, {"GET": LOGIN}),
    # A visitor is sent back to the start, which asks them to log in.
    "portal:request_step": Rule(
        lambda w: {"slug": w["permit"].slug, "number": 1}, {"GET": 200}, {"GET": 302}
    ),
    # No draft of theirs to discard.
    "portal:request_draft_discard": Rule(SERVICE, {"POST": 404}, {"POST": 404}),
    "portal:request_filed": Rule(
        lambda w: {"slug": w["permit"].slug, "pk": w["request"].pk}, {"GET": 404}, {"GET": 404}
    ),
    # The same words for everyone: "check your e-mail".
    "portal:request_check_email": Rule(SERVICE, {"GET": 200}, {"GET": 200}),
    "portal:form_confirm": Rule(lambda w: {"token": "forged"}, {"GET": 404}, {"GET": 404}),
    "portal:request_follow": Rule(lambda w: {"token": "forged"}, {"GET": 404}, {"GET": 404}),
    "portal:form_document": Rule(lambda w: {"pk": w["document"].pk}, {"GET": 404}, {"GET": 404}),
    # The outsider's own pages: they show nothing of anyone else's.
    "portal:home": Rule(None, {"GET": 200}, {"GET": 200}),
    "portal:my_requests": Rule(None, {"GET": 200}, {"GET": LOGIN}),
    "portal:profile": Rule(None, {"GET": 200}, {"GET": LOGIN}),
    "portal:organisations": Rule(None, {"GET": 200}, {"GET": LOGIN}),
    "notifications": Rule(None, {"GET": 200}, {"GET": LOGIN}),
    "notification_bell": Rule(None, {"GET": 200}, {"GET": LOGIN}),
    "notifications_read_all": Rule(None, {"POST": 302}, {"POST": LOGIN}),
    "home": Rule(None, {"GET": 302}, {"GET": LOGIN}),
    "set_language": Rule(None, {"POST": 302}, {"POST": 302}, post={"language": "en"}),
    "set_display": Rule(None, {"POST": 302}, {"POST": LOGIN}, post={"theme": "dark"}),
    "password_change": Rule(None, {"GET": 200}, {"GET": LOGIN}),
    "password_change_done": Rule(None, {"GET": 200}, {"GET": LOGIN}),
    "account_change_password": Rule(None, {"GET": 200}, {"GET": LOGIN}),
    # Public pages of the accounts.
    "login": Rule(None, {"GET": 302}, {"GET": 200}),
    "account_login": Rule(None, {"GET": 302}, {"GET": 200}),
    "logout": Rule(None, {"POST": 302}, {"POST": 302}),
    "account_logout": Rule(None, {"POST": 302}, {"POST": 302}),
    "password_reset": Rule(None, {"GET": 200}, {"GET": 200}),
    "account_reset_password": Rule(None, {"GET": 200}, {"GET": 200}),
    "password_reset_done": Rule(None, {"GET": 200}, {"GET": 200}),
    "password_reset_complete": Rule(None, {"GET": 200}, {"GET": 200}),
    # A forged reset link shows "invalid", for everyone.
    "password_reset_confirm": Rule(
        lambda w: {"uidb64": "MQ", "token": "forged-token"}, {"GET": 200}, {"GET": 200}
    ),
    "account_signup": Rule(None, {"GET": 302}, {"GET": 200}),
    "account_email_verification_sent": Rule(None, {"GET": 200}, {"GET": 200}),
    "account_inactive": Rule(None, {"GET": 200}, {"GET": 200}),
    # A forged confirmation key confirms nothing.
    "account_confirm_email": Rule(
        lambda w: {"key": "forged-key"}, {"GET": 200, "POST": 404}, {"GET": 200, "POST": 404}
    ),
}

PRIVATE_TEXT = ["Secret", "Commentaire privé", "Note privée", "privé.pdf", "Pour la victime"]


def test_every_portal_address_has_an_outsider_rule():
    missing = sorted(portal_names() - set(RULES))
    assert not missing, f"Portal addresses without an outsider rule here: {missing}"


def _url(name: str, world) -> str:
    rule = RULES[name]
    return reverse(name, kwargs=rule.kwargs(world) if rule.kwargs else None)


def _call(client, method: str, url: str, rule: Rule):
    if method == "GET":
        return client.get(url)
    return client.post(url, rule.post)


def _check(response, expected, method, url):
    if expected == LOGIN:
        assert response.status_code == 302, f"{method} {url}: {response.status_code}"
        assert response["Location"].startswith(reverse("login")), f"{method} {url}"
    else:
        assert response.status_code == expected, f"{method} {url}: {response.status_code}"
    if response.status_code == 200 and "html" in response.get("Content-Type", ""):
        page = response.content.decode()
        leaked = [t for t in PRIVATE_TEXT if t in page]
        assert not leaked, f"{method} {url} shows {leaked}"


WATCHED = (JournalEntry, RequestAttachment, PartnerMembership, PartnerInvitation, EmailAddress)


@pytest.mark.parametrize("name", sorted(RULES))
def test_an_outsider_reaches_nothing_of_anyone_else(name, world):
    # given
    client = Client()
    client.force_login(world["outsider"])
    rule = RULES[name]
    url = _url(name, world)
    before = rows_of(*WATCHED)

    # when / then
    for method, expected in rule.outsider.items():
        _check(_call(client, method, url, rule), expected, method, url)
    if name not in ("logout", "account_logout"):
        assert rows_of(*WATCHED) == before, f"{name} changed someone else's data"
    world["request"].refresh_from_db()
    assert world["request"].status == "submitted"
    assert world["school"].members.count() == 2


@pytest.mark.parametrize("name", sorted(RULES))
def test_a_visitor_reaches_nothing_private(name, world, client):
    rule = RULES[name]
    url = _url(name, world)
    before = rows_of(*WATCHED)
    for method, expected in rule.anonymous.items():
        _check(_call(client, method, url, rule), expected, method, url)
    assert rows_of(*WATCHED) == before


POSTED = sorted(
    name
    for name, rule in RULES.items()
    if "POST" in rule.outsider and name not in ("logout", "account_logout", "set_language")
)


@pytest.mark.parametrize("name", POSTED)
def test_every_form_is_refused_without_its_csrf_token(name, world, teacher):
    client = Client(enforce_csrf_checks=True)
    client.force_login(teacher)
    url = _url(name, world)
    assert client.post(url, RULES[name].post).status_code == 403, url


def test_no_portal_view_is_exempt_from_csrf():
    exempt = []

    def walk(patterns):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns)
            elif getattr(entry.callback, "csrf_exempt", False) and entry.name in {
                n.split(":")[-1] for n in portal_names()
            }:
                exempt.append(entry.name)

    walk(get_resolver().url_patterns)
    assert exempt == []


def test_a_forged_invitation_link_answers_404(client, world):
    token = invitation_token(world["invitation"])[:-3] + "abc"
    assert client.get(reverse("portal:invitation", args=[token])).status_code == 404


def test_a_member_who_is_not_a_manager_changes_no_member(world, teacher, head):
    # given: the teacher is a plain member of the school
    client = Client()
    client.force_login(teacher)
    head_membership = PartnerMembership.objects.get(user=head)
    before = rows_of(PartnerMembership, PartnerInvitation)

    # when / then: the manager's pages answer 404
    school = world["school"].pk
    assert client.get(reverse("portal:organisation_detail", args=[school])).status_code == 200
    assert (
        client.post(
            reverse("portal:organisation_invite", args=[school]),
            {"email": "ami@example.org", "role": "member"},
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("portal:organisation_member_remove", args=[school, head_membership.pk])
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("portal:organisation_invitation_cancel", args=[school, world["invitation"].pk])
        ).status_code
        == 404
    )
    assert rows_of(PartnerMembership, PartnerInvitation) == before
