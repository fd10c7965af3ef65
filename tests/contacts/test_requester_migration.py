"""The data migration that turns requester accounts into clients, run on a database prepared at
the state before it (migrating back, filling, migrating forward)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("requests_app", "0007_servicerequest"), ("contacts", None)]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


@pytest.fixture
def old_apps():
    apps = _migrate(BEFORE)
    yield apps
    # Whatever the test did, the next tests find the schema of today.
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def _request_type(apps):
    theme = apps.get_model("requests_app", "Theme").objects.create(name="Thème")
    return apps.get_model("requests_app", "RequestType").objects.create(
        code="SYNC", name="Synchrone", theme=theme
    )


def test_each_requester_account_becomes_one_client_linked_to_it(old_apps):
    # given two accounts that filed requests and an incident, and an agent who filed nothing
    User = old_apps.get_model("crm", "User")
    ServiceRequest = old_apps.get_model("requests_app", "ServiceRequest")
    Incident = old_apps.get_model("requests_app", "Incident")
    marie = User.objects.create(
        email="Marie.Tremblay@Example.org", first_name="Marie", last_name="Tremblay", language="en"
    )
    luc = User.objects.create(email="luc@example.org", first_name="Luc", last_name="Côté")
    agent = User.objects.create(email="agent@example.org")
    request_type = _request_type(old_apps)
    first = ServiceRequest.objects.create(
        requester=marie, created_by=agent, request_type=request_type, title="A"
    )
    second = ServiceRequest.objects.create(requester=marie, request_type=request_type, title="B")
    third = ServiceRequest.objects.create(requester=luc, request_type=request_type, title="C")
    incident = Incident.objects.create(requester=luc, title="Aide")

    # when
    new_apps = _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    # then
    Client = new_apps.get_model("contacts", "Client")
    assert Client.objects.count() == 2
    marie_client = Client.objects.get(user_id=marie.pk)
    assert (marie_client.first_name, marie_client.last_name) == ("Marie", "Tremblay")
    assert marie_client.email == "marie.tremblay@example.org"
    assert marie_client.language == "en"
    luc_client = Client.objects.get(user_id=luc.pk)
    assert not Client.objects.filter(user_id=agent.pk).exists()
    requests = new_apps.get_model("requests_app", "ServiceRequest").objects
    assert requests.get(pk=first.pk).requester_id == marie_client.pk
    assert requests.get(pk=first.pk).created_by_id == agent.pk
    assert requests.get(pk=second.pk).requester_id == marie_client.pk
    assert requests.get(pk=third.pk).requester_id == luc_client.pk
    incidents = new_apps.get_model("requests_app", "Incident").objects
    assert incidents.get(pk=incident.pk).requester_id == luc_client.pk
    history = new_apps.get_model("contacts", "HistoricalClient").objects
    assert history.filter(id=marie_client.pk, history_type="+").count() == 1

    # and the requester indexes are kept, on the client column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname IN "
            "('request_requester_idx', 'incident_requester_idx')"
        )
        indexes = dict(cursor.fetchall())
    assert set(indexes) == {"request_requester_idx", "incident_requester_idx"}
    assert all("requester_id" in definition for definition in indexes.values())
