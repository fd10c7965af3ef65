import importlib

import pytest

from tests import factories

# Data migrations whose rows the tests rely on. A transactional test empties every table when it
# ends, so these are replayed for the tests that come after it in the same process.
DATA_MIGRATIONS = [
    ("crm.migrations.0002_roles", "create_roles"),
    ("requests_app.migrations.0003_role_permissions", "grant_permissions"),
    ("requests_app.migrations.0005_default_sla", "seed"),
    ("requests_app.migrations.0010_calendars_and_protected_status", "faculty_calendar_is_default"),
]


@pytest.fixture(autouse=True)
def _migrated_data(request):
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or (
        marker is not None and marker.kwargs.get("transaction")
    )
    if transactional:
        request.getfixturevalue("transactional_db")
    elif marker is not None or "db" in request.fixturenames:
        request.getfixturevalue("db")
    else:
        return
    from django.apps import apps
    from django.contrib.auth.models import Group

    if not Group.objects.exists():
        for module, function in DATA_MIGRATIONS:
            getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture
def citizen(db):
    return factories.citizen(email="citoyen@example.org")


@pytest.fixture
def other_citizen(db):
    return factories.citizen(email="voisin@example.org")


@pytest.fixture
def agent(db):
    return factories.agent(email="agent@example.org")


@pytest.fixture
def colleague(db):
    return factories.agent(email="collegue@example.org")


@pytest.fixture
def manager(db):
    return factories.manager(email="gestion@example.org")


@pytest.fixture
def administrator(db):
    return factories.administrator(email="admin@example.org")


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login
