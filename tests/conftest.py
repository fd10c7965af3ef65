import importlib
import uuid

import pytest
from django.core.cache import caches

from crm import config_cache
from tests import factories

# Data migrations whose rows the tests rely on. A transactional test empties every table when it
# ends, so these are replayed for the tests that come after it in the same process.
DATA_MIGRATIONS = [
    ("crm.migrations.0002_roles", "create_roles"),
    ("crm.migrations.0005_act_in_backoffice", "grant_act_in_backoffice"),
    ("requests_app.migrations.0003_role_permissions", "grant_permissions"),
    ("requests_app.migrations.0005_default_sla", "seed"),
    ("contacts.migrations.0001_initial", "grant_permissions"),
    ("contacts.migrations.0004_crm_role_permissions", "grant_permissions"),
    ("requests_app.migrations.0013_calendars_and_protected_status", "faculty_calendar_is_default"),
    ("contacts.migrations.0004_crm_role_permissions", "grant_permissions"),
    ("tasks_app.migrations.0010_support_scheduling", "grant_permissions"),
    ("requests_app.migrations.0018_catalogue_procedures", "grant_permissions"),
    ("requests_app.migrations.0019_form_builder", "grant_form_permissions"),
    ("reporting.migrations.0002_report_builder", "grant_and_schedule"),
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


@pytest.fixture(autouse=True)
def _fresh_throttle_counters(settings):
    """Each test counts logins and resets from zero (the counters live on real Redis)."""
    throttle_cache = settings.CACHES["throttle"]
    settings.CACHES = {
        **settings.CACHES,
        "throttle": {
            **throttle_cache,
            "KEY_PREFIX": f"{throttle_cache['KEY_PREFIX']}-{uuid.uuid4()}",
        },
    }
    # allauth counts sign-ups per address in the default cache (process memory here, shared
    # with the browser tests' live server): each test starts from zero there too.
    caches["default"].clear()
    # The configuration kept in the process (crm.config_cache) is read again by each test.
    config_cache.forget()


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


# Personas of the permission tests -----------------------------------------------------------


@pytest.fixture
def ours(db):
    """The assignment group that owns the work under test."""
    return factories.AssignmentGroupFactory(name="Notre groupe")


@pytest.fixture
def theirs(db):
    """Another assignment group, with nothing to do with the work under test."""
    return factories.AssignmentGroupFactory(name="Leur groupe")


@pytest.fixture
def people(ours, theirs, citizen, other_citizen, manager):
    """Who acts: ``owner`` (an agent of ``ours``), ``colleague`` (an agent of ``theirs``),
    ``outsider`` (an agent in no group), ``manager``, ``requester`` (the citizen for whom the
    work is done) and ``citizen`` (another citizen)."""
    owner = factories.agent(email="proprietaire@example.org")
    ours.members.add(owner)
    colleague = factories.agent(email="autre-groupe@example.org")
    theirs.members.add(colleague)
    return {
        "owner": owner,
        "colleague": colleague,
        "outsider": factories.agent(email="sans-groupe@example.org"),
        "manager": manager,
        "requester": citizen,
        "citizen": other_citizen,
    }
