"""Small things seen by agents: group sizes, the side menu, tables, favicon, refused imports."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from crm.selectors import assignment_groups_of
from tests import factories

pytestmark = pytest.mark.django_db


def _nav(html: str) -> str:
    """The back office's side menu."""
    start = html.index('id="agent-nav"')
    return html[start : html.index("</nav>", start)]


def test_agent_home_counts_every_member_of_each_group(client):
    # given
    agent = factories.agent(language="fr")
    big = factories.AssignmentGroupFactory(name="Registrariat")
    big.members.add(agent, factories.agent(), factories.agent())
    small = factories.AssignmentGroupFactory(name="Scolarité")
    small.members.add(agent)
    client.force_login(agent)
    # when
    response = client.get(reverse("agent:home"))
    # then
    html = response.content.decode()
    assert "3 membres" in html
    assert "1 membre<" in html
    counts = {g.name: g.member_count for g in assignment_groups_of(user=agent)}
    assert counts == {"Registrariat": 3, "Scolarité": 1}


@pytest.mark.parametrize(
    ("url", "label"),
    [
        (reverse("agent:home"), "Home"),
        (reverse("tasks:kanban"), "Kanban"),
        (reverse("tasks:all"), "All tasks"),
        (reverse("requests:list"), "Requests"),
        (reverse("incidents:all"), "Incidents"),
        (reverse("imports:upload"), "Course-grid import"),
    ],
)
def test_side_menu_marks_the_current_page_and_only_it(client, url, label):
    # given
    client.force_login(factories.agent(language="en"))
    # when
    nav = _nav(client.get(url).content.decode())
    # then
    current = re.findall(
        r'<a class="nav-link active" aria-current="page" href="[^"]*">(.*?)</a>', nav
    )
    assert len(current) == 1
    assert label in current[0]


def test_import_entry_appears_once_in_the_menu_of_the_import_pages(client, settings, tmp_path):
    # given
    settings.MEDIA_ROOT = tmp_path
    agent = factories.agent(language="en")
    job = factories.CourseGridImportFactory(uploaded_by=agent)
    client.force_login(agent)
    for url in (reverse("imports:upload"), reverse("imports:detail", args=[job.pk])):
        # when
        nav = _nav(client.get(url).content.decode())
        # then
        assert nav.count(f'href="{reverse("imports:upload")}"') == 1
        assert 'aria-current="page" href="/agent/import/"' in nav


@pytest.mark.parametrize("name", ["tasks:all", "requests:list", "incidents:all"])
def test_every_table_of_the_lists_scrolls_inside_its_box(client, name):
    # given
    client.force_login(factories.agent())
    # when
    html = client.get(reverse(name)).content.decode()
    # then
    tables = html.count("<table")
    assert tables >= 1
    assert len(re.findall(r'<div class="table-responsive">\s*<table', html)) == tables


def test_history_tables_scroll_inside_their_box():
    # given
    from django.template.loader import render_to_string

    entry = {
        "when": None,
        "who": "x",
        "kind": "changed",
        "changes": [{"field": "t", "old": 1, "new": 2}],
    }
    # when
    html = render_to_string("includes/history.html", {"history": [entry]})
    # then
    assert re.search(r'<div class="table-responsive"><table', html)


def test_pages_name_their_icon_and_favicon_ico_leads_to_it(client):
    # when
    page = client.get(reverse("portal:home")).content.decode()
    response = client.get("/favicon.ico")
    # then
    assert '<link rel="icon" href="/static/favicon.svg"' in page
    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.svg"
    assert finders.find("favicon.svg")


@pytest.mark.parametrize(
    ("fields", "outcome", "label"),
    [
        ({"report": {"created": 0, "rejected": 2, "applied": False}}, "refused", "refused"),
        ({"report": {"created": 3, "rejected": 0, "applied": True}}, "done", "done"),
        (
            {"report": {"created": 2, "rejected": 1, "applied": True}, "skip_invalid": True},
            "done",
            "done",
        ),
        ({"status": "failed", "report": {"error": "x"}}, "failed", "failed"),
    ],
)
def test_import_list_tells_a_refused_import_from_a_done_one(
    client, settings, tmp_path, fields, outcome, label
):
    # given
    settings.MEDIA_ROOT = tmp_path
    agent = factories.agent(language="en")
    job = factories.CourseGridImportFactory(uploaded_by=agent, **fields)
    client.force_login(agent)
    # when
    html = client.get(reverse("imports:upload")).content.decode()
    detail = client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    # then
    badge = re.search(r'data-testid="import-status" data-outcome="(\w+)">([^<]*)<', html)
    assert badge.groups() == (outcome, label)
    assert f"· {label}" in detail


def test_a_refused_import_reads_refusee_in_french(client, settings, tmp_path):
    # given
    settings.MEDIA_ROOT = tmp_path
    agent = factories.agent(language="fr")
    factories.CourseGridImportFactory(
        uploaded_by=agent, report={"created": 0, "rejected": 2, "applied": False}
    )
    client.force_login(agent)
    # when
    html = client.get(reverse("imports:upload")).content.decode()
    # then
    assert ">refusée<" in html
    assert ">terminée<" not in html
