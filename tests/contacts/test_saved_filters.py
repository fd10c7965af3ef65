"""Saved filters: an agent keeps a list's filter under a name, re-applies it in one click and
deletes it; each person sees only their own; bad names are refused at the field."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from contacts import services
from contacts.models import SavedFilter
from crm.errors import NotAllowed
from tests import factories
from tests.helpers import text

pytestmark = pytest.mark.django_db

LIST = "/agent/clients/"
SAVE = "/agent/clients/filters/"


def save(client, name, query, **headers):
    return client.post(SAVE, {"name": name, "query": query}, **headers)


HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "saved-filters"}


# --- The services ----------------------------------------------------------------------------


def test_a_filter_is_saved_with_only_its_own_parameters(agent):
    saved = services.saved_filter_save(
        list_name="client",
        name="  Mes   nouveaux arrivants ",
        query="page=3&q=+jodoin+&client_type=newcomer&csrfmiddlewaretoken=x&evil=1&city=&sort=-name",
        by=agent,
    )
    assert saved.name == "Mes nouveaux arrivants"
    assert saved.query == "client_type=newcomer&q=jodoin&sort=-name"
    assert (saved.user, saved.list_name) == (agent, "client")


def test_a_date_range_and_several_statuses_are_kept():
    query = services.saved_filter_query(
        "call", "status=held&status=planned&starts_at_after=2026-01-01&starts_at=bogus&view=history"
    )
    assert query == "starts_at_after=2026-01-01&status=held&status=planned&view=history"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Donnez un nom au filtre."),
        ("   ", "Donnez un nom au filtre."),
        ("x" * 121, "Le nom est trop long (120 caractères au plus)."),
    ],
)
def test_a_bad_name_is_refused_at_the_name_field(agent, name, message):
    with pytest.raises(ValidationError) as refused:
        services.saved_filter_save(list_name="client", name=name, query="q=roy", by=agent)
    assert refused.value.message_dict == {"name": [message]}
    assert not SavedFilter.objects.exists()


def test_a_name_is_used_once_per_list_and_person(agent, colleague):
    services.saved_filter_save(list_name="client", name="Roy", query="q=roy", by=agent)
    with pytest.raises(ValidationError) as refused:
        services.saved_filter_save(list_name="client", name="roy", query="q=roi", by=agent)
    assert refused.value.message_dict == {"name": ["Vous avez déjà un filtre de ce nom."]}
    # the same name on another list, or for someone else, is fine
    services.saved_filter_save(list_name="partner", name="Roy", query="q=roy", by=agent)
    services.saved_filter_save(list_name="client", name="Roy", query="q=roy", by=colleague)
    assert SavedFilter.objects.count() == 3


def test_a_filter_too_long_is_refused_and_an_unknown_list_too(agent):
    with pytest.raises(ValidationError) as refused:
        services.saved_filter_save(
            list_name="client", name="Long", query="q=" + "x" * 2500, by=agent
        )
    assert list(refused.value.message_dict) == ["query"]
    with pytest.raises(ValidationError) as refused:
        services.saved_filter_save(list_name="user", name="Tous", query="", by=agent)
    assert list(refused.value.message_dict) == ["list_name"]


def test_only_its_owner_deletes_a_filter_and_citizens_save_none(agent, colleague, citizen):
    saved = services.saved_filter_save(list_name="client", name="Roy", query="q=roy", by=agent)
    with pytest.raises(NotAllowed):
        services.saved_filter_delete(saved_filter=saved, by=colleague)
    with pytest.raises(NotAllowed):
        services.saved_filter_save(list_name="client", name="Moi", query="", by=citizen)
    services.saved_filter_delete(saved_filter=saved, by=agent)
    assert not SavedFilter.objects.exists()


# --- The pages ---------------------------------------------------------------------------------


def test_an_agent_saves_the_current_filter_and_reapplies_it_in_one_click(client, agent):
    factories.ClientFactory(first_name="Léa", last_name="Jodöin", client_type="newcomer")
    factories.ClientFactory(first_name="Paul", last_name="Roy")
    client.force_login(agent)
    # when the filter of the page is saved (htmx: the box of saved filters comes back)
    answer = save(client, "Nouveaux Jodoin", "q=jodoin&client_type=newcomer&page=2", **HTMX)
    assert answer.status_code == 200
    assert "Filtre « Nouveaux Jodoin » enregistré." in text(answer)
    saved = SavedFilter.objects.get()
    assert saved.query == "client_type=newcomer&q=jodoin"
    # then the list shows it as a link that re-applies it
    page = client.get(LIST)
    assert f'href="{LIST}?client_type=newcomer&amp;q=jodoin"' in page.content.decode()
    applied = client.get(f"{LIST}?{saved.query}")
    assert "Léa Jodöin" in text(applied) and "Paul Roy" not in text(applied)
    assert 'aria-current="true">Nouveaux Jodoin' in text(applied)


def test_without_htmx_saving_redirects_to_the_filtered_list(client, agent):
    client.force_login(agent)
    answer = save(client, "Roy", "q=roy")
    assert answer.status_code == 302 and answer.url == f"{LIST}?q=roy"
    refused = save(client, "", "q=roy")
    assert refused.status_code == 302 and refused.url == f"{LIST}?q=roy"
    assert "Donnez un nom au filtre." in text(client.get(refused.url))


def test_a_refused_name_comes_back_at_the_field_with_what_was_typed(client, agent):
    client.force_login(agent)
    save(client, "Roy", "q=roy", **HTMX)
    answer = save(client, "Roy", "q=roi", **HTMX)
    assert answer.status_code == 400
    body = text(answer)
    assert "Vous avez déjà un filtre de ce nom." in body
    assert 'value="Roy"' in body and "is-invalid" in body
    huge = save(client, "x" * 1_000_000, "q=" + "y" * 1_000_000, **HTMX)
    assert huge.status_code == 400 and "120" in text(huge)
    assert SavedFilter.objects.count() == 1


def test_each_person_sees_and_deletes_only_their_own_filters(client, agent, colleague):
    mine = services.saved_filter_save(list_name="client", name="Le mien", query="q=a", by=agent)
    theirs = services.saved_filter_save(
        list_name="client", name="Le sien", query="q=b", by=colleague
    )
    client.force_login(agent)
    page = text(client.get(LIST))
    assert "Le mien" in page and "Le sien" not in page
    # someone else's filter is not found, and stays
    url = reverse("contacts:client_filter_delete", args=[theirs.pk])
    assert client.post(url).status_code == 404
    # nor is one of another list under this list's URL
    assert client.post(f"/agent/partners/filters/{mine.pk}/delete/").status_code == 404
    answer = client.post(
        reverse("contacts:client_filter_delete", args=[mine.pk]), {"query": "q=a"}, **HTMX
    )
    assert answer.status_code == 200 and "Le mien" in text(answer)  # "… supprimé."
    assert list(SavedFilter.objects.all()) == [theirs]


def test_a_manager_keeps_filters_a_citizen_and_a_visitor_do_not(client, manager, citizen):
    client.force_login(manager)
    assert save(client, "Lecture", "q=roy").status_code == 302
    assert SavedFilter.objects.filter(user=manager).count() == 1
    client.force_login(citizen)
    assert save(client, "Moi", "q=roy").status_code == 403
    client.logout()
    answer = save(client, "Anonyme", "q=roy")
    assert answer.status_code == 302 and "/accounts/login/" in answer.url
    assert SavedFilter.objects.count() == 1


def test_a_get_on_the_save_url_is_refused(client, agent):
    client.force_login(agent)
    assert client.get(SAVE).status_code == 405
