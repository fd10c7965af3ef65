"""Factories of the catalogue's procedure pages: a published e-service with its lines."""

import factory

from requests_app.models import (
    LaunchButton,
    ProcedureContact,
    ProcedureDocument,
    ProcedureLink,
    ProcedureStep,
    Theme,
)
from tests.factories import RequestTypeFactory


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    name = factory.Sequence(lambda n: f"Thématique {n}")


class PublishedTypeFactory(RequestTypeFactory):
    """An active e-service shown on the portal, in a theme."""

    published = True
    theme = factory.SubFactory(ThemeFactory)
    summary = factory.Sequence(lambda n: f"Résumé de la démarche {n}.")


class ProcedureStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcedureStep

    request_type = factory.SubFactory(PublishedTypeFactory)
    position = factory.Sequence(lambda n: n)
    title = factory.Sequence(lambda n: f"Étape {n}")


class ProcedureDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcedureDocument

    request_type = factory.SubFactory(PublishedTypeFactory)
    position = factory.Sequence(lambda n: n)
    name = factory.Sequence(lambda n: f"Pièce {n}")


class LaunchButtonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LaunchButton

    request_type = factory.SubFactory(PublishedTypeFactory)
    position = factory.Sequence(lambda n: n)
    label = factory.Sequence(lambda n: f"Bouton {n}")


class ProcedureContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcedureContact

    request_type = factory.SubFactory(PublishedTypeFactory)
    position = factory.Sequence(lambda n: n)
    name = factory.Sequence(lambda n: f"Service {n}")
    email = factory.Sequence(lambda n: f"service{n}@example.org")


class ProcedureLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcedureLink

    request_type = factory.SubFactory(PublishedTypeFactory)
    position = factory.Sequence(lambda n: n)
    label = factory.Sequence(lambda n: f"Lien {n}")
    url = factory.Sequence(lambda n: f"https://example.org/faq/{n}")


def full_procedure(request_type, lines: int = 1):
    """``lines`` lines of every kind on ``request_type``'s procedure page."""
    for factory_class in (
        ProcedureStepFactory,
        ProcedureDocumentFactory,
        LaunchButtonFactory,
        ProcedureContactFactory,
        ProcedureLinkFactory,
    ):
        factory_class.create_batch(lines, request_type=request_type)
    return request_type
