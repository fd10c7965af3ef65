"""The whole manager journey of the reporting, in Chromium: a manager opens the dashboard,
filters it by period, group and request type, builds a report in the report builder, sorts it
by a column header, and downloads its CSV and its PDF, whose contents are read back.

``SCREENSHOTS=dir`` keeps a picture of each page passed through, at 1366 and 390 px."""

import io
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import formats, timezone, translation
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from reporting import summaries
from reporting.models import SavedReport
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("SCREENSHOTS")
NAME = "Toitures en cours"


def shoot(page: Page, name: str) -> None:
    if not SCREENSHOTS:
        return
    Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{SCREENSHOTS}/manager-{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


@pytest.fixture
def service(transactional_db):
    """Two groups, each with its request type; five requests, three of them on roofs."""
    reception = factories.AssignmentGroupFactory(name="Accueil")
    roads = factories.AssignmentGroupFactory(name="Voirie")
    permit = factories.chain(["1"], group=reception, name="Permis de construire", code="PC")
    pothole = factories.chain(["1"], group=roads, name="Nid-de-poule", code="NDP")
    for request_type, title, channel in [
        (permit, "Toiture nord", "portal"),
        (permit, "Toiture sud", "phone"),
        (permit, "Agrandissement garage", "portal"),
        (pothole, "Toiture abri bus", "portal"),
        (pothole, "Rue Ontario", "email"),
    ]:
        factories.ServiceRequestFactory(request_type=request_type, title=title, channel=channel)
    summaries.summaries_refresh(full=True)
    manager = factories.manager(email="gestion@example.org", first_name="Gisèle")
    return {"manager": manager, "reception": reception, "permit": permit}


def log_in(page: Page, user) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(factories.PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/agent/$"))


def received(page: Page):
    """The count of requests received, in the volume dashboard's first table."""
    totals = page.get_by_test_id("report-section").first
    return totals.locator("tbody tr").first.locator("td").nth(1)


def test_a_manager_filters_the_dashboard_builds_sorts_and_exports_a_report(
    page: Page, service, tmp_path
):
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, service["manager"])

    # the dashboard, from the menu
    page.get_by_role("link", name="Rapports").first.click()
    expect(page).to_have_url(re.compile(r"/reports/$"))
    expect(received(page)).to_have_text("5")

    # filtered by a period, a group and a request type
    today = timezone.localdate()
    page.locator("#id_date_from").fill((today - timedelta(days=6)).isoformat())
    page.locator("#id_date_to").fill(today.isoformat())
    page.locator("#id_group").select_option(label="Accueil")
    page.locator("#id_request_type").select_option(str(service["permit"].pk))
    page.get_by_role("button", name="Filtrer").click()
    expect(page).to_have_url(re.compile(rf"group={service['reception'].pk}"))
    expect(page).to_have_url(re.compile(rf"request_type={service['permit'].pk}"))
    expect(page).to_have_url(re.compile(rf"date_from={(today - timedelta(days=6)).isoformat()}"))
    expect(received(page)).to_have_text("3")
    expect(page.locator("#id_group")).to_have_value(str(service["reception"].pk))
    expect(page.locator("figure.chart-svg svg").first).to_be_visible()
    shoot(page, "dashboard")

    # a report on requests, built without a developer
    page.goto("/reports/saved/")
    page.get_by_label("Source").select_option("requests")
    page.get_by_role("button", name="Nouveau rapport").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nouveau rapport")
    page.locator("#id_name").fill(NAME)
    columns = page.get_by_test_id("columns")
    for label in ("Numéro", "Titre", "Canal", "Type de demande"):
        box = columns.get_by_label(label, exact=True)
        if not box.is_checked():
            box.check()
    for label in ("Statut", "État"):
        boxes = columns.get_by_label(label, exact=True)
        if boxes.count() and boxes.first.is_checked():
            boxes.first.uncheck()
    page.locator("#id_filter_0_field").select_option("title")
    page.locator("#id_filter_0_op").select_option("contains")
    page.locator("#id_filter_0_value").fill("Toiture")
    page.get_by_test_id("preview-report").click()
    preview = page.get_by_test_id("preview")
    expect(preview).to_contain_text("Toiture nord")
    expect(preview).not_to_contain_text("Rue Ontario")
    page.get_by_test_id("save-report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    table = page.get_by_test_id("report-table")
    expect(table.locator("tbody tr")).to_have_count(3)

    # sorted by title, descending: two clicks on the header
    table.get_by_role("link", name=re.compile("^Titre")).click()
    expect(page).to_have_url(re.compile(r"sort=c_title"))
    table = page.get_by_test_id("report-table")
    table.get_by_role("link", name=re.compile("^Titre")).click()
    expect(page).to_have_url(re.compile(r"sort=-c_title"))
    table = page.get_by_test_id("report-table")
    expect(table.locator("tbody tr").first).to_contain_text("Toiture sud")
    expect(table.locator("tbody tr").last).to_contain_text("Toiture abri bus")
    headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    shoot(page, "report")

    # its CSV: the page's headers, then its rows in the page's order
    with page.expect_download() as csv_download:
        page.get_by_test_id("export-csv").click()
    assert csv_download.value.suggested_filename == "toitures-en-cours.csv"
    csv_path = tmp_path / "report.csv"
    csv_download.value.save_as(csv_path)
    lines = csv_path.read_text(encoding="utf-8-sig").strip().splitlines()
    assert lines[0] == ";".join(f'"{h}"' for h in headers), (lines[0], headers)
    assert len(lines) == 4
    assert '"Toiture sud"' in lines[1] and '"Permis de construire"' in lines[1]
    assert '"Toiture abri bus"' in lines[3] and '"Nid-de-poule"' in lines[3]
    assert not any("Rue Ontario" in line for line in lines)

    # its PDF: the report's name, the period, the rows
    with page.expect_download() as pdf_download:
        page.get_by_test_id("export-pdf").click()
    assert pdf_download.value.suggested_filename == "toitures-en-cours.pdf"
    pdf = Path(pdf_download.value.path()).read_bytes()
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    text = re.sub(r"\s+", " ", text)
    with translation.override("fr"):
        period = "Au " + formats.date_format(today, "DATE_FORMAT")
    assert NAME in text, text
    assert period in text, text
    assert "Toiture sud" in text and "Rue Ontario" not in text
    assert SavedReport.objects.get().name == NAME
