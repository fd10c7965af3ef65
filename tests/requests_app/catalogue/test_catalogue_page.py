"""The portal's catalogue at "/": published e-services as tiles, by theme, searched without
accents, open to everyone, at a constant number of queries that never touch the requests."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests.factories import RequestTypeFactory
from tests.helpers import text

from .factories import PublishedTypeFactory, ThemeFactory

pytestmark = pytest.mark.django_db

HOME = reverse("portal:home")


def tiles(response) -> list[str]:
    return [tile.name for tile in response.context["tiles"]]


def test_anonymous_visitors_see_published_active_types_only(client):
    # given
    PublishedTypeFactory(name="Classe virtuelle", summary="Cours en direct.")
    PublishedTypeFactory(name="Ancienne démarche", active=False)
    RequestTypeFactory(name="Démarche interne", published=False)

    # when
    response = client.get(HOME)

    # then
    page = text(response)
    assert response.status_code == 200
    assert tiles(response) == ["Classe virtuelle"]
    assert "Cours en direct." in page
    assert "Ancienne démarche" not in page and "Démarche interne" not in page
    assert 'lang="fr"' in page and "Démarches en ligne" in page


def test_a_tile_links_to_its_procedure_page(client):
    request_type = PublishedTypeFactory(code="sync", name="Classe virtuelle")
    response = client.get(HOME)
    assert request_type.slug == "sync"
    assert f'href="{reverse("portal:procedure", kwargs={"slug": "sync"})}"' in text(response)


def test_themes_offered_are_those_with_published_types_with_their_counts(client):
    # given
    works = ThemeFactory(name="Travaux", position=1)
    aid = ThemeFactory(name="Aides", position=2)
    empty = ThemeFactory(name="Thème vide")
    PublishedTypeFactory.create_batch(2, theme=works)
    PublishedTypeFactory(theme=aid)
    RequestTypeFactory(theme=empty, published=False)

    # when
    response = client.get(HOME)

    # then
    themes = [(t.name, t.services) for t in response.context["themes"]]
    assert themes == [("Travaux", 2), ("Aides", 1)]
    assert "Thème vide" not in text(response)


def test_filtering_by_theme_shows_that_themes_tiles(client):
    # given
    works = ThemeFactory(name="Travaux")
    PublishedTypeFactory(name="Demande de travaux", theme=works)
    PublishedTypeFactory(name="Aide aux sorties")

    # when
    response = client.get(HOME, {"theme": works.pk})

    # then
    assert response.status_code == 200
    assert tiles(response) == ["Demande de travaux"]
    assert f'?theme={works.pk}" aria-current="page"' in text(response)


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("ecole", ["Inscription à l'École"]),
        ("ÉCOLE", ["Inscription à l'École"]),
        ("inscription ecole", ["Inscription à l'École"]),
        ("velo", ["Aide au vélo"]),
        ("travaux", ["Demande de travaux", "Inscription à l'École"]),  # the theme's name
        ("fenetres", ["Demande de travaux"]),  # the summary
        ("zzz", []),
    ],
)
def test_search_ignores_accents_and_case_across_name_summary_and_theme(client, q, found):
    # given
    works = ThemeFactory(name="Travaux", position=1)
    PublishedTypeFactory(name="Demande de travaux", summary="Fenêtres, toiture.", theme=works)
    PublishedTypeFactory(name="Inscription à l'École", summary="Rentrée.", theme=works)
    PublishedTypeFactory(name="Aide au vélo", summary="Mobilité.", theme=ThemeFactory(position=2))

    # when
    response = client.get(HOME, {"q": q})

    # then
    assert response.status_code == 200
    assert sorted(tiles(response)) == sorted(found)


def test_search_and_theme_combine(client):
    works = ThemeFactory(name="Travaux")
    PublishedTypeFactory(name="Demande de travaux", theme=works)
    PublishedTypeFactory(name="Demande d'aide")
    response = client.get(HOME, {"q": "demande", "theme": works.pk})
    assert tiles(response) == ["Demande de travaux"]


def test_no_match_says_so_and_offers_everything_back(client):
    PublishedTypeFactory(name="Classe virtuelle")
    response = client.get(HOME, {"q": "piscine"})
    page = text(response)
    assert response.status_code == 200
    assert "Aucune démarche ne correspond à votre recherche." in page
    assert "Afficher toutes les démarches" in page


def test_in_english_names_are_english_and_untranslated_ones_fall_back_to_french(client, settings):
    # given
    PublishedTypeFactory(name_fr="Classe virtuelle", name_en="Virtual class")
    PublishedTypeFactory(name_fr="Aide aux sorties", name_en=None)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    # when
    response = client.get(HOME, {"q": "class"})
    fallback = client.get(HOME, {"q": "sorties"})

    # then
    with translation.override("en"):
        assert tiles(response) == ["Virtual class"]
        assert tiles(fallback) == ["Aide aux sorties"]
    assert "Online procedures" in text(response)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "a" * 1_000_000}, "200"),
        ({"q": "x" * 201}, "200"),
        ({"theme": "abc"}, None),
        ({"theme": "999999"}, None),
    ],
)
def test_bad_filters_answer_400_with_the_whole_catalogue(client, params, message):
    # given
    PublishedTypeFactory(name="Classe virtuelle")

    # when
    response = client.get(HOME, params)

    # then
    assert response.status_code == 400
    assert tiles(response) == ["Classe virtuelle"]
    if message:
        assert message in text(response)


def test_a_nul_byte_in_the_search_answers_400(client):
    response = client.get(HOME, {"q": "eco\x00le"})
    assert response.status_code == 400


def test_the_catalogue_reads_no_request_and_costs_the_same_queries_for_2_or_30_types(client):
    # given
    def queries() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(HOME, {"q": "démarche"}).status_code == 200
        return [q["sql"] for q in captured.captured_queries]

    PublishedTypeFactory.create_batch(2)
    few = queries()

    # when
    for theme in ThemeFactory.create_batch(5):
        PublishedTypeFactory.create_batch(6, theme=theme)
    many = queries()

    # then
    assert len(few) == len(many) <= 3
    assert not [sql for sql in many if "servicerequest" in sql or "tasks_app" in sql]


def test_a_logged_in_citizen_sees_the_catalogue_too(client, citizen):
    PublishedTypeFactory(name="Classe virtuelle")
    client.force_login(citizen)
    response = client.get(HOME)
    assert response.status_code == 200
    assert tiles(response) == ["Classe virtuelle"]
    assert reverse("portal:my_requests") in text(response)
