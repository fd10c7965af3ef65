"""A manager reads the dashboards in Chromium: opens /reports/, filters by channel, moves to
the service levels, and downloads a table's CSV and the page's PDF; at a phone's width the
charts shrink to the screen instead of overflowing it."""

import re

import pytest
from playwright.sync_api import Page, expect

from reporting import summaries
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def figures(transactional_db):
    group = factories.AssignmentGroupFactory(name="Accueil")
    permit = factories.chain(["1"], group=group, name="Permis de construire")
    for channel in ("portal", "portal", "phone"):
        factories.ServiceRequestFactory(request_type=permit, channel=channel)
    summaries.summaries_refresh(full=True)
    return factories.manager(email="gestion@example.org", language="en")


def log_in(page: Page, user) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(factories.PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/agent/$"))


def test_a_manager_filters_the_dashboard_and_downloads_its_files(page: Page, figures, tmp_path):
    log_in(page, figures)
    page.get_by_role("link", name=re.compile(r"^\W*Reports$")).click()
    expect(page).to_have_url(re.compile(r"/reports/$"))
    totals = page.get_by_test_id("report-section").first
    expect(totals.locator("tbody tr").first).to_contain_text("3")

    page.locator("#id_channel").select_option("phone")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"channel=phone"))
    expect(totals.locator("tbody tr").first.locator("td").nth(1)).to_have_text("1")
    expect(page.locator("figure.chart-svg svg").first).to_be_visible()

    page.get_by_role("link", name="Service levels").click()
    expect(page).to_have_url(re.compile(r"/reports/service-levels/\?.*channel=phone"))
    page.get_by_role("link", name="Volume").click()

    with page.expect_download() as csv_download:
        page.get_by_test_id("export-csv").first.click()
    csv_path = tmp_path / "table.csv"
    csv_download.value.save_as(csv_path)
    assert '"Requests";"1";"0";"1"' in csv_path.read_text(encoding="utf-8-sig")

    with page.expect_download() as pdf_download:
        page.get_by_test_id("export-pdf").click()
    pdf_path = tmp_path / "volume.pdf"
    pdf_download.value.save_as(pdf_path)
    assert pdf_path.read_bytes().startswith(b"%PDF")


def test_charts_fit_a_phone(page: Page, figures):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, figures)
    page.goto("/reports/")

    chart = page.locator("figure.chart-svg svg").first
    expect(chart).to_be_visible()
    width = chart.evaluate("svg => svg.getBoundingClientRect().width")
    assert 0 < width <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
