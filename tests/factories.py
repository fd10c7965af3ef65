from datetime import time

import factory
from django.contrib.auth.models import Group

from contacts.models import Client
from crm import roles
from crm.models import AssignmentGroup, Notification, User
from requests_app.incidents import services as incident_services
from requests_app.models import (
    BusinessCalendar,
    Closure,
    EscalationLevel,
    Incident,
    IncidentCategory,
    OpeningSlot,
    RequestType,
    SLAPolicy,
)
from tasks_app.models import ChainTemplate, TaskTemplate

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    first_name = factory.Faker("first_name", locale="fr_CA")
    last_name = factory.Faker("last_name", locale="fr_CA")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))
        if create:
            self.save()


class AssignmentGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssignmentGroup
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Groupe {n}")


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Notification {n}")


class ClientFactory(factory.django.DjangoModelFactory):
    """A person served, without a portal account unless ``user`` is given."""

    class Meta:
        model = Client

    first_name = factory.Faker("first_name", locale="fr_CA")
    last_name = factory.Faker("last_name", locale="fr_CA")
    email = factory.Sequence(lambda n: f"client{n}@example.org")
    phone = factory.Sequence(lambda n: f"514 555-{n % 10000:04d}")


def citizen(**kwargs) -> User:
    """A citizen account and its client (``user.client``), as the portal makes them."""
    user = UserFactory(role=roles.CITIZEN, **kwargs)
    ClientFactory(user=user, first_name=user.first_name, last_name=user.last_name, email=user.email)
    return user


def agent(**kwargs) -> User:
    return UserFactory(role=roles.AGENT, **kwargs)


def manager(**kwargs) -> User:
    return UserFactory(role=roles.MANAGER, **kwargs)


def administrator(**kwargs) -> User:
    return UserFactory(role=roles.ADMINISTRATOR, is_staff=True, **kwargs)


# --- SLA and incidents ---------------------------------------------------------------------

# Monday to Friday, 08:30–16:30: the body's default opening hours.
WEEKDAYS_0830_1630 = [(day, time(8, 30), time(16, 30)) for day in range(5)]


class BusinessCalendarFactory(factory.django.DjangoModelFactory):
    """A Québec calendar open Monday to Friday 08:30–16:30; ``slots=[(weekday, opens,
    closes), …]`` for other hours, ``closures=[date, …]`` for the body's own closed days."""

    class Meta:
        model = BusinessCalendar
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Calendrier {n}")
    time_zone = "America/Montreal"
    country = "CA"
    subdivision = "QC"

    @factory.post_generation
    def slots(self, create, extracted, **kwargs):
        if create:
            OpeningSlot.objects.bulk_create(
                OpeningSlot(calendar=self, weekday=day, opens=opens, closes=closes)
                for day, opens, closes in (WEEKDAYS_0830_1630 if extracted is None else extracted)
            )

    @factory.post_generation
    def closures(self, create, extracted, **kwargs):
        if create and extracted:
            Closure.objects.bulk_create(Closure(calendar=self, day=day) for day in extracted)


class EscalationLevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EscalationLevel

    policy = factory.SubFactory("tests.factories.SLAPolicyFactory", levels=[])
    percent = 100


# The seeded default's levels: 50 % tells the assignee; 75 % the lead too; 100 % the escalation
# group too, and raises the priority.
DEFAULT_LEVELS = [
    {"percent": 50},
    {"percent": 75, "notify_group_lead": True},
    {
        "percent": 100,
        "notify_group_lead": True,
        "notify_escalation_group": True,
        "raise_priority": True,
    },
]


class SLAPolicyFactory(factory.django.DjangoModelFactory):
    """8 business hours to respond, 3 business days to resolve, paused while awaiting the
    requester, levels 50, 75 and 100 %; ``levels=[{"percent": 100, …}, …]`` (or ``[]``) for
    others."""

    class Meta:
        model = SLAPolicy
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Politique {n}")
    calendar = factory.SubFactory(BusinessCalendarFactory)
    response_value = 8
    response_unit = SLAPolicy.Unit.HOURS
    resolution_value = 3
    resolution_unit = SLAPolicy.Unit.DAYS
    pause_statuses = factory.LazyFunction(lambda: ["awaiting_requester"])

    @factory.post_generation
    def levels(self, create, extracted, **kwargs):
        if create:
            EscalationLevel.objects.bulk_create(
                EscalationLevel(policy=self, **level)
                for level in (DEFAULT_LEVELS if extracted is None else extracted)
            )


class IncidentCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IncidentCategory

    name = factory.Sequence(lambda n: f"Catégorie {n}")


class IncidentFactory(factory.django.DjangoModelFactory):
    """An incident opened through ``incident_create``, so its policy is matched and its clocks
    run from ``now``; ``taken_by=agent`` has that agent take it."""

    class Meta:
        model = Incident

    requester = factory.SubFactory("tests.factories.ClientFactory")
    title = factory.Sequence(lambda n: f"Projecteur muet, salle {n}")
    now = None
    taken_by = None

    @classmethod
    def _create(cls, model_class, *args, taken_by=None, **kwargs):
        incident = incident_services.incident_create(**kwargs)
        if taken_by is not None:
            incident = incident_services.incident_take(incident=incident, by=taken_by)
        return incident


def chain_request_type(*, group: AssignmentGroup, steps: int = 2, code: str = "PERM"):
    """A request type whose chain has ``steps`` steps in ``group``, each waiting for the one
    before; ``group`` is also its default assignment group."""
    chain = ChainTemplate.objects.create(name=f"Chaîne {code}")
    previous = None
    for number in range(1, steps + 1):
        step = TaskTemplate.objects.create(
            chain=chain, sequence=str(number), name=f"Étape {number}", assignment_group=group
        )
        if previous is not None:
            step.prerequisites.add(previous)
        previous = step
    return RequestType.objects.create(
        code=code, name=f"Démarche {code}", chain_template=chain, default_assignment_group=group
    )
