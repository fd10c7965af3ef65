"""The citizens of the load run (started by ``run``; configured by its LOAD_* variables).

Each simulated citizen logs in once on the real login page, then, until the window closes, opens
the e-service's form step (GET: the CSRF token and the submission token the page gives) and files
it (the final POST, whose redirect to the "filed" page names the request). Nobody submits before
every citizen has logged in: the window starts then, so that the slow password checks of the
logins are not counted in it. Every submission and step page is written to LOAD_RESULTS, one
JSON line each, for ``verify`` to compare with the database.
"""

import json
import os
import re
import time

import gevent
from gevent.event import Event
from locust import constant, constant_throughput, events, task
from locust.contrib.fasthttp import FastHttpUser
from locust.exception import StopUser

SLUG = os.environ.get("LOAD_SLUG", "demande-charge")
PASSWORD = os.environ.get("LOAD_PASSWORD", "")
DURATION = float(os.environ.get("LOAD_DURATION", "60"))
USERS = int(os.environ.get("LOAD_USERS", "1"))
RATE = float(os.environ.get("LOAD_RATE", "0"))  # submissions/s for all; 0: as fast as served
LOGIN_TIMEOUT = float(os.environ.get("LOAD_LOGIN_TIMEOUT", "120"))
RESULTS = os.environ.get("LOAD_RESULTS", "portal_load.jsonl")
ACCOUNTS_FILE = os.environ.get("LOAD_ACCOUNTS", "")

STEP_URL = f"/services/{SLUG}/step/1/"
LOGIN_URL = "/accounts/login/"
FILED_RE = re.compile(rf"/services/{re.escape(SLUG)}/filed/(\d+)/$")
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TOKEN_RE = re.compile(r'name="token" value="([0-9a-f]{32})"')

ANSWERS = {
    "f_nom": "Camille Charge",
    "f_courriel": "camille@charge.example.org",
    "f_objet": "nid",
    "f_details": "Un nid-de-poule devant le numéro 12.",
    "f_accord": "on",
    "action": "next",
}


class Window:
    """Shared by the citizens of this process: who logged in, when submitting starts and ends."""

    def __init__(self):
        self.accounts = []
        self.next_account = 0
        self.logged_in = 0
        self.login_failures = 0
        self.open = Event()
        self.start = 0.0
        self.end = 0.0
        self.in_flight = 0
        self.out = None
        self.environment = None

    def write(self, **item) -> None:
        self.out.write(json.dumps(item) + "\n")

    def account(self) -> str:
        email = self.accounts[self.next_account % len(self.accounts)]
        self.next_account += 1
        return email

    def one_logged_in(self, ok: bool) -> None:
        if ok:
            self.logged_in += 1
        else:
            self.login_failures += 1
        if self.logged_in + self.login_failures >= USERS and not self.open.is_set():
            self.start = time.time()
            self.end = self.start + DURATION
            self.write(kind="window", start=self.start, end=self.end, users=self.logged_in,
                       login_failures=self.login_failures)  # fmt: skip
            self.open.set()
            gevent.spawn(self.close_later)

    def close_later(self) -> None:
        gevent.sleep(max(0.0, self.end - time.time()))
        # Submissions under way finish (their requests are counted too), then the run stops.
        waited = time.time()
        while self.in_flight and time.time() - waited < 30:
            gevent.sleep(0.05)
        self.out.flush()
        self.environment.runner.quit()


WINDOW = Window()


@events.init.add_listener
def on_init(environment, **_kwargs):
    WINDOW.environment = environment
    if ACCOUNTS_FILE:
        with open(ACCOUNTS_FILE, encoding="utf-8") as handle:
            WINDOW.accounts = [line.strip() for line in handle if line.strip()]
    WINDOW.out = open(RESULTS, "w", encoding="utf-8")  # noqa: SIM115 (closed at quit)

    def give_up_waiting():
        if not WINDOW.open.wait(LOGIN_TIMEOUT):
            WINDOW.write(kind="window", start=0, end=0, users=WINDOW.logged_in,
                         login_failures=USERS - WINDOW.logged_in)  # fmt: skip
            WINDOW.out.flush()
            environment.runner.quit()

    gevent.spawn(give_up_waiting)


@events.quitting.add_listener
def on_quitting(**_kwargs):
    if WINDOW.out is not None and not WINDOW.out.closed:
        WINDOW.out.close()


class Citizen(FastHttpUser):
    wait_time = constant_throughput(RATE / USERS) if RATE > 0 else constant(0)
    # The answers are read, not only timed: keep the connection's body.
    connection_timeout = 30
    network_timeout = 30

    def on_start(self):
        ok = False
        try:
            ok = self.log_in(WINDOW.account())
        finally:
            WINDOW.one_logged_in(ok)
        WINDOW.open.wait()
        if not ok:
            raise StopUser

    def log_in(self, email: str) -> bool:
        page = self.client.get(LOGIN_URL, name="login page")
        match = CSRF_RE.search(page.text or "")
        if page.status_code != 200 or match is None:
            return False
        with self.client.post(
            LOGIN_URL,
            data={"username": email, "password": PASSWORD, "csrfmiddlewaretoken": match[1]},
            headers={"Referer": self.host + LOGIN_URL},
            allow_redirects=False,
            name="login",
            catch_response=True,
        ) as answer:
            if answer.status_code != 302:
                answer.failure(f"login answered {answer.status_code}")
                return False
        return True

    @task
    def file_a_request(self):
        if time.time() >= WINDOW.end:
            raise StopUser
        WINDOW.in_flight += 1
        try:
            self.submit()
        finally:
            WINDOW.in_flight -= 1

    def submit(self):
        started = time.time()
        with self.client.get(STEP_URL, name="form step", catch_response=True) as page:
            ms = (time.time() - started) * 1000
            WINDOW.write(kind="get", ms=ms, status=page.status_code)
            csrf = CSRF_RE.search(page.text or "")
            token = TOKEN_RE.search(page.text or "")
            if page.status_code != 200 or csrf is None or token is None:
                page.failure(f"step page answered {page.status_code} without its tokens")
                return
        data = {**ANSWERS, "csrfmiddlewaretoken": csrf[1], "token": token[1]}
        started = time.time()
        error = ""
        request_id = None
        with self.client.post(
            STEP_URL,
            data=data,
            headers={"Referer": self.host + STEP_URL},
            allow_redirects=False,
            name="submission",
            catch_response=True,
        ) as answer:
            status = answer.status_code or 0
            location = answer.headers.get("Location", "") if answer.headers else ""
            filed = FILED_RE.search(location)
            if status == 302 and filed is not None:
                request_id = int(filed[1])
            else:
                error = f"answered {status} {location}".strip()
                answer.failure(error)
        WINDOW.write(kind="submit", token=token[1], status=status, request_id=request_id,
                     started=started, ended=time.time(), error=error)  # fmt: skip
