from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from requests_app.models import SLAPolicy
from tests import factories

MTL = ZoneInfo("America/Montreal")


def at(*args):
    return datetime(*args, tzinfo=MTL)


@pytest.fixture
def policy(db):
    """The seeded default: 8 business hours / 3 business days, levels 50, 75, 100 %."""
    return SLAPolicy.objects.get(name="Demandes d'aide — défaut")


@pytest.fixture
def support_group(db):
    lead = factories.agent(email="chef@example.org")
    escalation = factories.AssignmentGroupFactory(name="Escalade")
    escalation.members.add(factories.agent(email="escalade@example.org"))
    group = factories.AssignmentGroupFactory(name="Soutien", lead=lead, escalation_group=escalation)
    group.members.add(lead)
    return group


@pytest.fixture
def helper(support_group):
    user = factories.agent(email="soutien@example.org")
    support_group.members.add(user)
    return user
