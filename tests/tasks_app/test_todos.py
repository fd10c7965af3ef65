"""To-do pages: the list and its history, create (pre-filled from a record), edit, the Kanban and
its moves (drag and drop or the keyboard's form), the to-do's own page."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tasks_app.models import Task
from tests import factories

pytestmark = pytest.mark.django_db


def todo(**fields):
    fields.setdefault("assignment_group", None)
    return factories.TaskFactory(**fields)


# --- List and history -----------------------------------------------------------------------


def test_the_list_shows_open_todos_and_the_history_the_completed_ones(client, agent):
    open_one = todo(title="Rappeler Jodoin", assignee=agent)
    done = todo(title="Envoyer le CV", assignee=agent, status=Task.Status.CLOSED)
    done.closed_at = timezone.now()
    done.save()
    client.force_login(agent)
    listed = client.get(reverse("activities:todo_list")).content.decode()
    assert "Rappeler Jodoin" in listed and "Envoyer le CV" not in listed
    history = client.get(reverse("activities:todo_history")).content.decode()
    assert "Envoyer le CV" in history and "Rappeler Jodoin" not in history
    assert f"todo-row-{open_one.pk}" in listed


def test_search_status_priority_and_my_items_filter_the_list(client, agent, colleague):
    mine = todo(title="Appeler l'école", assignee=agent, priority="high")
    todo(title="Appeler la banque", assignee=colleague, priority="low")
    todo(title="Classer", assignee=agent, status=Task.Status.IN_PROGRESS)
    client.force_login(agent)

    def titles(**params):
        page = client.get(reverse("activities:todo_list"), params)
        assert page.status_code == 200
        return [t.title for t in page.context["page"]]

    assert sorted(titles(q="appeler")) == ["Appeler l'école", "Appeler la banque"]
    assert titles(q="appeler", mine="on") == [mine.title]
    assert titles(priority="low") == ["Appeler la banque"]
    assert titles(status="in_progress") == ["Classer"]


def test_the_list_costs_the_same_queries_for_3_or_30_todos(
    client, agent, django_assert_max_num_queries
):
    client.force_login(agent)
    for _ in range(3):
        todo(assignee=agent, contact=factories.ContactFactory(), client=None)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("activities:todo_list"))
    for _ in range(27):
        todo(assignee=agent, partner=factories.PartnerFactory(), client=None)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("activities:todo_list"))


@pytest.mark.parametrize(
    "params", [{"q": "a\x00b"}, {"q": "x" * 1_000_000}, {"page": "-3"}, {"status": "x" * 5000}]
)
def test_bad_list_input_is_not_a_5xx(client, agent, params):
    client.force_login(agent)
    assert client.get(reverse("activities:todo_list"), params).status_code in (200, 400)


# --- Create and edit -------------------------------------------------------------------------


def test_create_is_pre_filled_from_the_record_and_the_calendar_slot(client, agent):
    contact = factories.ContactFactory(last_name="Tremblay")
    client.force_login(agent)
    page = client.get(
        reverse("activities:todo_create"),
        {"contact": contact.pk, "starts_at": "2026-11-04T10:00:00-05:00"},
    )
    assert page.status_code == 200
    form = page.context["form"]
    assert form["target"].value() == f"contact:{contact.pk}"
    assert form["due_date"].value() == "2026-11-04"
    assert "Tremblay" in page.content.decode()


def test_creating_a_todo_links_it_to_its_record(client, agent):
    partner = factories.PartnerFactory()
    client.force_login(agent)
    response = client.post(
        reverse("activities:todo_create"),
        {
            "title": "Relancer",
            "status": "in_progress",
            "priority": "high",
            "start_date": "2026-11-02",
            "due_date": "2026-11-06",
            "target": f"partner:{partner.pk}",
        },
    )
    assert response.status_code == 302
    created = Task.objects.get(title="Relancer")
    assert created.kind == Task.Kind.TODO and created.partner == partner
    assert created.status == Task.Status.IN_PROGRESS and created.assignee == agent
    page = client.get(created.get_absolute_url()).content.decode()
    assert 'data-testid="todo-priority"' in page and "2026" in page


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"target": ""}, "target"),
        ({"target": "client:999999"}, "target"),
        ({"target": "rocket:1"}, "target"),
        ({"title": "x" * 256}, "title"),
        ({"title": "a\x00b"}, "title"),
        ({"due_date": "2026-10-01"}, "due_date"),
        ({"status": "flying"}, "status"),
    ],
)
def test_bad_todos_are_refused_at_the_field_and_what_was_typed_is_kept(client, agent, data, field):
    target = factories.ClientFactory()
    client.force_login(agent)
    post = {
        "title": "Relancer",
        "status": "not_started",
        "priority": "medium",
        "start_date": "2026-11-02",
        "target": f"client:{target.pk}",
        **data,
    }
    response = client.post(reverse("activities:todo_create"), post)
    assert response.status_code == 400
    if response.context is not None:  # a NUL byte is refused before the view
        assert field in response.context["form"].errors
        assert response.context["form"]["title"].value() == post["title"]
    assert not Task.objects.filter(kind=Task.Kind.TODO).exists()


def test_editing_a_todo_changes_its_fields_and_status(client, agent):
    item = todo(assignee=agent, title="Avant")
    client.force_login(agent)
    page = client.get(reverse("activities:todo_edit", args=[item.pk]))
    assert page.context["form"]["target"].value() == f"client:{item.client_id}"
    response = client.post(
        reverse("activities:todo_edit", args=[item.pk]),
        {
            "title": "Après",
            "status": "completed",
            "priority": "low",
            "target": f"client:{item.client_id}",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.title, item.status, item.priority) == ("Après", Task.Status.CLOSED, "low")


def test_the_target_search_finds_clients_contacts_and_partners(client, agent):
    factories.ClientFactory(last_name="Jodoin")
    factories.ContactFactory(last_name="Jodoin-Tremblay")
    factories.PartnerFactory(name="Jodoin et fils")
    client.force_login(agent)
    page = client.get(reverse("activities:todo_targets"), {"target_q": "jodoin"})
    kinds = [c["kind"] for c in page.context["found"]]
    assert sorted(kinds) == ["client", "contact", "partner"]
    # accents and case are ignored, as in the CRM's own searches
    found = client.get(reverse("activities:todo_targets"), {"target_q": "JODÖIN"})
    assert sorted(c["kind"] for c in found.context["found"]) == ["client", "contact", "partner"]


@pytest.mark.parametrize("url_name", ["activities:todo_create", "activities:todo_list"])
def test_citizens_get_403(client, citizen, url_name):
    client.force_login(citizen)
    assert client.get(reverse(url_name)).status_code == 403


def test_a_manager_reads_the_list_but_may_not_create_or_edit(client, manager):
    item = todo()
    client.force_login(manager)
    assert client.get(reverse("activities:todo_list")).status_code == 200
    assert client.get(reverse("activities:todo_create")).status_code == 403
    assert client.get(reverse("activities:todo_edit", args=[item.pk])).status_code == 403


def test_an_outsider_may_not_edit_a_todo_of_another_group(client, agent):
    group = factories.AssignmentGroupFactory()
    item = factories.TaskFactory(assignment_group=group)
    client.force_login(agent)
    assert client.get(reverse("activities:todo_edit", args=[item.pk])).status_code == 403


# --- Kanban ----------------------------------------------------------------------------------


def test_the_kanban_has_the_four_columns_of_seed_002(client, agent):
    item = todo(assignee=agent)
    client.force_login(agent)
    page = client.get(reverse("activities:todo_kanban"))
    columns = page.context["columns"]
    assert [c["status"] for c in columns] == ["not_started", "in_progress", "waiting", "completed"]
    assert columns[0]["tasks"] == [item]
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"
    html = page.content.decode()
    assert f'data-testid="card-{item.pk}"' in html


@pytest.mark.parametrize(
    ("moves", "status"),
    [
        (["in_progress"], Task.Status.IN_PROGRESS),
        (["waiting"], Task.Status.ON_HOLD),
        (["completed"], Task.Status.CLOSED),
        (["completed", "not_started"], Task.Status.OPEN),
        (["waiting", "in_progress", "completed"], Task.Status.CLOSED),
    ],
)
def test_a_drop_moves_the_card_through_todo_set_status(client, agent, moves, status):
    item = todo(assignee=agent)
    client.force_login(agent)
    for move in moves:
        response = client.post(
            reverse("activities:todo_move", args=[item.pk]),
            {"status": move},
            HTTP_X_REQUESTED_WITH="fetch",
        )
        assert response.status_code == 200 and response.json()["ok"]
        assert response.json()["status"] == move
    item.refresh_from_db()
    assert item.status == status


def test_the_keyboard_form_moves_a_card_and_comes_back_to_the_board(client, agent):
    item = todo(assignee=agent)
    client.force_login(agent)
    response = client.post(reverse("activities:todo_move", args=[item.pk]), {"status": "waiting"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("activities:todo_kanban"))
    item.refresh_from_db()
    assert item.status == Task.Status.ON_HOLD


def test_a_refused_drop_says_why_and_changes_nothing(client, manager, agent):
    item = todo(assignee=agent)
    client.force_login(manager)
    response = client.post(
        reverse("activities:todo_move", args=[item.pk]),
        {"status": "completed"},
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert response.status_code == 403
    assert response.json()["ok"] is False and response.json()["message"]
    item.refresh_from_db()
    assert item.status == Task.Status.OPEN


@pytest.mark.parametrize("status", ["flying", "a\x00b", "x" * 1_000_000])
def test_an_unknown_status_is_a_400(client, agent, status):
    item = todo(assignee=agent)
    client.force_login(agent)
    response = client.post(
        reverse("activities:todo_move", args=[item.pk]),
        {"status": status},
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert response.status_code == 400


def test_the_kanban_costs_the_same_queries_for_4_or_40_cards(
    client, agent, django_assert_max_num_queries
):
    client.force_login(agent)
    for status in (Task.Status.OPEN, Task.Status.IN_PROGRESS, Task.Status.ON_HOLD):
        todo(assignee=agent, status=status)
    with django_assert_max_num_queries(14) as few:
        client.get(reverse("activities:todo_kanban"))
    for _ in range(12):
        for status in (Task.Status.OPEN, Task.Status.IN_PROGRESS, Task.Status.ON_HOLD):
            todo(assignee=agent, status=status, due_date=dt.date.today())
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("activities:todo_kanban"))
