"""docker-compose.yml: the five services, wired together, with settings Guichet actually reads."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
SETTINGS = ROOT / "crm" / "settings.py"
APP_SERVICES = ("web", "worker", "beat")
# What the operator must provide; everything else has a default in the compose file.
OPERATOR_ENV = {"SECRET_KEY": "compose-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"}

_VARIABLE = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}|\$(?P<bare>\w+)")


def interpolate(value: str, environ: dict[str, str]) -> str:
    """Compose's ${NAME}, ${NAME:-default}, ${NAME-default} and ${NAME:?error}."""

    def replace(match: re.Match) -> str:
        name = match["name"] or match["bare"]
        op, arg = match["op"], match["arg"]
        present = name in environ
        value = environ.get(name, "")
        if op in (":-", "-"):
            use_default = not value if op == ":-" else not present
            return arg if use_default else value
        if op in (":?", "?"):
            missing = not value if op == ":?" else not present
            if missing:
                raise KeyError(f"{name}: {arg}")
        return value

    return _VARIABLE.sub(replace, value.replace("$$", "\0")).replace("\0", "$")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def environment(service: dict, environ: dict[str, str] | None = None) -> dict[str, str]:
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        raw = dict(item.split("=", 1) if "=" in item else (item, "") for item in raw)
    env = {name: "" if value is None else str(value) for name, value in raw.items()}
    if environ is not None:
        env = {name: interpolate(value, environ) for name, value in env.items()}
    return env


def command(service: dict) -> str:
    cmd = service.get("command") or ""
    return " ".join(cmd) if isinstance(cmd, list) else cmd


def healthcheck(service: dict) -> str:
    test = (service.get("healthcheck") or {}).get("test") or ""
    return " ".join(test) if isinstance(test, list) else test


def test_the_five_services_exist(services):
    assert {"web", "worker", "beat", "postgres", "redis"} <= set(services)


def test_app_services_are_built_from_the_dockerfile(services):
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "FROM python:3.11-slim" in dockerfile
    for name in APP_SERVICES:
        build = services[name].get("build")
        context = build if isinstance(build, str) else (build or {}).get("context")
        assert context == ".", name


def test_app_commands(services):
    assert "gunicorn" in command(services["web"])
    assert "crm.wsgi" in command(services["web"])
    assert "0.0.0.0:8000" in command(services["web"])
    assert re.search(r"celery -A crm worker\b", command(services["worker"]))
    beat = command(services["beat"])
    assert re.search(r"celery -A crm beat\b", beat)
    assert "django_celery_beat.schedulers:DatabaseScheduler" in beat


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_use_the_postgres_and_redis_services(services, name):
    env = environment(services[name], OPERATOR_ENV)
    postgres_env = environment(services["postgres"])

    database = urlsplit(env["DATABASE_URL"])
    assert database.scheme in {"postgres", "postgresql", "pgsql"}
    assert database.hostname == "postgres"
    assert database.port == 5432
    assert database.username == postgres_env["POSTGRES_USER"]
    assert database.password == postgres_env["POSTGRES_PASSWORD"]
    assert database.path.lstrip("/") == postgres_env["POSTGRES_DB"]

    redis = urlsplit(env["REDIS_URL"])
    assert redis.scheme == "redis"
    assert redis.hostname == "redis"
    assert redis.port == 6379

    assert env["DEBUG"] == "0"
    assert env["SECURE_SSL_REDIRECT"] == "0"


def test_healthchecks(services):
    assert "pg_isready" in healthcheck(services["postgres"])
    assert re.search(r"redis-cli\b.*\bping\b", healthcheck(services["redis"]))
    web = healthcheck(services["web"])
    assert "/healthz" in web
    assert ":8000" in web


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_wait_for_healthy_postgres_and_redis(services, name):
    depends_on = services[name]["depends_on"]
    assert isinstance(depends_on, dict), "depends_on needs conditions, not a plain list"
    for dependency in ("postgres", "redis"):
        assert depends_on[dependency]["condition"] == "service_healthy"


def test_every_dependency_exists_and_can_satisfy_its_condition(services):
    for name, service in services.items():
        depends_on = service.get("depends_on") or {}
        if isinstance(depends_on, list):
            depends_on = {dependency: {} for dependency in depends_on}
        for dependency, options in depends_on.items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            if options.get("condition") == "service_healthy":
                assert healthcheck(services[dependency]), f"{dependency} has no healthcheck"


def test_named_volumes_are_declared(compose, services):
    declared = set(compose.get("volumes") or {})
    used = set()
    for service in services.values():
        for volume in service.get("volumes") or []:
            source = volume.split(":", 1)[0] if isinstance(volume, str) else volume.get("source")
            if source and not source.startswith((".", "/", "~", "$")):
                used.add(source)
    assert used, "no named volume is used"
    assert used <= declared

    def named_target(service, target):
        return any(
            isinstance(v, str) and v.split(":")[1] == target and v.split(":")[0] in declared
            for v in service.get("volumes") or []
        )

    assert named_target(services["postgres"], "/var/lib/postgresql/data")
    media_root = environment(services["web"], OPERATOR_ENV)["MEDIA_ROOT"]
    assert named_target(services["web"], media_root)
    assert named_target(services["worker"], media_root)


def test_the_secret_key_has_no_default_in_the_compose_file(services):
    with pytest.raises(KeyError, match="SECRET_KEY"):
        environment(services["web"], {})


@pytest.mark.parametrize("name", APP_SERVICES)
def test_every_app_variable_is_read_by_the_settings(services, name):
    settings_source = SETTINGS.read_text(encoding="utf-8")
    unread = [var for var in environment(services[name]) if f'"{var}"' not in settings_source]
    assert not unread, f"crm/settings.py does not read {unread}"


def test_settings_import_with_the_compose_environment(services, tmp_path):
    env = environment(services["web"], OPERATOR_ENV)
    env.update(
        {
            "DEBUG": "0",
            "GUICHET_VAR_DIR": str(tmp_path / "var"),
            "MEDIA_ROOT": str(tmp_path / "var" / "media"),
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": str(ROOT),
        }
    )
    probe = (
        "import json, crm.settings as s; print(json.dumps({"
        "'debug': s.DEBUG, 'hosts': s.ALLOWED_HOSTS, 'engine': s.DATABASES['default']['ENGINE'],"
        "'db_host': s.DATABASES['default']['HOST'], 'broker': s.CELERY_BROKER_URL,"
        "'ssl_redirect': s.SECURE_SSL_REDIRECT, 'beat': s.CELERY_BEAT_SCHEDULER,"
        "'secret_key': s.SECRET_KEY, 'email': s.EMAIL_BACKEND}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded["debug"] is False
    assert "localhost" in loaded["hosts"]
    assert "" not in loaded["hosts"]
    assert loaded["engine"] == "django.db.backends.postgresql"
    assert loaded["db_host"] == "postgres"
    assert loaded["broker"] == "redis://redis:6379/0"
    assert loaded["ssl_redirect"] is False
    assert loaded["beat"] == "django_celery_beat.schedulers:DatabaseScheduler"
    assert loaded["secret_key"] == OPERATOR_ENV["SECRET_KEY"]
    assert loaded["email"]
