"""The dashboards' pages, their PDF and CSV downloads: who may open them, bad filters, the
content of the files, and a constant number of queries."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from reporting.dashboards import DASHBOARDS
from tests import factories
from tests.crm.test_csp import InlineFinder

from .conftest import at, filed, refresh

pytestmark = pytest.mark.django_db

PAGES = [reverse("reports:index")] + [
    reverse("reports:dashboard", args=[slug]) for slug in DASHBOARDS
]
MARCH = {"date_from": "2026-03-01", "date_to": "2026-03-31"}


@pytest.fixture
def data(group_a):
    permit = factories.chain(["1"], group=group_a, name='=HYPERLINK("http://x")')
    filed(permit, created=at(2026, 3, 2, 10))
    filed(permit, created=at(2026, 3, 7, 23, 30), channel="phone")
    refresh()
    return permit


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("persona", ["manager", "administrator"])
def test_managers_and_administrators_read_every_dashboard(request, login, url, persona, data):
    response = login(request.getfixturevalue(persona)).get(url, MARCH)

    assert response.status_code == 200
    assert b"chart-svg" in response.content


@pytest.mark.parametrize("url", [*PAGES, reverse("reports:pdf", args=["volume"])])
@pytest.mark.parametrize("persona", ["agent", "citizen"])
def test_agents_and_citizens_are_refused(request, login, url, persona):
    assert login(request.getfixturevalue(persona)).get(url).status_code == 403


@pytest.mark.parametrize("url", [PAGES[0], reverse("reports:csv", args=["volume", 1])])
def test_anonymous_visitors_go_to_the_login_page(client, url):
    response = client.get(url)

    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "2026-13-01"},
        {"date_from": "2026-03-31", "date_to": "2026-03-01"},
        {"date_from": "2000-01-01", "date_to": "2026-01-01"},
        {"group": "999999"},
        {"group": "abc"},
        {"channel": "pigeon"},
        {"request_type": "-1"},
        {"category": "1e9"},
    ],
)
def test_bad_filters_are_a_400_with_the_form(login, manager, params):
    response = login(manager).get(PAGES[0], params)

    assert response.status_code == 400
    assert b"invalid-feedback" in response.content


def test_unknown_dashboard_is_404(login, manager):
    assert login(manager).get("/reports/nothing-here/").status_code == 404


def test_the_page_has_no_inline_script_or_style(login, reader, data):
    response = login(reader).get(PAGES[0], MARCH)
    finder = InlineFinder()
    finder.feed(response.content.decode())

    assert finder.found == []
    assert "Content-Security-Policy" in response.headers
    assert b"<svg" in response.content and b"viewBox" in response.content


def test_the_page_says_how_fresh_its_figures_are(login, reader, data):
    response = login(reader).get(PAGES[0], MARCH)

    assert b'data-testid="freshness"' in response.content
    assert "Figures as of" in response.content.decode()


@pytest.mark.parametrize("slug", list(DASHBOARDS))
def test_queries_do_not_grow_with_the_rows(
    login, manager, data, slug, django_assert_max_num_queries
):
    client = login(manager)
    url = reverse("reports:dashboard", args=[slug])
    client.get(url, MARCH)
    with django_assert_max_num_queries(22):
        assert client.get(url, MARCH).status_code == 200
    for day in (3, 4, 5):
        filed(data, created=at(2026, 3, day))
    refresh()
    with django_assert_max_num_queries(22):
        assert client.get(url, MARCH).status_code == 200


def test_the_csv_of_a_table_escapes_formulas(login, reader, data):
    response = login(reader).get(reverse("reports:csv", args=["volume", 4]), MARCH)
    body = b"".join(response.streaming_content).decode("utf-8-sig")

    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    lines = body.splitlines()
    assert lines[0] == '"Request type";"Received";"Resolved"'
    assert lines[1] == '"\'=HYPERLINK(""http://x"")";"2";"0"'


def test_a_section_out_of_range_is_404(login, reader, data):
    assert login(reader).get(reverse("reports:csv", args=["volume", 99])).status_code == 404


def test_the_requests_received_stream(login, reader, data):
    response = login(reader).get(reverse("reports:requests_csv"), MARCH)
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()

    assert len(lines) == 3
    assert lines[1].startswith('"REQ')
    assert '"2026-03-07T23:30:00"' in lines[2]


def test_the_pdf_holds_the_body_name_period_titles_and_figures(login, reader, data, settings):
    settings.GUICHET_BODY_NAME = "Ville de Saint-Exemple"
    response = login(reader).get(reverse("reports:pdf", args=["volume"]), MARCH)

    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "VILLE DE SAINT-EXEMPLE" in text.upper()
    assert "Volume" in text
    assert "2026" in text and "03" in text
    assert "Requests by type" in text
    assert "=HYPERLINK" in text


def test_a_page_is_built_again_after_a_refresh_of_the_summaries(login, reader, data):
    client = login(reader)
    before = client.get(PAGES[0], MARCH).content
    filed(data, created=at(2026, 3, 20))

    cached = client.get(PAGES[0], MARCH).content
    refresh()
    after = client.get(PAGES[0], MARCH).content

    # Until the next refresh the figures cannot change: the page is the one already drawn.
    assert cached.count(b"<svg") == before.count(b"<svg")
    assert _received_requests(cached) == _received_requests(before) == "2"
    assert _received_requests(after) == "3"


def _received_requests(html: bytes) -> str:
    """The first figure of the totals' table: requests received."""
    row = html.decode().split('data-testid="report-section"', 1)[1].split("<tbody>", 1)[1]
    return row.split('<td class="text-end font-monospace">', 1)[1].split("<", 1)[0]
