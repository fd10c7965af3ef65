"""Administrators edit chains in the admin; a cycle or a step of another chain is refused."""

import pytest
from django.urls import reverse

from tasks_app.dag import depths, find_cycle
from tasks_app.models import ChainTemplate, TaskTemplate
from tests.helpers import text

pytestmark = pytest.mark.django_db


def test_find_cycle_and_depths():
    assert find_cycle({1: [], 2: [1], 3: [1], 4: [2, 3]}) is None
    assert find_cycle({1: [3], 2: [1], 3: [2]}) is not None
    assert find_cycle({1: [1]}) == [1, 1]
    assert depths({1: [], 2: [1], 3: [1], 4: [2, 3]}) == {1: 0, 2: 1, 3: 1, 4: 2}


def _inline_data(chain, steps):
    data = {
        "name_fr": chain.name,
        "name_en": "",
        "description": "",
        "steps-TOTAL_FORMS": str(len(steps)),
        "steps-INITIAL_FORMS": str(len(steps)),
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
    }
    for i, (template, prerequisites) in enumerate(steps):
        data.update(
            {
                f"steps-{i}-id": template.pk,
                f"steps-{i}-chain": chain.pk,
                f"steps-{i}-sequence": template.sequence,
                f"steps-{i}-name_fr": template.name,
                f"steps-{i}-name_en": "",
                f"steps-{i}-instructions_fr": "",
                f"steps-{i}-instructions_en": "",
                f"steps-{i}-assignment_group": template.assignment_group_id,
                f"steps-{i}-due_offset_days": "5",
                f"steps-{i}-visible_to_requester": "on",
                f"steps-{i}-prerequisites": [p.pk for p in prerequisites],
            }
        )
    return data


def test_admin_refuses_a_cycle_with_a_clear_error(login, administrator, faculty_type):
    chain = faculty_type.chain_template
    steps = {t.sequence: t for t in chain.steps.all()}
    data = _inline_data(
        chain,
        [
            (steps["1"], [steps["3"]]),  # Interview would wait for Compliance: a cycle
            (steps["2.1"], [steps["1"]]),
            (steps["2.2"], [steps["1"]]),
            (steps["3"], [steps["2.1"], steps["2.2"]]),
        ],
    )
    response = login(administrator).post(
        reverse("admin:tasks_app_chaintemplate_change", args=[chain.pk]), data
    )
    assert response.status_code == 200
    assert "cycle" in text(response)
    assert not steps["1"].prerequisites.exists()


def test_admin_saves_a_valid_chain(login, administrator, faculty_type):
    chain = faculty_type.chain_template
    steps = {t.sequence: t for t in chain.steps.all()}
    data = _inline_data(
        chain,
        [
            (steps["1"], []),
            (steps["2.1"], [steps["1"]]),
            (steps["2.2"], []),
            (steps["3"], [steps["2.1"], steps["2.2"]]),
        ],
    )
    response = login(administrator).post(
        reverse("admin:tasks_app_chaintemplate_change", args=[chain.pk]), data
    )
    assert response.status_code == 302
    assert not steps["2.2"].prerequisites.exists()


def test_task_template_admin_refuses_a_step_of_another_chain(login, administrator, faculty_type):
    chain = faculty_type.chain_template
    other = ChainTemplate.objects.create(name="Autre")
    foreign = TaskTemplate.objects.create(
        chain=other,
        sequence="1",
        name="Ailleurs",
        assignment_group=chain.steps.first().assignment_group,
    )
    step = chain.steps.get(sequence="3")
    response = login(administrator).post(
        reverse("admin:tasks_app_tasktemplate_change", args=[step.pk]),
        {
            "chain": chain.pk,
            "sequence": "3",
            "name_fr": step.name,
            "name_en": "",
            "instructions_fr": "",
            "instructions_en": "",
            "assignment_group": step.assignment_group_id,
            "due_offset_days": "5",
            "visible_to_requester": "on",
            "prerequisites": [foreign.pk],
        },
    )
    assert response.status_code == 200
    assert foreign not in step.prerequisites.all()


def test_task_template_admin_refuses_a_cycle(login, administrator, faculty_type):
    chain = faculty_type.chain_template
    interview = chain.steps.get(sequence="1")
    compliance = chain.steps.get(sequence="3")
    response = login(administrator).post(
        reverse("admin:tasks_app_tasktemplate_change", args=[interview.pk]),
        {
            "chain": chain.pk,
            "sequence": "1",
            "name_fr": interview.name,
            "name_en": "",
            "instructions_fr": "",
            "instructions_en": "",
            "assignment_group": interview.assignment_group_id,
            "due_offset_days": "5",
            "visible_to_requester": "on",
            "prerequisites": [compliance.pk],
        },
    )
    assert response.status_code == 200
    assert "cycle" in text(response)
    assert not interview.prerequisites.exists()


def test_agents_cannot_edit_chains(login, pedagogue):
    assert (
        login(pedagogue).get(reverse("admin:tasks_app_chaintemplate_changelist")).status_code == 302
    )


def test_requests_and_tasks_are_read_only_in_the_admin(login, administrator, faculty_request):
    client = login(administrator)
    task = faculty_request.tasks.first()
    assert client.get(reverse("admin:tasks_app_task_change", args=[task.pk])).status_code == 200
    response = client.post(
        reverse("admin:tasks_app_task_change", args=[task.pk]), {"title": "changed"}
    )
    assert response.status_code == 403
    task.refresh_from_db()
    assert task.title != "changed"
    assert client.get(reverse("admin:requests_app_servicerequest_add")).status_code == 403


def test_the_add_page_says_prerequisites_come_after_the_first_save(login, administrator):
    # when
    response = login(administrator).get(reverse("admin:tasks_app_chaintemplate_add"))

    # then
    page = text(response)
    assert response.status_code == 200
    assert "Enregistrez d'abord la chaîne, puis choisissez les préalables de chaque étape." in page
    assert 'name="steps-__prefix__-prerequisites"' not in page


def test_a_chain_added_with_steps_saves_and_its_page_then_offers_their_prerequisites(
    login, administrator, faculty_type
):
    # given
    group = faculty_type.chain_template.steps.first().assignment_group
    client = login(administrator)
    data = {
        "name_fr": "Nouvelle chaîne",
        "name_en": "",
        "steps-TOTAL_FORMS": "2",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
    }
    for i, sequence in enumerate(["1", "2"]):
        data.update(
            {
                f"steps-{i}-sequence": sequence,
                f"steps-{i}-name_fr": f"Étape {sequence}",
                f"steps-{i}-assignment_group": group.pk,
                f"steps-{i}-due_offset_days": "5",
            }
        )

    # when
    response = client.post(reverse("admin:tasks_app_chaintemplate_add"), data)

    # then
    assert response.status_code == 302
    chain = ChainTemplate.objects.get(name="Nouvelle chaîne")
    assert sorted(chain.steps.values_list("sequence", flat=True)) == ["1", "2"]
    page = text(client.get(reverse("admin:tasks_app_chaintemplate_change", args=[chain.pk])))
    assert 'name="steps-0-prerequisites"' in page
    assert "Enregistrez d'abord la chaîne" not in page
