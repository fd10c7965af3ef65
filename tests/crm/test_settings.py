"""Settings come from the environment; production mode refuses to start half-configured."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x" * 60 + "-production-secret-for-the-check",
    "ALLOWED_HOSTS": "guichet.example.org",
    "DATABASE_URL": "postgres://guichet:secret@db.example.org:5432/guichet",
    "REDIS_URL": "redis://redis.example.org:6379/0",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.org:587",
}


def _run(code: str, env: dict, tmp_path) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION and k != "EMAIL_URL"}
    clean.update({"DJANGO_SETTINGS_MODULE": "crm.settings", "GUICHET_VAR_DIR": str(tmp_path)})
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _settings(names: list[str], env: dict, tmp_path) -> dict:
    code = (
        "import json; from django.conf import settings as s; "
        f"print(json.dumps({{n: repr(getattr(s, n)) for n in {names!r}}}))"
    )
    result = _run(code, env, tmp_path)
    assert result.returncode == 0, result.stderr
    import json

    return json.loads(result.stdout.strip().splitlines()[-1])


def test_defaults_need_no_server(tmp_path):
    values = _settings(
        ["DATABASES", "CELERY_BROKER_URL", "LANGUAGE_CODE", "EMAIL_BACKEND"],
        {"DEBUG": "1"},
        tmp_path,
    )
    assert "sqlite3" in values["DATABASES"]
    assert str(tmp_path / "guichet.sqlite3") in values["DATABASES"]
    assert values["CELERY_BROKER_URL"] == "'filesystem://localhost/'"
    assert values["LANGUAGE_CODE"] == "'fr'"
    assert "console" in values["EMAIL_BACKEND"]


def test_the_default_broker_starts_without_a_hostname_warning(tmp_path):
    # given the server-less defaults (no REDIS_URL)
    code = (
        "import logging, django; logging.basicConfig(level=logging.WARNING); django.setup(); "
        "from crm.celery import app; "
        "conn = app.connection_for_write(); conn._info(); print(conn.transport_cls)"
    )
    # when Celery opens its broker connection
    result = _run(code, {"DEBUG": "1"}, tmp_path)
    # then kombu has nothing to warn about
    assert result.returncode == 0, result.stderr
    assert "filesystem" in result.stdout
    assert "No hostname was supplied" not in result.stderr


def test_what_tasks_print_is_logged_at_info_not_warning(tmp_path):
    # given the default settings, where e-mails go to the console
    values = _settings(["CELERY_WORKER_REDIRECT_STDOUTS_LEVEL"], {"DEBUG": "1"}, tmp_path)
    # then the worker logs printed mails at INFO
    assert values["CELERY_WORKER_REDIRECT_STDOUTS_LEVEL"] == "'INFO'"


def test_production_values_are_read_from_the_environment(tmp_path):
    values = _settings(
        [
            "DATABASES",
            "CELERY_BROKER_URL",
            "ALLOWED_HOSTS",
            "EMAIL_HOST",
            "EMAIL_USE_TLS",
            "DEBUG",
            "TIME_ZONE",
        ],
        {**PRODUCTION, "TIME_ZONE": "Europe/Paris"},
        tmp_path,
    )
    assert "postgresql" in values["DATABASES"] and "db.example.org" in values["DATABASES"]
    assert values["CELERY_BROKER_URL"] == "'redis://redis.example.org:6379/0'"
    assert values["ALLOWED_HOSTS"] == "['guichet.example.org']"
    assert values["EMAIL_HOST"] == "'smtp.example.org'"
    assert values["EMAIL_USE_TLS"] == "True"
    assert values["DEBUG"] == "False"
    assert values["TIME_ZONE"] == "'Europe/Paris'"


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_start_fails_naming_the_missing_variable(tmp_path, missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = _run("import django; django.setup()", env, tmp_path)
    assert result.returncode != 0
    assert f"The environment variable {missing} is required" in result.stderr


def test_check_deploy_reports_nothing_in_production_mode(tmp_path):
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION}
    clean.update(PRODUCTION, DJANGO_SETTINGS_MODULE="crm.settings", GUICHET_VAR_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_ssl_redirect_can_be_left_to_a_proxy(tmp_path):
    values = _settings(
        ["SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER", "SESSION_COOKIE_SECURE"],
        {**PRODUCTION, "SECURE_SSL_REDIRECT": "0", "BEHIND_PROXY": "1"},
        tmp_path,
    )
    assert values["SECURE_SSL_REDIRECT"] == "False"
    assert values["SECURE_PROXY_SSL_HEADER"] == "('HTTP_X_FORWARDED_PROTO', 'https')"
    assert values["SESSION_COOKIE_SECURE"] == "True"
