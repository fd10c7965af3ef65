"""What the pages do to cost less, shown to change nothing they show: the permissions read in one
query, the back office's menus rendered once per process, a searched list's matches found before
they are sorted, a long list of agents written in Python."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.models import Client
from contacts.selectors import client_search
from crm.backends import RoleBackend
from crm.models import User
from crm.search import filtered_then_sorted
from crm.widgets import LongSelect
from tests import factories
from tests.explain import plan

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", ["agent", "manager", "administrator", "citizen"])
def test_the_role_backend_grants_what_the_model_backend_grants(request, persona):
    # given a user of each role, with one permission of their own besides
    user = request.getfixturevalue(persona)
    user.user_permissions.add(Permission.objects.get(codename="view_client"))
    # when both backends read their permissions
    ours = RoleBackend().get_all_permissions(User.objects.get(pk=user.pk))
    django = ModelBackend().get_all_permissions(User.objects.get(pk=user.pk))
    # then they are the same, read in one query
    assert ours == django
    assert "contacts.view_client" in ours
    cache.clear()
    fresh = User.objects.get(pk=user.pk)
    with CaptureQueriesContext(connection) as queries:
        RoleBackend().get_all_permissions(fresh)
        RoleBackend().get_all_permissions(fresh)
    assert len(queries) == 1
    # and kept for the next page (a new request: a new user object), with no query
    with CaptureQueriesContext(connection) as queries:
        assert RoleBackend().get_all_permissions(User.objects.get(pk=user.pk)) == ours
    assert len(queries) == 1  # the user only


def test_an_inactive_user_holds_no_permission(agent):
    agent.is_active = False
    assert RoleBackend().get_all_permissions(agent) == set()


def _active_link(html: str) -> str:
    start = html.index('class="nav-link active"')
    return html[start : html.index("</a>", start)]


def test_the_cached_menu_marks_the_page_it_is_on(login, agent):
    client = login(agent)
    tasks = client.get(reverse("tasks:mine")).content.decode()
    clients = client.get(reverse("contacts:client_list")).content.decode()
    assert reverse("tasks:mine") in _active_link(tasks)
    assert reverse("contacts:client_list") in _active_link(clients)


def test_the_cached_menu_follows_the_language_and_the_role(login, agent, manager):
    client = login(agent)
    client.post(reverse("set_language"), {"language": "en", "next": "/agent/"})
    english = client.get(reverse("tasks:mine")).content.decode()
    client.post(reverse("set_language"), {"language": "fr", "next": "/agent/"})
    french = client.get(reverse("tasks:mine")).content.decode()
    assert "My groups&#x27; queue" in english
    assert "File de mes groupes" in french
    assert "File de mes groupes" not in english
    # An agent is offered the assisted request; a manager, on the same page, is not.
    assert reverse("requests:assisted_start") in english
    managers = login(manager).get(reverse("tasks:mine")).content.decode()
    assert reverse("requests:assisted_start") not in managers


def test_a_searched_list_finds_its_matches_before_sorting_them():
    # given many clients of one name (most of the table), sorted by name
    factories.ClientFactory.create_batch(30, last_name="Tremblay")
    factories.ClientFactory.create_batch(5, last_name="Roy")
    connection.cursor().execute("ANALYZE contacts_client")
    found = Client.objects.filter(last_name__icontains="tremblay").order_by(
        "last_name", "first_name", "pk"
    )
    # when it is sorted after its search
    reordered = filtered_then_sorted(found)
    # then the rows and their order are the same, and no index is walked for the order
    assert list(reordered) == list(found)
    assert "client_name_order_idx" not in plan(reordered)


def test_the_client_search_sorts_by_name_whatever_the_number_found():
    for first in ("Zoé", "Anne", "Marc"):
        factories.ClientFactory(first_name=first, last_name="Tremblay")
    names = [c.first_name for c in client_search(q="tremblay", limit=2)]
    assert names == ["Anne", "Marc"]


def test_a_long_select_writes_what_django_writes():
    choices = [("", "Tous"), (1, "Léa <Roy>"), (2, "Luc & Côté")]
    ours = LongSelect(choices=choices).render("owner", 2, attrs={"id": "id_owner"})
    assert ours.startswith('<select name="owner" id="id_owner">') or ours.startswith(
        '<select id="id_owner" name="owner">'
    )
    assert '<option value="2" selected>Luc &amp; Côté</option>' in ours
    assert '<option value="1">Léa &lt;Roy&gt;</option>' in ours
    assert '<option value="">Tous</option>' in ours
