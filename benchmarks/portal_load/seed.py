"""The data of the load run: a published e-service with a small one-step form and a two-step
chain (its first task opens at once and notifies the group's agents, as in production), and
citizen accounts with a verified e-mail address, as sign-up leaves them."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from contacts.models import Client
from crm import roles
from crm.models import AssignmentGroup, User
from requests_app.forms.services import form_load
from requests_app.models import RequestType
from tasks_app.models import ChainTemplate, TaskTemplate

CODE = "LOADBENCH"
SLUG = "demande-charge"
EMAIL = "citoyen{n}@charge.example.org"
AGENTS = 3

FORM = {
    "request_type": CODE,
    "intro": "Signalez un problème sur la voie publique.",
    "intro_en": "Report a problem on a public road.",
    "prefill_from_last_request": False,
    "steps": [
        {
            "title": "Votre signalement",
            "title_en": "Your report",
            "fields": [
                {
                    "key": "nom",
                    "kind": "text",
                    "label": "Nom complet",
                    "label_en": "Full name",
                    "required": True,
                    "prefill": "full_name",
                },
                {
                    "key": "courriel",
                    "kind": "email",
                    "label": "Courriel",
                    "label_en": "E-mail",
                    "required": True,
                    "prefill": "email",
                },
                {
                    "key": "objet",
                    "kind": "single_choice",
                    "label": "Objet",
                    "label_en": "Subject",
                    "required": True,
                    "choices": "nid|Nid-de-poule\neclairage|Éclairage\nautre|Autre",
                    "choices_en": "nid|Pothole\neclairage|Street lighting\nautre|Other",
                },
                {"key": "details", "kind": "long_text", "label": "Précisions", "max": 500},
                {
                    "key": "accord",
                    "kind": "consent",
                    "label": "J'atteste l'exactitude de ces renseignements.",
                    "required": True,
                },
            ],
        }
    ],
}


@dataclass(frozen=True)
class Seeded:
    slug: str
    request_type_id: int
    emails: list[str]


def account_email(n: int) -> str:
    return EMAIL.format(n=n)


@transaction.atomic
def seed(*, accounts: int, password: str) -> Seeded:
    """Make (or, in a kept database, find) the e-service and ``accounts`` citizens."""
    request_type = RequestType.objects.filter(code=CODE).first()
    if request_type is None:
        request_type = _service()
    emails = [account_email(n) for n in range(accounts)]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    missing = [e for e in emails if e not in existing]
    if missing:
        _citizens(missing, password)
    return Seeded(slug=request_type.slug, request_type_id=request_type.pk, emails=emails)


def _service() -> RequestType:
    group = AssignmentGroup.objects.create(name="Voirie (charge)")
    agent_role = Group.objects.get(name=roles.AGENT)
    for n in range(AGENTS):
        agent = User.objects.create_user(
            email=f"agent{n}@charge.example.org",
            password=None,
            first_name="Agent",
            last_name="Voirie",
        )
        agent.groups.add(agent_role)
        group.members.add(agent)
    chain = ChainTemplate.objects.create(name="Signalement (charge)")
    first = TaskTemplate.objects.create(
        chain=chain, sequence="1", name="Qualification", assignment_group=group, due_offset_days=2
    )
    second = TaskTemplate.objects.create(
        chain=chain, sequence="2", name="Intervention", assignment_group=group, due_offset_days=10
    )
    second.prerequisites.set([first])
    request_type = RequestType.objects.create(
        code=CODE,
        name="Signalement sur la voie publique",
        name_fr="Signalement sur la voie publique",
        name_en="Report on a public road",
        slug=SLUG,
        published=True,
        chain_template=chain,
        default_assignment_group=group,
    )
    form_load(data=FORM)
    return request_type


def _citizens(emails: list[str], password: str) -> None:
    # One hash for all (the production hasher is slow on purpose): each login still checks it.
    encoded = make_password(password)
    users = User.objects.bulk_create(
        [
            User(email=e, password=encoded, first_name="Camille", last_name=f"Charge {e[7:12]}")
            for e in emails
        ]
    )
    citizen_role = Group.objects.get(name=roles.CITIZEN)
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=u.pk, group_id=citizen_role.pk) for u in users]
    )
    Client.objects.bulk_create(
        [
            Client(user=u, first_name=u.first_name, last_name=u.last_name, email=u.email)
            for u in users
        ]
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users]
    )


def set_password(emails: list[str], password: str) -> None:
    """A kept database's accounts get this run's password."""
    User.objects.filter(email__in=emails).update(password=make_password(password))
