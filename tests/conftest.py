import pytest

from tests import factories


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
