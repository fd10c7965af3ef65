"""Dashboards, reports and exports read from the replica when there is one; writes, and reads
made elsewhere, stay on the primary."""

import os
import subprocess
import sys
from datetime import date

import pytest
from django.db import router
from django.utils.connection import ConnectionDoesNotExist

from reporting import dashboards, selectors
from reporting.forms import Filters
from reporting.models import ItemDaily
from reporting.routers import reading_reports
from requests_app.models import ServiceRequest

MARCH = Filters(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))


def test_reads_inside_the_reports_block_go_to_the_replica(settings):
    settings.REPORTING_DATABASE = "replica"

    with reading_reports() as alias:
        assert alias == "replica"
        assert ItemDaily.objects.all().db == "replica"
        assert ServiceRequest.objects.filter(pk=1).db == "replica"
        assert router.db_for_write(ItemDaily) == "default"
    assert ItemDaily.objects.all().db == "default"
    assert ServiceRequest.objects.all().db == "default"


def test_without_a_replica_everything_reads_the_primary():
    with reading_reports() as alias:
        assert alias == "default"
        assert ItemDaily.objects.all().db == "default"


@pytest.mark.django_db
@pytest.mark.parametrize("slug", list(dashboards.DASHBOARDS))
def test_every_dashboard_queries_the_reports_database(settings, slug):
    # The alias exists in production only: a query sent there here cannot connect, which shows
    # where each dashboard reads.
    settings.REPORTING_DATABASE = "replica"

    with pytest.raises(ConnectionDoesNotExist):
        dashboards.DASHBOARDS[slug].build(MARCH)


@pytest.mark.django_db
def test_the_streamed_export_is_pinned_to_the_reports_database(settings):
    settings.REPORTING_DATABASE = "replica"
    with reading_reports():
        rows = selectors.requests_received(MARCH)

    # Read after the block, while the response streams: still the replica.
    assert rows.db == "replica"


def test_migrations_never_run_on_the_replica():
    assert router.allow_migrate("replica", "reporting") is False
    assert router.allow_migrate("default", "reporting") is True


@pytest.mark.parametrize("replica", ["", "postgres://reader@replica.example:5432/guichet"])
def test_the_settings_add_the_replica_alias_from_the_environment(replica):
    env = {
        **os.environ,
        "DATABASE_REPLICA_URL": replica,
        "DJANGO_SETTINGS_MODULE": "crm.settings",
        "DEBUG": "1",
    }
    code = (
        "from django.conf import settings as s;"
        "print(s.REPORTING_DATABASE, 'replica' in s.DATABASES, *s.DATABASE_ROUTERS)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()

    assert out == [
        "replica" if replica else "default",
        str(bool(replica)),
        "reporting.routers.ReportingRouter",
    ]
