"""`make run` ends with a banner: the URL, the demo logins and how to stop."""

import io
from pathlib import Path

from django.core.management import call_command

from requests_app.management.commands.seed_demo import DEMO_PASSWORD, DEMO_USERS

RUN_SH = Path(__file__).resolve().parents[2] / "scripts" / "run.sh"


def test_banner_gives_the_url_every_demo_login_and_how_to_stop():
    # given
    out = io.StringIO()
    # when
    call_command("demo_banner", url="http://127.0.0.1:8123", stdout=out)
    # then
    banner = out.getvalue()
    assert "http://127.0.0.1:8123/" in banner
    assert "http://127.0.0.1:8123/agent/" in banner
    assert DEMO_PASSWORD in banner
    assert all(email in banner for email, *_rest in DEMO_USERS)
    assert "Ctrl-C" in banner


def test_run_script_prints_the_banner_once_the_server_answers():
    # when
    script = RUN_SH.read_text()
    # then
    assert 'manage.py demo_banner --url "http://$HOST:$PORT/"' in script
    assert script.index("runserver") < script.index("demo_banner")
