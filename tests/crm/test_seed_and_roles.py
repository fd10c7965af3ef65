"""Roles created by migrations, and the idempotent demo data."""

import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from crm.models import AssignmentGroup, User

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_migrations_create_the_four_roles_with_their_permissions():
    roles = {g.name: {p.codename for p in g.permissions.all()} for g in Group.objects.all()}
    assert {"Citizen", "Agent", "Administrator", "Manager"} <= set(roles)
    assert roles["Citizen"] == set()
    assert "access_backoffice" in roles["Agent"]
    assert "view_reports" not in roles["Agent"]
    assert {"access_backoffice", "view_reports"} <= roles["Manager"]
    assert {"change_assignmentgroup", "add_user", "change_periodictask"} <= roles["Administrator"]


def test_seed_demo_is_idempotent():
    call_command("seed_demo", stdout=StringIO())
    snapshot = (
        User.objects.count(),
        AssignmentGroup.objects.count(),
        sorted(AssignmentGroup.objects.values_list("name", "members__email")),
    )
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "created" not in out.getvalue()
    assert snapshot == (
        User.objects.count(),
        AssignmentGroup.objects.count(),
        sorted(AssignmentGroup.objects.values_list("name", "members__email")),
    )


def test_seed_demo_gives_one_user_per_role_and_the_faculty_groups():
    call_command("seed_demo", stdout=StringIO())
    for role in ("Citizen", "Agent", "Administrator", "Manager"):
        assert User.objects.filter(groups__name=role).exists(), role
    assert set(AssignmentGroup.objects.values_list("name", flat=True)) >= {
        "Techno-pédagogues",
        "Technologues",
    }
    admin = User.objects.get(email="admin@demo.guichet.test")
    assert admin.is_staff and admin.check_password("guichet-demo-2026")


@pytest.mark.skipif(shutil.which("msgattrib") is None, reason="gettext is not installed")
def test_french_catalogue_has_no_untranslated_message():
    po = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"
    result = subprocess.run(
        ["msgattrib", "--untranslated", "--no-obsolete", str(po)],
        capture_output=True,
        text=True,
        check=True,
    )
    untranslated = [line for line in result.stdout.splitlines() if line.startswith("msgid ")]
    assert untranslated == [], untranslated


def test_no_migration_is_missing():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
