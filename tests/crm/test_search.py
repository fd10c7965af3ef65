"""The search's building blocks (crm/search.py): numbers, words, the SQLite fallback, the
PostgreSQL-only migrations and the fold function."""

from unittest import mock

import pytest
from django.db import connection
from django.db.models import Q

from contacts.models import Client
from crm import search
from tests import factories


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("REQ0000123", ("REQ", 123)),
        ("req 123", ("REQ", 123)),
        ("REQ-0042", ("REQ", 42)),
        ("#123", ("", 123)),
        ("0000123", ("", 123)),
        (" 123 ", ("", 123)),
        ("INC0000007", None),  # not a prefix of this list
        ("MED1234", None),
        ("12 34", None),
        ("trois", None),
        ("", None),
    ],
)
def test_record_numbers_are_read_with_their_prefix_or_none(q, expected):
    assert search.record_number(q, ("REQ",)) == expected


def test_at_most_six_words_are_searched():
    assert search.words("  a  b c d e f g h ") == ["a", "b", "c", "d", "e", "f"]


@pytest.fixture
def sqlite():
    """The database seen as the SQLite of ``make run``: no fold function, no trigram index."""
    with mock.patch.object(connection, "vendor", "sqlite"):
        yield


def test_the_fallback_is_icontains(sqlite):
    assert search.indexed() is False
    assert search.contains("requester__last_name", "Côté") == Q(
        requester__last_name__icontains="Côté"
    )


def test_the_fallback_joins_branches_with_or(sqlite):
    branches = [Q(title__icontains="a"), Q(pk=1)]
    assert search.any_of(Client, branches) == Q(title__icontains="a") | Q(pk=1)


@pytest.mark.django_db
def test_the_fallback_finds_case_but_not_accents(sqlite):
    # given
    lea = factories.ClientFactory(first_name="Léa", last_name="Roy", phone="(514) 555-0101")
    # when / then: what icontains can do, on any database
    found = Client.objects.filter(search.contains_all(("first_name", "last_name"), "LÉA roy"))
    assert list(found) == [lea]
    assert not Client.objects.filter(search.contains_all(("first_name",), "lea")).exists()
    assert list(Client.objects.filter(search.digits_contain("phone", "5550101"))) == [lea]


def test_migrations_do_nothing_on_sqlite():
    operation = search.trigram_index("contacts_client", "x_trgm", "guichet_fold(first_name)")
    editor = mock.Mock()
    editor.connection.vendor = "sqlite"
    operation.database_forwards("contacts", editor, None, None)
    operation.database_backwards("contacts", editor, None, None)
    editor.execute.assert_not_called()


@pytest.mark.django_db
def test_migrations_run_their_sql_on_postgresql():
    # given
    operation = search.trigram_index("contacts_client", "x_trgm", "guichet_fold(first_name)")
    # when
    with connection.schema_editor(atomic=False) as editor:
        operation.database_forwards("contacts", editor, None, None)
    # then
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'x_trgm'")
        (definition,) = cursor.fetchone()
    assert "USING gin (guichet_fold((first_name)::text) gin_trgm_ops)" in definition


@pytest.mark.django_db
def test_fold_removes_accents_and_case_and_is_immutable():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT guichet_fold(%s), guichet_digits(%s)", ["École CÔTÉ Œuvre", "(514) 555-0101"]
        )
        assert cursor.fetchone() == ("ecole cote oeuvre", "5145550101")
        cursor.execute(
            "SELECT proname, provolatile FROM pg_proc WHERE proname IN "
            "('guichet_fold', 'guichet_digits') ORDER BY proname"
        )
        assert cursor.fetchall() == [("guichet_digits", "i"), ("guichet_fold", "i")]
