from datetime import time

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from crm import roles
from crm.models import AssignmentGroup, Notification, User
from requests_app.models import BusinessCalendar, Closure, OpeningSlot, RequestType, ServiceRequest
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


def citizen(**kwargs) -> User:
    return UserFactory(role=roles.CITIZEN, **kwargs)


def agent(**kwargs) -> User:
    return UserFactory(role=roles.AGENT, **kwargs)


def manager(**kwargs) -> User:
    return UserFactory(role=roles.MANAGER, **kwargs)


def administrator(**kwargs) -> User:
    return UserFactory(role=roles.ADMINISTRATOR, is_staff=True, **kwargs)


# --- calendars, the catalogue and the chain ---------------------------------------------------


class BusinessCalendarFactory(factory.django.DjangoModelFactory):
    """A calendar open Monday to Friday, 8:30 to 16:30 (``weekdays``), with the public holidays
    of ``country``/``subdivision`` and the ``closed`` days given."""

    class Meta:
        model = BusinessCalendar
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Calendrier {n}")
    time_zone = "America/Montreal"
    country = ""
    subdivision = ""

    @factory.post_generation
    def weekdays(self, create, extracted, **kwargs):
        if create:
            days = range(5) if extracted is None else extracted
            OpeningSlot.objects.bulk_create(
                OpeningSlot(calendar=self, weekday=d, opens=time(8, 30), closes=time(16, 30))
                for d in days
            )

    @factory.post_generation
    def closed(self, create, extracted, **kwargs):
        if create and extracted:
            Closure.objects.bulk_create(Closure(calendar=self, day=d) for d in extracted)


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

    requester = factory.SubFactory(UserFactory, role=roles.CITIZEN)
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
    assignment_group = factory.SubFactory(AssignmentGroupFactory)
    status = Task.Status.OPEN
    opened_at = factory.LazyFunction(timezone.now)
