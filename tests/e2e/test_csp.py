"""The main pages work in Chromium under the Content-Security-Policy, with no violation.

Every violation is collected twice: the ``securitypolicyviolation`` events (listened to by a
script that Playwright injects, which the page's policy does not govern) and Chromium's own
console messages ("Refused to …"). A first test proves that the collector sees a violation.
"""

import re

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import Page, expect

from requests_app.imports import rows as course_grid
from requests_app.models import CourseGridImport
from tasks_app.models import Task
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error("CSP violation: " + event.violatedDirective + " " + event.blockedURI
    + " at " + event.sourceFile + ":" + event.lineNumber);
});
"""
VIOLATION = re.compile(r"CSP violation|Content Security Policy|Refused to")


@pytest.fixture
def violations(page: Page) -> list[str]:
    seen: list[str] = []
    page.context.add_init_script(LISTENER)
    page.on(
        "console",
        lambda message: (
            seen.append(f"{page.url}: {message.text}") if VIOLATION.search(message.text) else None
        ),
    )
    return seen


def log_in(page: Page, user) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(factories.PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_load_state()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def visit(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")


def test_the_collector_sees_a_refused_inline_style(page: Page, live_server, violations):
    # given a page under the policy
    visit(page, "/accounts/login/")
    # when something slips a style attribute and an inline script into it
    page.evaluate(
        """() => {
        document.body.insertAdjacentHTML("beforeend", '<p style="color: red">x</p>');
        const script = document.createElement("script");
        script.textContent = "window.ran = true";
        document.body.appendChild(script);
    }"""
    )
    page.wait_for_timeout(200)
    # then both are refused and reported
    assert page.evaluate("() => window.ran === undefined")
    assert any("style-src" in v for v in violations), violations
    assert any("script-src" in v for v in violations), violations


@pytest.fixture
def world(transactional_db):
    group = factories.AssignmentGroupFactory(name="Techno-pédagogues")
    agent = factories.agent(email="agent@example.org", first_name="Julie", last_name="Gagnon")
    group.members.add(agent)
    citizen = factories.citizen(email="citoyen@example.org")
    request_type = factories.chain_request_type(group=group, steps=2, code="SYNC")
    service_request = factories.ServiceRequestFactory(
        requester=citizen.client, request_type=request_type, title="MED1001 A2026"
    )
    incident = factories.IncidentFactory(requester=citizen.client, title="Micro muet")
    running = CourseGridImport.objects.create(
        uploaded_by=agent,
        original_name="grille.csv",
        file="imports/grille.csv",
        dry_run=False,
        status=CourseGridImport.Status.RUNNING,
        total_rows=10,
        started_at=timezone.now(),
    )
    cache.set(course_grid.progress_cache_key(running.pk), 4)
    factories.SLAPolicyFactory()
    return {
        "agent": agent,
        "citizen": citizen,
        "administrator": factories.administrator(email="admin@example.org"),
        "request": service_request,
        "first_task": service_request.tasks.get(status=Task.Status.OPEN),
        "incident": incident,
        "import": running,
        "group": group,
    }


def test_agent_pages_raise_no_violation(page: Page, live_server, violations, world):
    # given an agent, on the login page
    visit(page, "/accounts/login/")
    log_in(page, world["agent"])
    # when the agent walks the back office
    for url in [
        "/agent/",
        "/agent/tasks/",
        "/agent/tasks/queue/",
        "/agent/tasks/all/",
        world["first_task"].get_absolute_url(),
        world["request"].get_absolute_url(),
        "/agent/requests/",
        "/agent/incidents/",
        "/agent/incidents/all/",
        world["incident"].get_absolute_url(),
        "/agent/import/",
        f"/agent/import/{world['import'].pk}/",
        "/notifications/",
    ]:
        visit(page, url)
    # the user menu (Bootstrap's dropdown, positioned through element.style)
    page.locator("#user-menu").click()
    expect(page.get_by_test_id("logout")).to_be_visible()
    # the client picker of the assisted request (an htmx request and swap)
    visit(page, "/agent/requests/new/")
    with page.expect_response(re.compile(r"/agent/clients/search/")):
        page.locator("input[name=client_q]").fill("Citoy")
    page.wait_for_load_state("networkidle")
    # the Kanban: the group select submits its form, and a card is dragged
    page.set_viewport_size({"width": 1366, "height": 900})
    visit(page, "/agent/tasks/kanban/")
    page.locator("select[name=group]").select_option(str(world["group"].pk))
    expect(page).to_have_url(re.compile(rf"group={world['group'].pk}"))
    card = page.get_by_test_id(f"card-{world['first_task'].pk}")
    card.drag_to(page.get_by_test_id("column-in_progress"))
    expect(page.get_by_test_id("kanban-message")).to_have_class(re.compile(r"\balert-success\b"))
    # then
    assert violations == []


def test_portal_and_admin_pages_raise_no_violation(page: Page, live_server, violations, world):
    # given the citizen's pages
    visit(page, "/")
    log_in(page, world["citizen"])
    for url in ["/", "/my/requests/", f"/my/requests/{world['request'].pk}/"]:
        visit(page, url)
    page.context.clear_cookies()
    # and the administrator's, the pages Guichet customised among them
    log_in(page, world["administrator"])
    policy = factories.SLAPolicyFactory()
    chain = world["request"].request_type.chain_template
    for url in [
        "/admin/",
        "/admin/requests_app/slapolicy/",
        f"/admin/requests_app/slapolicy/{policy.pk}/change/",
        f"/admin/requests_app/businesscalendar/{policy.calendar_id}/change/",
        "/admin/tasks_app/chaintemplate/add/",
        f"/admin/tasks_app/chaintemplate/{chain.pk}/change/",
        f"/admin/tasks_app/chaintemplate/{chain.pk}/history/",
        "/admin/requests_app/servicerequest/",
        "/admin/tasks_app/task/",
        "/admin/django_celery_beat/periodictask/add/",
    ]:
        visit(page, url)
    # then
    assert violations == []
