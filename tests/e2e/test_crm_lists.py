"""The CRM's lists and the shell's global search in Chromium: the client list with its filter
panel open fits a phone (the table scrolls inside its box, the page does not), the instant
search swaps the list and pushes the URL, and the global search box drops down its top
matches as one types. ``SCREENSHOTS=dir`` keeps a picture of each, light and dark, FR and EN."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("SCREENSHOTS")


def log_in(page: Page, user) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(factories.PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/agent/$"))


def shoot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


@pytest.fixture
def crm(transactional_db):
    agent = factories.agent(email="agent@example.org", first_name="Julie", last_name="Gagnon")
    clients = []
    for index, (first, last) in enumerate(
        [("Léa", "Jodöin"), ("Marc", "Jodoin-Tremblay"), ("Amina", "Diallo"), ("Paul", "Roy")]
    ):
        client = factories.ClientFactory(
            first_name=first,
            last_name=last,
            email=f"{first.lower()}.{index}@exemple.quebec",
            city="Montréal" if index % 2 else "Laval",
            client_type="newcomer",
            owner=agent if index < 2 else None,
        )
        clients.append(client)
    partner = factories.PartnerFactory(name="Jodoin Électrique inc.", city="Longueuil")
    factories.ContactFactory(partner=partner, first_name="Sylvie", last_name="Jodoin")
    factories.ServiceRequestFactory(requester=clients[2], title="Demande de soutien Jodoin")
    return agent


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_client_list_with_its_filter_panel_open_fits_the_screen(
    page: Page, live_server, crm, width, theme, language
):
    # given an agent in that theme and language, on that screen
    crm.theme, crm.language = theme, language
    crm.save(update_fields=["theme", "language"])
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, crm)
    # when the client list opens with the advanced filter panel
    page.goto("/agent/clients/")
    page.get_by_test_id("crm-advanced-toggle").click()
    expect(page.get_by_test_id("crm-advanced")).to_be_visible()
    # its fields load as it opens, and it ends open to their full height
    expect(page.get_by_test_id("crm-advanced-fields")).to_be_visible()
    expect(page.locator("#crm-advanced.collapse.show")).to_have_count(1)
    page.locator("#id_city").fill("laval")
    page.locator("#id_city").dispatch_event("change")
    expect(page).to_have_url(re.compile(r"city=laval"))
    expect(page.get_by_test_id("crm-table").locator("tbody tr")).to_have_count(2)
    shoot(page, f"clients-{width}-{theme}-{language}")
    # then nothing sticks out of the page: the table scrolls inside its own box
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_instant_search_swaps_the_list_and_pushes_the_url(page: Page, live_server, crm):
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, crm)
    page.goto("/agent/clients/")
    expect(page.get_by_test_id("crm-table").locator("tbody tr")).to_have_count(4)
    # when "jodoin" is typed (no accent), without pressing anything, once the scripts run
    page.wait_for_load_state("load")
    page.wait_for_function("() => window.htmx !== undefined")
    page.locator("#id_q").press_sequentially("jodoin")
    # then the list shows the two Jodoins, and the address says so
    expect(page.get_by_test_id("crm-table").locator("tbody tr")).to_have_count(2)
    expect(page.get_by_test_id("crm-table")).to_contain_text("Jodöin")
    expect(page).to_have_url(re.compile(r"q=jodoin"))
    # and a click on a column header sorts the list, keeping the search; a second, backwards
    rows = page.get_by_test_id("crm-table").locator("tbody tr")
    header = page.get_by_test_id("crm-table").locator("thead a", has_text=re.compile("Nom"))
    header.click()
    expect(page).to_have_url(re.compile(r"q=jodoin&sort=name$"))
    first = rows.first.inner_text()
    header = page.get_by_test_id("crm-table").locator("thead a", has_text=re.compile("Nom"))
    header.click()
    expect(page).to_have_url(re.compile(r"sort=-name"))
    expect(rows.last).to_have_text(first)
    # and "my items" keeps the search and the sort
    page.get_by_test_id("crm-mine").check()
    expect(page).to_have_url(re.compile(r"mine=on"))
    expect(page.get_by_test_id("crm-table").locator("tbody tr")).to_have_count(2)
    # saving the filter keeps what is on the screen now
    page.locator("#saved-filter-name").fill("Mes Jodoin")
    page.get_by_test_id("save-filter-form").locator("button").click()
    saved = page.get_by_test_id("saved-filter").filter(has_text="Mes Jodoin")
    expect(saved).to_be_visible()
    href = saved.locator("a").get_attribute("href")
    assert "q=jodoin" in href and "mine=on" in href and "sort=-name" in href


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_global_search_drops_down_its_top_matches(page: Page, live_server, crm, width, theme):
    crm.theme = theme
    crm.save(update_fields=["theme"])
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, crm)
    if width < 768:
        # a phone has the search icon, which opens the results page
        page.locator("a[href='/agent/search/']").first.click()
        page.locator("#search-page-q").fill("jodoin")
        page.locator("#search-page-q").press("Enter")
        expect(page.get_by_test_id("search-group-client")).to_contain_text("Jodöin")
        shoot(page, f"search-page-{width}-{theme}")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        return
    # typed once the page's scripts have taken over the box (a loaded machine may be slower)
    page.wait_for_load_state("load")
    page.wait_for_function("() => window.htmx !== undefined")
    page.locator("#global-search-q").press_sequentially("jodoin")
    dropdown = page.get_by_test_id("search-suggest")
    expect(dropdown).to_be_visible()
    for found in ("Léa Jodöin", "Jodoin Électrique inc.", "Sylvie Jodoin", "Demande de soutien"):
        expect(dropdown).to_contain_text(found)
    shoot(page, f"search-dropdown-{width}-{theme}")
    page.keyboard.press("Escape")
    expect(dropdown).to_have_count(0)
