"""Browser tests: Guichet served by pytest-django's live server, driven in real Chromium.

One Chromium serves all the browser tests; each test gets a fresh context (no shared cookies).
Playwright's sync API keeps an event loop running in the test thread, so Django's guard against
synchronous database access from async code is lifted while it runs. Both the loop and the
lifted guard end with this package's tests, so that later tests (and the processes they start)
see neither.

Without Chromium the browser tests are skipped on a developer's machine, but with the environment
variable CI set they fail: a CI run must not pass with its browser tests silently left out.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


def require_chromium(path: Path = CHROMIUM) -> None:
    """Skip when Chromium is missing, or fail when CI is set."""
    if path.exists():
        return
    message = f"Chromium is not installed at {path}"
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI is set: browser tests must run)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="package")
def playwright_instance():
    require_chromium()
    from django.db import connections
    from playwright.sync_api import sync_playwright

    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        with sync_playwright() as playwright:
            yield playwright
            # Connections opened while the loop ran are local to it: close them before it ends.
            connections.close_all()
    finally:
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture(scope="package")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(browser, live_server):
    """A page in a fresh context. The browser asks for English: Guichet must ignore that."""
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def eager_celery():
    """Celery tasks (notification mails) run in the live server's thread, to the test mailbox,
    not through a broker."""
    from crm.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False
