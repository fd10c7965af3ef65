"""The default configuration (SQLite, server-less broker) starts and serves like `make run`."""

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SERVER_VARS = ("DATABASE_URL", "REDIS_URL", "EMAIL_URL", "DJANGO_SETTINGS_MODULE")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def default_guichet(tmp_path_factory):
    var = tmp_path_factory.mktemp("var")
    env = {k: v for k, v in os.environ.items() if k not in SERVER_VARS}
    env.update(
        DEBUG="1",
        GUICHET_VAR_DIR=str(var),
        PORT=str(_free_port()),
        BIN=str(Path(sys.executable).parent),
    )
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "--noinput", "-v0"], ["seed_demo"]):
        subprocess.run(manage + command, cwd=ROOT, env=env, check=True, capture_output=True)
    process = subprocess.Popen(
        ["bash", "scripts/run.sh"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{env['PORT']}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=2)
            break
        except OSError:
            time.sleep(0.3)
    yield base, env, var
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


@pytest.mark.slow
def test_login_page_answers_200_in_french(default_guichet):
    base, _env, var = default_guichet
    response = urllib.request.urlopen(f"{base}/accounts/login/", timeout=10)
    assert response.status == 200
    assert "Connexion à Guichet" in response.read().decode()
    assert (var / "guichet.sqlite3").exists()


def _agent_opener(base: str):
    """An opener logged in as the demo agent, and the page the login landed on."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/accounts/login/", timeout=10).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {
            "username": "agent@demo.guichet.test",
            "password": "guichet-demo-2026",
            "csrfmiddlewaretoken": token,
        }
    ).encode()
    request = urllib.request.Request(
        f"{base}/accounts/login/", data=data, headers={"Referer": f"{base}/accounts/login/"}
    )
    return opener, opener.open(request, timeout=10)


@pytest.mark.slow
def test_demo_agent_logs_in_to_the_back_office(default_guichet):
    base, _env, _var = default_guichet
    _opener, landed = _agent_opener(base)
    assert landed.geturl().endswith("/agent/")
    assert "Techno-pédagogues" in landed.read().decode()


@pytest.mark.slow
@pytest.mark.parametrize(
    "path",
    [
        "/agent/requests/?q=REQ0000001",
        "/agent/requests/?q=%C3%A9cole+50%25_%5C",
        "/agent/incidents/all/?q=projecteur",
        "/agent/tasks/all/?q=Entrevue",
        "/agent/clients/search/?q=L%C3%A9a",
    ],
)
def test_search_works_on_sqlite_without_trigram_indexes(default_guichet, path):
    base, _env, _var = default_guichet
    opener, _landed = _agent_opener(base)
    assert opener.open(f"{base}{path}", timeout=10).status == 200


@pytest.mark.slow
def test_worker_runs_tasks_through_the_serverless_broker(default_guichet):
    _base, env, _var = default_guichet
    code = (
        "import django; django.setup()\n"
        "from crm.models import Notification, User\n"
        "from crm.tasks import notification_send_email\n"
        "u = User.objects.get(email='agent@demo.guichet.test')\n"
        "n = Notification.objects.create(recipient=u, title='smoke')\n"
        "print(notification_send_email.delay(n.pk).get(timeout=60))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "crm.settings"},
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("agent@demo.guichet.test")
