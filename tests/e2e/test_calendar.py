"""The calendar in Chromium: a call in the week view, dragged to another day, is still there
after a reload; FullCalendar styles itself under the Content-Security-Policy (nonce) with no
violation."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contacts.models import Call
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ZONE = timezone.get_default_timezone()
TUESDAY = dt.datetime(2026, 11, 3, 10, 0, tzinfo=ZONE)
VIOLATION = re.compile(r"Content Security Policy|Refused to")


@pytest.fixture
def montreal_page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        locale="fr-CA",
        timezone_id="America/Montreal",
        viewport={"width": 1366, "height": 900},
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def log_in(page, user) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(factories.PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/agent/$"))


def drag(page, event, target) -> None:
    """Press on the event, move in small steps past FullCalendar's drag threshold to the middle
    of the target column at the same height, release."""
    event.scroll_into_view_if_needed()
    box = event.bounding_box()
    goal = target.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + min(8, box["height"] / 2)
    page.mouse.move(x, y)
    page.mouse.down()
    page.wait_for_timeout(100)
    page.mouse.move(x + 12, y + 2, steps=4)
    page.wait_for_timeout(100)
    page.mouse.move(goal["x"] + goal["width"] / 2, y, steps=15)
    page.wait_for_timeout(100)
    page.mouse.up()


def test_a_call_dragged_to_another_day_stays_there_after_a_reload(montreal_page):
    page = montreal_page
    # given an agent's call on Tuesday at 10:00
    agent = factories.agent(email="julie@example.org", first_name="Julie", last_name="Gagnon")
    call = factories.CallFactory(
        assigned_to=agent, starts_at=TUESDAY, subject="Appel Jodoin", duration_minutes=30
    )
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if VIOLATION.search(m.text) else None)
    log_in(page, agent)
    # when the week view opens
    page.goto("/agent/calendar/?date=2026-11-03")
    event = page.get_by_test_id(f"event-call-{call.pk}")
    tuesday = page.locator('td.fc-timegrid-col[data-date="2026-11-03"]')
    expect(tuesday.get_by_test_id(f"event-call-{call.pk}")).to_be_visible()
    expect(event).to_contain_text("Appel Jodoin")
    # and the call is dragged to Thursday, same hour
    thursday = page.locator('td.fc-timegrid-col[data-date="2026-11-05"]')
    with page.expect_response(lambda r: "/calendar/reschedule/" in r.url) as answer:
        drag(page, event, thursday)
    assert answer.value.ok, answer.value.text()
    expect(page.get_by_test_id("calendar-message")).to_have_class(re.compile("alert-success"))
    # then after a reload it is on Thursday at 10:00
    page.reload()
    expect(thursday.get_by_test_id(f"event-call-{call.pk}")).to_be_visible()
    expect(tuesday.get_by_test_id(f"event-call-{call.pk}")).to_have_count(0)
    call.refresh_from_db()
    assert call.starts_at == TUESDAY + dt.timedelta(days=2)
    assert Call.objects.count() == 1
    # and FullCalendar's styles went through the policy (its <style> carries the nonce)
    assert page.evaluate("() => !!document.querySelector('style[data-fullcalendar]').nonce")
    assert page.locator(".fc-timegrid").evaluate("e => getComputedStyle(e).display") != "inline"
    assert refused == []


def test_a_refused_drag_goes_back_with_a_message(montreal_page):
    page = montreal_page
    # given a manager looking at an agent's shared calendar cannot change it
    agent = factories.agent(email="julie@example.org")
    from contacts.models import CalendarSettings

    CalendarSettings.objects.create(user=agent, shared=True)
    call = factories.CallFactory(assigned_to=agent, starts_at=TUESDAY, duration_minutes=30)
    log_in(page, agent)
    page.goto("/agent/calendar/?date=2026-11-03")
    event = page.get_by_test_id(f"event-call-{call.pk}")
    expect(event).to_be_visible()
    # when the server refuses the move (the call was removed meanwhile)
    Call.objects.filter(pk=call.pk).delete()
    thursday = page.locator('td.fc-timegrid-col[data-date="2026-11-05"]')
    with page.expect_response(lambda r: "/calendar/reschedule/" in r.url) as answer:
        drag(page, event, thursday)
    # then the event is back on Tuesday and the page says why
    assert answer.value.status == 409
    expect(page.get_by_test_id("calendar-message")).to_have_class(re.compile("alert-danger"))
    tuesday = page.locator('td.fc-timegrid-col[data-date="2026-11-03"]')
    expect(tuesday.get_by_test_id(f"event-call-{call.pk}")).to_be_visible()
