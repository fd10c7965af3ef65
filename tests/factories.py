from datetime import time, timedelta

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from contacts.models import Client
from crm import roles
from crm.models import AssignmentGroup, Notification, User
from requests_app.incidents import services as incident_services
from requests_app.models import (
    BusinessCalendar,
    Closure,
    CourseGridImport,
    EscalationLevel,
    Incident,
    IncidentCategory,
    OpeningSlot,
    RequestType,
    ServiceRequest,
    SLAPolicy,
)
from requests_app.requests.services import request_create
from tasks_app.models import ChainTemplate, Task, TaskTemplate

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
    subdivision = factory.LazyAttribute(lambda calendar: "QC" if calendar.country == "CA" else "")

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

    @factory.post_generation
    def weekdays(self, create, extracted, **kwargs):
        """``weekdays=[0, 2]``: open those days only, 08:30–16:30 (instead of ``slots``)."""
        if create and extracted is not None:
            self.slots.all().delete()
            OpeningSlot.objects.bulk_create(
                OpeningSlot(calendar=self, weekday=d, opens=time(8, 30), closes=time(16, 30))
                for d in extracted
            )

    @factory.post_generation
    def closed(self, create, extracted, **kwargs):
        """``closed=[date, …]``, the same as ``closures``."""
        if create and extracted:
            Closure.objects.bulk_create(Closure(calendar=self, day=d) for d in extracted)


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


# --- the catalogue and the chain ----------------------------------------------------------


class ChainTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChainTemplate

    name = factory.Sequence(lambda n: f"Plan d'actions {n}")


class TaskTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaskTemplate
        skip_postgeneration_save = True

    chain = factory.SubFactory(ChainTemplateFactory)
    sequence = factory.Sequence(str)
    name = factory.Sequence(lambda n: f"Étape {n}")
    assignment_group = factory.SubFactory(AssignmentGroupFactory)
    due_offset_days = 5

    @factory.post_generation
    def prerequisites(self, create, extracted, **kwargs):
        if create and extracted:
            self.prerequisites.set(extracted)


class RequestTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequestType

    code = factory.Sequence(lambda n: f"TYPE{n}")
    name = factory.Sequence(lambda n: f"Démarche {n}")
    chain_template = factory.SubFactory(ChainTemplateFactory)


def chain(steps: list[str], *, group=None, groups: dict | None = None, **type_fields):
    """A request type whose chain has the ``steps`` written one per string, as
    ``"sequence<prerequisite,prerequisite"``: ``chain(["1", "2.1<1", "2.2<1", "3<2.1,2.2"])``.

    Every step goes to ``group`` (one is made if none is given), or to ``groups[sequence]``.
    """
    group = group or AssignmentGroupFactory()
    template = ChainTemplateFactory()
    made: dict[str, TaskTemplate] = {}
    for step in steps:
        sequence, _sep, waits_for = step.partition("<")
        made[sequence] = TaskTemplateFactory(
            chain=template,
            sequence=sequence,
            name=f"Étape {sequence}",
            assignment_group=(groups or {}).get(sequence, group),
            prerequisites=[made[p.strip()] for p in waits_for.split(",") if p.strip()],
        )
    return RequestTypeFactory(chain_template=template, **type_fields)


class ServiceRequestFactory(factory.django.DjangoModelFactory):
    """A submitted request with its chain of tasks, filed through ``request_create``."""

    class Meta:
        model = ServiceRequest

    requester = factory.SubFactory("tests.factories.ClientFactory")
    request_type = factory.SubFactory(RequestTypeFactory)
    title = factory.Sequence(lambda n: f"Demande {n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return request_create(**kwargs)


class TaskFactory(factory.django.DjangoModelFactory):
    """A to-do (no request): open in its group's queue. Tasks of a request come with it
    (``ServiceRequestFactory``)."""

    class Meta:
        model = Task

    kind = Task.Kind.TODO
    title = factory.Sequence(lambda n: f"Tâche {n}")
    client = factory.SubFactory("tests.factories.ClientFactory")
    assignment_group = factory.SubFactory(AssignmentGroupFactory)
    status = Task.Status.OPEN
    opened_at = factory.LazyFunction(timezone.now)


class CourseGridImportFactory(factory.django.DjangoModelFactory):
    """A finished real (not dry-run) course-grid import; ``report`` shapes its outcome."""

    class Meta:
        model = CourseGridImport

    uploaded_by = factory.SubFactory(UserFactory)
    original_name = factory.Sequence(lambda n: f"grille-{n}.csv")
    file = factory.django.FileField(filename="grille.csv", data=b"sigle\n")
    dry_run = False
    status = CourseGridImport.Status.DONE
    report = factory.LazyFunction(lambda: {"created": 1, "rejected": 0, "applied": True})


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "contacts.Partner"

    name = factory.Sequence(lambda n: f"Partenaire {n}")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "contacts.Contact"

    partner = factory.SubFactory(PartnerFactory)
    first_name = "Julie"
    last_name = factory.Sequence(lambda n: f"Contact{n}")


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "contacts.Call"

    client = factory.SubFactory(ClientFactory)
    subject = factory.Sequence(lambda n: f"Appel {n}")
    starts_at = factory.LazyFunction(timezone.now)


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "contacts.Meeting"

    client = factory.SubFactory(ClientFactory)
    subject = factory.Sequence(lambda n: f"Rencontre {n}")
    starts_at = factory.LazyFunction(timezone.now)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=1))
