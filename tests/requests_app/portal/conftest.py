"""Personas of the portal: a citizen with a request whose chain has a hidden step, a member
and a manager of a school, an outsider."""

import pytest
from django.core.cache import caches

from contacts.models import PartnerMembership
from requests_app.requests.services import request_create
from tests import factories


@pytest.fixture(autouse=True)
def _fresh_default_cache():
    # allauth's rate limits count on the default cache (local memory in the tests).
    caches["default"].clear()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def group(db):
    return factories.AssignmentGroupFactory(name="Bâtiments")


@pytest.fixture
def agent_of_group(group):
    agent = factories.agent(email="agent-batiments@example.org")
    group.members.add(agent)
    return agent


@pytest.fixture
def request_type(group):
    """Three steps, the second hidden from the requester: 1 → 2 (internal) → 3."""
    request_type = factories.chain(["1", "2<1", "3<2"], group=group, code="TRAV")
    request_type.chain_template.steps.filter(sequence="2").update(visible_to_requester=False)
    steps = {s.sequence: s for s in request_type.chain_template.steps.all()}
    steps["1"].name_fr, steps["1"].name_en = "Analyse de la demande", "Review of the request"
    steps["2"].name_fr, steps["2"].name_en = "Contrôle interne", "Internal check"
    steps["3"].name_fr, steps["3"].name_en = "Travaux", "Works"
    for step in steps.values():
        step.name = step.name_fr
        step.save()
    return request_type


@pytest.fixture
def school(db):
    return factories.PartnerFactory(name="Collège Jacques-Cartier", kind="school")


@pytest.fixture
def head(school):
    """The school's head: a manager of its members."""
    user = factories.citizen(email="direction@college.example")
    PartnerMembership.objects.create(partner=school, user=user, role="manager")
    return user


@pytest.fixture
def teacher(school):
    """A member of the school."""
    user = factories.citizen(email="enseignant@college.example")
    PartnerMembership.objects.create(partner=school, user=user, role="member")
    return user


@pytest.fixture
def outsider(db):
    return factories.citizen(email="dehors@example.org")


@pytest.fixture
def school_request(head, school, request_type):
    """Filed by the head for the school."""
    return request_create(
        requester=head.client,
        request_type=request_type,
        title="Toiture du gymnase",
        by=head,
        organisation=school,
    )


@pytest.fixture
def own_request(citizen, request_type):
    return request_create(
        requester=citizen.client, request_type=request_type, title="Trottoir abîmé"
    )
