"""A visitor, not logged in, browses the catalogue: filters by theme, searches without accents,
opens a procedure page with the keyboard and comes back through the breadcrumbs."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.requests_app.catalogue.factories import (
    LaunchButtonFactory,
    ProcedureStepFactory,
    PublishedTypeFactory,
    ThemeFactory,
)

# Transactional: the live server answers from another thread and must see the test's data.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalogue(transactional_db):
    works = ThemeFactory(name="Travaux et équipements", name_en="Works", position=1)
    aid = ThemeFactory(name="Aides et subventions", name_en="Aid", position=2)
    PublishedTypeFactory(code="TRAVAUX", name="Demande de travaux", theme=works, icon="tools")
    PublishedTypeFactory(code="EQUIP", name="Équipement numérique", theme=works)
    bike = PublishedTypeFactory(
        code="VELO",
        name="Aide à l'achat d'un vélo",
        theme=aid,
        icon="bicycle",
        summary="Une aide pour vous déplacer à vélo.",
    )
    ProcedureStepFactory(request_type=bike, position=1, title="Déposez votre demande")
    ProcedureStepFactory(request_type=bike, position=2, title="Recevez l'aide")
    LaunchButtonFactory(request_type=bike, label="Demander l'aide")
    return {"works": works, "aid": aid, "bike": bike}


def test_visitor_filters_searches_and_opens_a_procedure(page: Page, live_server, catalogue):
    tiles = page.get_by_test_id("tile")

    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", name="Démarches en ligne", level=1)).to_be_visible()
    expect(tiles).to_have_count(3)

    # Filter by theme.
    themes = page.get_by_test_id("themes")
    themes.get_by_role("link", name=re.compile("^Travaux et équipements")).click()
    expect(tiles).to_have_count(2)
    expect(themes.get_by_role("link", name=re.compile("^Travaux"))).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.get_by_test_id("result-count")).to_contain_text("2 démarches")

    # Back to every theme, then search without the accents, with the keyboard.
    themes.get_by_role("link", name="Toutes les thématiques").click()
    expect(tiles).to_have_count(3)
    search = page.get_by_label("Rechercher une démarche")
    search.fill("velo")
    search.press("Enter")
    expect(tiles).to_have_count(1)
    expect(tiles.first).to_contain_text("Aide à l'achat d'un vélo")
    expect(search).to_have_value("velo")

    # Open the procedure from the keyboard: its link takes the focus, Enter follows it.
    link = tiles.first.get_by_role("link", name="Aide à l'achat d'un vélo")
    link.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/services/velo/")
    expect(page.get_by_role("heading", name="Aide à l'achat d'un vélo", level=1)).to_be_visible()
    steps = page.get_by_test_id("steps").locator("li")
    expect(steps).to_have_count(2)
    expect(steps.first).to_contain_text("Déposez votre demande")
    expect(page.get_by_role("link", name="Demander l'aide").first).to_have_attribute(
        "href", "/services/velo/start/"
    )

    # The breadcrumbs lead back to the theme.
    crumbs = page.get_by_test_id("breadcrumb")
    crumbs.get_by_role("link", name="Aides et subventions").click()
    expect(tiles).to_have_count(1)
    expect(page).to_have_url(re.compile(rf"\?theme={catalogue['aid'].pk}$"))


@pytest.mark.parametrize("width", [1366, 390])
def test_tiles_fit_the_screen_without_sideways_scrolling(page: Page, catalogue, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/")
    expect(page.get_by_test_id("tile")).to_have_count(3)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    page.goto("/services/velo/")
    expect(page.get_by_role("link", name="Demander l'aide")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
