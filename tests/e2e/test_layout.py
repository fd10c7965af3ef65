"""What an agent sees, measured in Chromium: the Kanban's columns at 1366 px, the bell's count
beside the user menu, and every status badge readable in the light and the dark theme."""

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from crm.models import Notification
from tasks_app.models import Task
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHADE = "(e, which) => getComputedStyle(e, which).opacity"
BOX = "(e) => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }"


def log_in(page: Page, user) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(factories.PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/agent/$"))


def overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.fixture
def agent_with_tasks(transactional_db):
    group = factories.AssignmentGroupFactory(name="Techno-pédagogues")
    agent = factories.agent(email="agent@example.org", first_name="Julie", last_name="Gagnon")
    group.members.add(agent)
    for status in (Task.Status.OPEN, Task.Status.IN_PROGRESS, Task.Status.ON_HOLD):
        factories.TaskFactory(
            assignment_group=group, status=status, title="Accompagnement techno-pédagogique"
        )
    return agent


@pytest.mark.parametrize("density", ["comfortable", "compact"])
def test_every_kanban_column_is_visible_at_1366_px(
    page: Page, live_server, agent_with_tasks, density
):
    # given an agent on a 1366 px screen
    agent_with_tasks.density = density
    agent_with_tasks.save(update_fields=["density"])
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, agent_with_tasks)
    # when the Kanban opens
    page.goto("/agent/tasks/kanban/")
    # then its five columns lie wholly inside the board and the window, with nothing to scroll
    board = page.locator(".kanban")
    board_box = board.evaluate(BOX)
    columns = page.locator(".kanban-column")
    expect(columns).to_have_count(5)
    for index in range(5):
        left, _top, right, _bottom = columns.nth(index).evaluate(BOX)
        assert board_box[0] <= left and right <= board_box[2] <= 1366, index
    assert board.evaluate("(e) => e.scrollWidth <= e.clientWidth")
    expect(page.get_by_test_id("kanban-frame")).not_to_have_class(re.compile(r"kanban-more"))


def test_a_kanban_too_wide_for_the_screen_scrolls_with_a_visible_bar(
    page: Page, live_server, agent_with_tasks
):
    # given a phone
    page.set_viewport_size({"width": 390, "height": 800})
    log_in(page, agent_with_tasks)
    # when the Kanban opens
    page.goto("/agent/tasks/kanban/")
    board = page.locator(".kanban")
    frame = page.get_by_test_id("kanban-frame")
    # then the board scrolls sideways, inside itself (not the page)
    assert board.evaluate("(e) => e.scrollWidth > e.clientWidth")
    assert board.evaluate("(e) => getComputedStyle(e).overflowX") == "auto"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    # and a shade on its right edge says that columns lie beyond, even with no scroll bar shown
    expect(frame).to_have_class(re.compile(r"\bkanban-more-right\b"))
    page.wait_for_timeout(400)  # the shade fades in
    assert frame.evaluate(SHADE, "::after") == "1"
    assert frame.evaluate(SHADE, "::before") == "0"
    # scrolled to the end, the last column shows and the shade moves to the left edge
    board.evaluate("(e) => { e.scrollLeft = e.scrollWidth; }")
    expect(page.get_by_test_id("column-closed")).to_be_in_viewport()
    expect(frame).not_to_have_class(re.compile(r"\bkanban-more-right\b"))
    expect(frame).to_have_class(re.compile(r"\bkanban-more-left\b"))


@pytest.mark.parametrize("width", [390, 1366])
@pytest.mark.parametrize("unread", [2, 150])
def test_the_bells_count_covers_neither_the_bell_nor_the_user_menu(
    page: Page, live_server, agent_with_tasks, width, unread
):
    # given an agent with unread notifications
    Notification.objects.bulk_create(
        Notification(recipient=agent_with_tasks, title=f"Avis {n}") for n in range(unread)
    )
    page.set_viewport_size({"width": width, "height": 700})
    # when a page opens
    log_in(page, agent_with_tasks)
    # then the count sits clear of the bell and of the user menu, on one line of the bar
    count = page.get_by_test_id("unread-count")
    expect(count).to_have_text(re.compile(r"^\s*(2|99\+)"))
    badge = count.evaluate(BOX)
    bell = page.locator("#notification-bell i").evaluate(BOX)
    user = page.locator("#user-menu").evaluate(BOX)
    assert not overlap(badge, bell)
    assert not overlap(badge, user)
    assert badge[2] <= width
    assert page.locator(".layout-agent > nav.navbar").evaluate(BOX)[3] < 70


CONTRAST = """(badge) => {
  const rgb = (css) => (css.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const c = [r, g, b].map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const ratio = (a, b) => {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  const opaque = (css) => {
    const v = rgb(css);
    return v.length === 3 || (v.length === 4 && v[3] > 0);
  };
  let behind = badge.parentElement;
  while (behind && !opaque(getComputedStyle(behind).backgroundColor)) behind = behind.parentElement;
  const page = behind ? rgb(getComputedStyle(behind).backgroundColor) : [255, 255, 255];
  const style = getComputedStyle(badge);
  const fill = rgb(style.backgroundColor);
  return { text: ratio(rgb(style.color), fill), shape: ratio(fill, page.slice(0, 3)) };
}"""


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_status_badge_is_readable_in_both_themes(page: Page, live_server, theme):
    # given an agent in that theme, and a request whose page shows the legend of every status
    # colour (each status of requests, tasks and incidents uses one of these six)
    group = factories.AssignmentGroupFactory()
    agent = factories.agent(email="agent@example.org", theme=theme)
    group.members.add(agent)
    request = factories.ServiceRequestFactory(
        request_type=factories.chain_request_type(group=group, steps=2)
    )
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, agent)
    # when the request page opens
    page.goto(request.get_absolute_url())
    assert page.locator("html").get_attribute("data-bs-theme") == theme
    with translation.override("fr"):
        legend = page.locator(f'[aria-label="{gettext("Legend")}"] [data-status]')
    expect(legend).to_have_count(len(Task.Status))
    # then each badge's text reads at WCAG AA (4.5:1) and its pill stands out from the card
    # behind it (the dark theme's "cancelled" once did not: 1:1)
    for index in range(legend.count()):
        badge = legend.nth(index)
        measured = badge.evaluate(CONTRAST)
        status = badge.get_attribute("data-status")
        assert measured["text"] >= 4.5, (theme, status, measured)
        assert measured["shape"] >= 1.5, (theme, status, measured)
