import pytest

from requests_app.models import RequestType
from tasks_app.models import ChainTemplate, TaskTemplate
from tests import factories


@pytest.fixture
def groups(db):
    """The faculty's two groups, with members and outsiders."""
    pedagogues = factories.AssignmentGroupFactory(name="Techno-pédagogues")
    technologists = factories.AssignmentGroupFactory(name="Technologues")
    return pedagogues, technologists


@pytest.fixture
def pedagogue(groups):
    user = factories.agent(email="tp@example.org")
    groups[0].members.add(user)
    return user


@pytest.fixture
def technologist(groups):
    user = factories.agent(email="techno@example.org")
    groups[1].members.add(user)
    return user


@pytest.fixture
def outsider_agent(db):
    return factories.agent(email="ailleurs@example.org")


@pytest.fixture
def faculty_type(groups):
    """Interview → (Technology planning ‖ Pedagogical coaching) → Compliance."""
    pedagogues, technologists = groups
    chain = ChainTemplate.objects.create(name="Soutien FAD")
    interview = TaskTemplate.objects.create(
        chain=chain, sequence="1", name="Entrevue", assignment_group=pedagogues
    )
    planning = TaskTemplate.objects.create(
        chain=chain, sequence="2.1", name="Planification", assignment_group=technologists
    )
    coaching = TaskTemplate.objects.create(
        chain=chain, sequence="2.2", name="Accompagnement", assignment_group=pedagogues
    )
    compliance = TaskTemplate.objects.create(
        chain=chain, sequence="3", name="Conformité", assignment_group=technologists
    )
    planning.prerequisites.add(interview)
    coaching.prerequisites.add(interview)
    compliance.prerequisites.add(planning, coaching)
    return RequestType.objects.create(
        code="SYNC",
        name="Classe virtuelle",
        chain_template=chain,
        default_assignment_group=pedagogues,
    )


@pytest.fixture
def faculty_request(faculty_type, citizen):
    from requests_app.requests.services import request_create

    return request_create(
        requester=citizen.client, request_type=faculty_type, title="MED1001 A2026"
    )


def by_sequence(request):
    return {t.template.sequence: t for t in request.tasks.select_related("template")}
