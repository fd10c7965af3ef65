import factory
from django.contrib.auth.models import Group

from crm import roles
from crm.models import AssignmentGroup, Notification, User
from requests_app.models import RequestType
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


def citizen(**kwargs) -> User:
    return UserFactory(role=roles.CITIZEN, **kwargs)


def agent(**kwargs) -> User:
    return UserFactory(role=roles.AGENT, **kwargs)


def manager(**kwargs) -> User:
    return UserFactory(role=roles.MANAGER, **kwargs)


def administrator(**kwargs) -> User:
    return UserFactory(role=roles.ADMINISTRATOR, is_staff=True, **kwargs)


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
