"""The report builder in Chromium: a manager builds a report, sorts it by a header, downloads
its CSV and its PDF; an agent arranges the home's dashlets with the keyboard. ``SCREENSHOTS=dir``
keeps a picture of each page at 1366 and 390 px."""

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from contacts.models import Call
from reporting.models import DashletLayout, SavedReport
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("SCREENSHOTS")
DASHLET_KEYS = "sections => sections.map(section => section.dataset.dashlet)"


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
def calls(transactional_db):
    for subject, minutes, direction in [
        ("Suivi Dupont", 25, "outbound"),
        ("Accueil Diallo", 10, "inbound"),
        ("Bilan Roy", 40, "outbound"),
    ]:
        factories.CallFactory(subject=subject, duration_minutes=minutes, direction=direction)


@pytest.mark.parametrize("width", [1366, 390])
def test_a_manager_builds_sorts_and_exports_a_report(page: Page, live_server, calls, width):
    manager = factories.manager(email="gestion@example.org", first_name="Gisèle")
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, manager)
    # the saved reports, from the side menu on a wide screen
    page.goto("/reports/saved/")
    page.get_by_label("Source").select_option("calls")
    page.get_by_role("button", name="Nouveau rapport").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nouveau rapport")
    page.locator("#id_name").fill("Appels du mois")
    columns = page.get_by_test_id("columns")
    for label in ("Sujet", "Direction", "Durée (minutes)"):
        box = columns.get_by_label(label, exact=True)
        if not box.is_checked():
            box.check()
    for label in ("Date et heure", "État", "Assigné à"):
        box = columns.get_by_label(label, exact=True)
        if box.is_checked():
            box.uncheck()
    # each filter's parts are labelled for a screen reader ("Filtre 1 : champ"…)
    expect(page.get_by_label("Filtre 1 : champ")).to_be_visible()
    page.locator("#id_filter_0_field").select_option("duration_minutes")
    page.locator("#id_filter_0_op").select_option("gte")
    page.locator("#id_filter_0_value").fill("15")
    page.get_by_test_id("preview-report").click()
    preview = page.get_by_test_id("preview")
    expect(preview).to_contain_text("Suivi Dupont")
    expect(preview).not_to_contain_text("Accueil Diallo")
    shoot(page, f"report-preview-{width}")
    page.get_by_test_id("save-report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Appels du mois")
    table = page.get_by_test_id("report-table")
    expect(table.locator("tbody tr")).to_have_count(2)
    # sort by duration, descending (two clicks on the header)
    table.get_by_role("link", name=re.compile("Durée")).click()
    expect(page).to_have_url(re.compile(r"sort=c_duration_minutes"))
    page.get_by_test_id("report-table").get_by_role("link", name=re.compile("Durée")).click()
    expect(page).to_have_url(re.compile(r"sort=-c_duration_minutes"))
    first = page.get_by_test_id("report-table").locator("tbody tr").first
    expect(first).to_contain_text("Bilan Roy")
    shoot(page, f"report-sorted-{width}")
    # the CSV follows the page's order
    with page.expect_download() as csv_download:
        page.get_by_test_id("export-csv").click()
    path = csv_download.value.path()
    content = Path(path).read_text(encoding="utf-8-sig")
    lines = content.strip().splitlines()
    assert lines[0] == '"Sujet";"Direction";"Durée (minutes)"'
    assert lines[1].startswith('"Bilan Roy"') and lines[2].startswith('"Suivi Dupont"')
    assert csv_download.value.suggested_filename == "appels-du-mois.csv"
    with page.expect_download() as pdf_download:
        page.get_by_test_id("export-pdf").click()
    assert Path(pdf_download.value.path()).read_bytes().startswith(b"%PDF")
    assert SavedReport.objects.get().name == "Appels du mois"
    # read over a period: the last week only, the sort kept
    since = timezone.localdate() - dt.timedelta(days=7)
    Call.objects.filter(subject="Bilan Roy").update(
        starts_at=timezone.now() - dt.timedelta(days=60)
    )
    period = page.get_by_test_id("report-period")
    period.get_by_label("Du").fill(since.isoformat())
    period.get_by_role("button", name="Filtrer").click()
    expect(page).to_have_url(re.compile(rf"date_from={since.isoformat()}.*sort=-c_duration"))
    rows = page.get_by_test_id("report-table").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Suivi Dupont")
    expect(page.get_by_test_id("export-csv")).to_have_attribute(
        "href", re.compile(rf"date_from={since.isoformat()}")
    )
    shoot(page, f"report-period-{width}")
    # nothing overflows a phone's width
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1


def test_an_agent_arranges_the_home_with_the_keyboard(page: Page, live_server, transactional_db):
    agent = factories.agent(email="agent@example.org", first_name="Julie")
    log_in(page, agent)
    # the lazy dashlets load themselves
    expect(page.get_by_test_id("dashlet-my_tasks")).to_be_visible()
    expect(page.get_by_test_id("dashlet-week_chart").locator("svg")).to_be_visible()
    shoot(page, "home-dashlets-1366")
    page.get_by_text("Organiser mon accueil").click()
    down = page.locator("#down-my_tasks")
    down.focus()
    page.keyboard.press("Enter")
    # htmx swaps the region and gives the focus back to the same button
    shown = page.locator("section[data-dashlet]")
    expect(shown.nth(2)).to_have_attribute("data-dashlet", "my_tasks")
    expect(page.locator("#down-my_tasks")).to_be_focused()
    page.keyboard.press("Enter")
    expect(shown.nth(3)).to_have_attribute("data-dashlet", "my_tasks")
    expect(page.locator("#down-my_tasks")).to_be_focused()
    order = page.locator("section[data-dashlet]").evaluate_all(DASHLET_KEYS)
    assert order[:4] == ["counts", "queue", "sla_at_risk", "my_tasks"]
    assert DashletLayout.objects.get(user=agent).dashlets[:4] == order[:4]
    shoot(page, "home-arranging-1366")
    page.reload()
    order = page.locator("section[data-dashlet]").evaluate_all(DASHLET_KEYS)
    assert order[:4] == ["counts", "queue", "sla_at_risk", "my_tasks"]
