import factory
from django.contrib.auth.models import Group

from contacts.models import Client
from crm import roles
from crm.models import AssignmentGroup, Notification, User

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
