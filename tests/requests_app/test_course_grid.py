"""The course-grid import service: reading, checking and set-based applying."""

import threading
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from contacts.models import Client
from crm import bulk, config_cache
from crm.business_time import add_business_days
from crm.models import Notification, User
from requests_app.imports.apply import course_grid_import
from requests_app.imports.reading import normalise_header, parse_presenters
from requests_app.imports.rows import CourseGridFileError
from requests_app.models import BusinessCalendar, ServiceRequest
from tasks_app.models import Task
from tests import factories

from .conftest import HEADER, grid, row

pytestmark = pytest.mark.usefixtures("faculty", "english")


@pytest.fixture(params=["copy", "orm"])
def write_path(request, monkeypatch):
    """PostgreSQL writes with COPY; other databases with simple_history's bulk helpers."""
    if request.param == "orm":
        monkeypatch.setattr(bulk, "copy_supported", lambda: False)
    return request.param


def _written():
    """Row counts of everything an import may write."""
    return {
        "requests": ServiceRequest.objects.count(),
        "request history": ServiceRequest.history.count(),
        "tasks": Task.objects.count(),
        "task history": Task.history.count(),
        "users": User.objects.count(),
        "clients": Client.objects.count(),
        "client history": Client.history.count(),
        "notifications": Notification.objects.count(),
    }


# Applying ----------------------------------------------------------------------------------


@freeze_time("2026-08-03 14:00")
def test_each_row_becomes_a_submitted_request_with_its_chain_of_tasks(faculty, write_path):
    # given
    data = grid([row(sigle="mmd1234 ", titre="Anatomie", trimestre="a2026", approche="sync")])

    # when
    result = course_grid_import(data=data)

    # then
    assert (result.created, result.updated, result.unchanged, result.rejected) == (1, 0, 0, 0)
    request = ServiceRequest.objects.get()
    assert request.external_key == "MMD1234|A2026|SYNC"
    assert request.title == "MMD1234 — Anatomie (A2026)"
    assert request.status == ServiceRequest.Status.SUBMITTED
    assert request.channel == ServiceRequest.Channel.IMPORT
    assert request.request_type == faculty["SYNC"]
    assert request.due_date == date(2026, 9, 8)
    assert request.form_data == {
        "sigle": "MMD1234",
        "titre": "Anatomie",
        "trimestre": "A2026",
        "departement": "Pathologie",
        "approche": "SYNC",
        "presentateurs": [],
    }
    tasks = {t.template.sequence: t for t in request.tasks.select_related("template")}
    assert {s: t.status for s, t in tasks.items()} == {
        "1": Task.Status.OPEN,
        "2.1": Task.Status.PENDING,
        "2.2": Task.Status.PENDING,
        "3": Task.Status.PENDING,
    }
    assert tasks["1"].opened_at is not None
    # On the default calendar (Faculté: Monday to Friday, Québec's public holidays)
    faculty_days = BusinessCalendar.objects.get(is_default=True).schedule()
    assert tasks["1"].due_date == add_business_days(faculty_days, date(2026, 8, 3), 5)
    assert tasks["3"].due_date == add_business_days(faculty_days, date(2026, 8, 3), 15)
    assert result.tasks_created == 4
    assert request.history.count() == 1
    assert all(t.history.count() == 1 for t in tasks.values())


def test_a_row_with_two_approaches_gives_one_request_per_approach():
    result = course_grid_import(data=grid([row(approche="SYNC | async")]))

    assert result.created == 2
    assert set(ServiceRequest.objects.values_list("external_key", flat=True)) == {
        "MMD1234|A2026|SYNC",
        "MMD1234|A2026|ASYNC",
    }
    assert Task.objects.count() == 8


def test_reimporting_the_same_file_changes_nothing(write_path):
    # given
    data = grid([row(), row(sigle="MMD2000", approche="SYNC|ASYNC")])
    course_grid_import(data=data)
    before = _written()

    # when
    result = course_grid_import(data=data)

    # then
    assert result.summary == "created=0 updated=0 unchanged=3 rejected=0"
    assert not result.applied
    assert _written() == before


def test_changed_row_updates_its_request_and_keeps_its_history(write_path):
    # given
    course_grid_import(data=grid([row(), row(sigle="MMD2000")]))
    request = ServiceRequest.objects.get(external_key="MMD1234|A2026|SYNC")
    tasks_before = Task.objects.count()

    # when
    result = course_grid_import(
        data=grid(
            [
                row(titre="Anatomie humaine", date_debut="15/09/2026"),
                row(sigle="MMD2000"),
            ]
        )
    )

    # then
    assert result.summary == "created=0 updated=1 unchanged=1 rejected=0"
    request.refresh_from_db()
    assert request.title == "MMD1234 — Anatomie humaine (A2026)"
    assert request.due_date == date(2026, 9, 15)
    assert request.form_data["titre"] == "Anatomie humaine"
    history = list(request.history.order_by("history_date"))
    assert [h.history_type for h in history] == ["+", "~"]
    assert history[0].title == "MMD1234 — Anatomie générale (A2026)"
    assert history[0].due_date == date(2026, 9, 8)
    assert history[1].history_reason_code == "imported"
    assert Task.objects.count() == tasks_before


def test_update_keeps_form_data_keys_that_are_not_from_the_file():
    course_grid_import(data=grid([row()]))
    request = ServiceRequest.objects.get()
    request.form_data = {**request.form_data, "note": "salle B-210"}
    request.save()

    course_grid_import(data=grid([row(departement="Médecine")]))

    request.refresh_from_db()
    assert request.form_data["note"] == "salle B-210"
    assert request.form_data["departement"] == "Médecine"


def test_a_new_responsible_teacher_becomes_the_requester():
    course_grid_import(data=grid([row()]))

    result = course_grid_import(data=grid([row(responsable_courriel="luc.cote@example.org")]))

    assert result.updated == 1
    assert ServiceRequest.objects.get().requester.email == "luc.cote@example.org"


def test_rows_left_out_of_a_later_file_are_never_deleted():
    course_grid_import(data=grid([row(), row(sigle="MMD2000")]))

    result = course_grid_import(data=grid([row()]))

    assert result.summary == "created=0 updated=0 unchanged=1 rejected=0"
    assert ServiceRequest.objects.count() == 2


def test_dry_run_writes_nothing_and_counts_what_the_import_would_do():
    # given
    course_grid_import(data=grid([row(), row(sigle="MMD2000")]))
    before = _written()
    data = grid(
        [
            row(titre="Autre titre"),
            row(sigle="MMD2000"),
            row(sigle="MMD3000", responsable_courriel="nouveau@example.org"),
            row(sigle="MMD4000", date_debut="demain"),
        ]
    )

    # when
    result = course_grid_import(data=data, dry_run=True)

    # then
    assert result.summary == "created=1 updated=1 unchanged=1 rejected=1"
    assert not result.applied
    assert _written() == before


def test_any_bad_row_stops_the_whole_import():
    before = _written()

    result = course_grid_import(data=grid([row(), row(sigle="MMD2000", approche="HYBRIDE")]))

    assert result.summary == "created=0 updated=0 unchanged=0 rejected=1"
    assert result.errors == [
        (3, "Unknown approach “HYBRIDE” (known: ASYNC, EQUIPNUM, SORTIES, SYNC, TRAVAUX).")
    ]
    assert _written() == before


def test_skip_invalid_imports_the_valid_rows_only():
    result = course_grid_import(
        data=grid([row(), row(sigle="MMD2000", approche="HYBRIDE"), row(sigle="MMD3000")]),
        skip_invalid=True,
    )

    assert result.summary == "created=2 updated=0 unchanged=0 rejected=1"
    assert set(ServiceRequest.objects.values_list("external_key", flat=True)) == {
        "MMD1234|A2026|SYNC",
        "MMD3000|A2026|SYNC",
    }
    assert [r.line for r in result.rejected_rows] == [3]
    assert result.rejected_rows[0].cells[0] == "MMD2000"


def test_the_importing_agent_is_recorded_as_filer_and_in_history(write_path):
    agent = factories.agent(email="import@example.org")

    course_grid_import(data=grid([row()]), by=agent)

    request = ServiceRequest.objects.get()
    assert request.created_by == agent
    assert request.history.get().history_user == agent
    assert Task.history.filter(history_user=agent).count() == 4


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_the_same_grid_at_once_create_each_request_once():
    # given
    data = grid([row(sigle=f"MMD{i:04d}") for i in range(30)])
    start = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            start.wait()
            results.append(course_grid_import(data=data))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then
    assert errors == []
    assert sorted((r.created, r.unchanged) for r in results) == [(0, 30), (30, 0)]
    assert ServiceRequest.objects.count() == 30
    assert Task.objects.count() == 120


# Requesters --------------------------------------------------------------------------------


def test_requester_is_the_client_found_by_email_without_case():
    # given a client with the teacher's address
    teacher = factories.ClientFactory(email="marie.tremblay@umontreal.example")
    users_before = User.objects.count()

    # when
    course_grid_import(data=grid([row(responsable_courriel="Marie.TREMBLAY@UMontreal.example")]))

    # then
    assert ServiceRequest.objects.get().requester == teacher
    assert Client.objects.count() == 1
    assert User.objects.count() == users_before


def test_unknown_teachers_become_clients_without_any_login_account(write_path):
    # given
    users_before = User.objects.count()

    # when
    result = course_grid_import(
        data=grid(
            [
                row(responsable_nom="Tremblay, Marie"),
                row(sigle="MMD2000", responsable_nom="Marie Tremblay"),
                row(sigle="MMD3000", responsable_nom="Luc Côté", responsable_courriel="l@ex.org"),
            ]
        )
    )

    # then
    assert result.requesters_created == 2
    marie = Client.objects.get(email="marie.tremblay@umontreal.example")
    assert (marie.first_name, marie.last_name) == ("Marie", "Tremblay")
    assert marie.user is None
    assert marie.history.count() == 1
    assert marie.requests.count() == 2
    assert str(Client.objects.get(email="l@ex.org")) == "Luc Côté"
    assert User.objects.count() == users_before


def test_reimporting_the_same_file_creates_no_client_and_changes_nothing():
    # given
    data = grid([row(), row(sigle="MMD2000", responsable_courriel="l@ex.org")])
    course_grid_import(data=data)
    clients = set(Client.objects.values_list("pk", "email", "first_name", "last_name"))

    # when
    result = course_grid_import(data=data)

    # then
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert result.requesters_created == 0
    assert set(Client.objects.values_list("pk", "email", "first_name", "last_name")) == clients


def test_a_changed_teacher_email_moves_the_request_to_the_other_client():
    # given
    course_grid_import(data=grid([row()]))
    marie = Client.objects.get()

    # when
    result = course_grid_import(data=grid([row(responsable_courriel="luc.cote@example.org")]))

    # then
    assert result.updated == 1
    request = ServiceRequest.objects.get()
    assert request.requester.email == "luc.cote@example.org"
    assert request.requester != marie
    assert not marie.requests.exists()


# Notifications -----------------------------------------------------------------------------


def test_each_group_with_open_tasks_is_notified_once_with_a_count(
    django_capture_on_commit_callbacks,
):
    # given: the demo agent is in both groups; only "Interview" (Techno-pédagogues) opens
    data = grid([row(sigle=f"MMD{i:04d}") for i in range(3)])

    # when
    with django_capture_on_commit_callbacks():
        course_grid_import(data=data)

    # then
    titles = list(
        Notification.objects.filter(recipient__email="agent@demo.guichet.test").values_list(
            "title", flat=True
        )
    )
    assert titles == ["3 new tasks in your queue (Techno-pédagogues)"]


# Set-based ---------------------------------------------------------------------------------


def test_query_count_does_not_grow_with_the_rows():
    def queries(prefix: str, n: int) -> int:
        rows = [
            row(sigle=f"{prefix}{i:04d}", responsable_courriel=f"{prefix}{i}@example.org")
            for i in range(n)
        ]
        # Both read the calendars and chain steps (kept in the process after a first read).
        config_cache.forget()
        with CaptureQueriesContext(connection) as captured:
            course_grid_import(data=grid(rows))
        return len(captured)

    assert queries("AAA", 3) == queries("BBB", 60)


# Reading -----------------------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [";", ","])
@pytest.mark.parametrize("bom", [False, True])
def test_utf8_with_or_without_bom_and_either_delimiter(delimiter, bom):
    data = grid(
        [row(titre="Éthique, droit et santé", departement="Médecine sociale")],
        delimiter=delimiter,
        bom=bom,
    )

    result = course_grid_import(data=data)

    assert result.created == 1
    assert ServiceRequest.objects.get().form_data["titre"] == "Éthique, droit et santé"


def test_headers_ignore_case_accents_and_spaces():
    header = [
        "SIGLE",
        "Titre",
        "Trimestre",
        "Département",
        "Responsable nom",
        "RESPONSABLE_COURRIEL",
        "Approche",
        "Date début",
        "Présentateurs",
    ]

    result = course_grid_import(data=grid([row()], header=header))

    assert result.created == 1
    assert normalise_header(" Date-Début ") == "date_debut"


def test_columns_may_come_in_any_order_with_extra_ones():
    header = ["remarque", *reversed(HEADER)]
    cells = ["à voir", *reversed([row()[name] for name in HEADER])]

    result = course_grid_import(data=grid([cells], header=header))

    assert result.created == 1


def test_presenters_column_is_optional():
    header = HEADER[:-1]
    cells = [row()[name] for name in header]

    result = course_grid_import(data=grid([cells], header=header))

    assert result.created == 1
    assert ServiceRequest.objects.get().form_data["presentateurs"] == []


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2026-09-08", date(2026, 9, 8)),
        ("08/09/2026", date(2026, 9, 8)),
        ("1/2/2027", date(2027, 2, 1)),
    ],
)
def test_start_date_iso_or_day_first(written, expected):
    course_grid_import(data=grid([row(date_debut=written)]))

    assert ServiceRequest.objects.get().due_date == expected


def test_presenters_are_parsed_into_names_and_emails():
    course_grid_import(
        data=grid(
            [row(presentateurs='Ana Roy <Ana.Roy@x.org> | luc@x.org|  |"Côté, Éva" <eva@x.org>')]
        )
    )

    assert ServiceRequest.objects.get().form_data["presentateurs"] == [
        {"name": "Ana Roy", "email": "ana.roy@x.org"},
        {"name": "", "email": "luc@x.org"},
        {"name": "Côté, Éva", "email": "eva@x.org"},
    ]


def test_parse_presenters_returns_the_bad_items_as_written():
    presenters, bad = parse_presenters("Ana <ana@x.org>|Luc <pas une adresse>|<>")

    assert presenters == [{"name": "Ana", "email": "ana@x.org"}]
    assert bad == ["Luc <pas une adresse>", "<>"]


def test_blank_lines_are_skipped_and_line_numbers_stay_those_of_the_file():
    text = (
        grid([row()]).decode()
        + "\r\n;;;;;;;;\r\n"
        + grid([row(approche="X")]).decode().split("\r\n", 1)[1]
    )

    result = course_grid_import(data=text.encode())

    assert [line for line, _reason in result.errors] == [5]


def test_a_quoted_cell_on_several_lines_keeps_the_line_where_the_row_starts():
    data = grid([row(titre="Anatomie\nsur deux lignes"), row(sigle="MMD2000", approche="X")])

    result = course_grid_import(data=data)

    assert [line for line, _reason in result.errors] == [4]


# Malformed files ---------------------------------------------------------------------------

MALFORMED_FILES = {
    "not UTF-8": (
        grid([row()]).decode().encode("cp1252"),
        "The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.",
    ),
    "a spreadsheet": (
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00",
        "The file is not a CSV text file.",
    ),
    "empty": (b"", "The file is empty."),
    "only blank lines": (b"\r\n  \r\n", "The file is empty."),
    "header only": (grid([]), "The file has a header but no rows."),
    "no separator": (
        b"sigle titre trimestre\nMMD1234 Anatomie A2026\n",
        "Line 1: no column separator found (expected “;” or “,”).",
    ),
    "missing columns": (
        grid([["MMD1234", "Anatomie", "A2026"]], header=["sigle", "titre", "trimestre"]),
        "Line 1: missing columns “departement”, “responsable_nom”, “responsable_courriel”, "
        "“approche”, “date_debut”.",
    ),
    "one missing column": (
        grid([["x"] * 8], header=[h for h in HEADER if h != "approche"]),
        "Line 1: missing column “approche”.",
    ),
    "column twice": (
        grid([["x"] * 10], header=[*HEADER, "Sigle"]),
        "Line 1: the column “sigle” appears twice.",
    ),
}


@pytest.mark.parametrize("name", MALFORMED_FILES)
def test_a_file_that_is_not_a_course_grid_is_refused_whole(name):
    data, message = MALFORMED_FILES[name]
    before = _written()

    with pytest.raises(CourseGridFileError) as raised:
        course_grid_import(data=data, skip_invalid=True)

    assert raised.value.message == message
    assert _written() == before


BAD_ROWS = {
    "missing cells": (
        ["MMD1234", "Anatomie", "A2026"],
        [
            "Missing column “departement”.",
            "Missing column “responsable_nom”.",
            "Missing column “responsable_courriel”.",
            "Missing column “approche”.",
            "Missing column “date_debut”.",
        ],
    ),
    "empty value": (row(sigle="  "), ["The column “sigle” is empty."]),
    "too many cells": (
        [*(row()[h] for h in HEADER), "de trop"],
        ["The row has 10 cells, the header 9."],
    ),
    "unknown approach": (
        row(approche="SYNC|HYBRIDE"),
        ["Unknown approach “HYBRIDE” (known: ASYNC, EQUIPNUM, SORTIES, SYNC, TRAVAUX)."],
    ),
    "only separators as approach": (row(approche="|"), ["The column “approche” is empty."]),
    "impossible date": (
        row(date_debut="31/02/2026"),
        ["Bad date “31/02/2026” (expected YYYY-MM-DD or DD/MM/YYYY)."],
    ),
    "month first date": (
        row(date_debut="09-08-2026"),
        ["Bad date “09-08-2026” (expected YYYY-MM-DD or DD/MM/YYYY)."],
    ),
    "bad e-mail": (
        row(responsable_courriel="marie.tremblay@"),
        ["Bad e-mail address “marie.tremblay@”."],
    ),
    "e-mail with a name": (
        row(responsable_courriel="Marie <marie@x.org>"),
        ["Bad e-mail address “Marie <marie@x.org>”."],
    ),
    "bad presenter": (
        row(presentateurs="Ana Roy <ana@x.org>|Luc Côté"),
        ["Bad presenter “Luc Côté” (expected Name <e-mail>)."],
    ),
    "several problems": (
        row(date_debut="demain", responsable_courriel="personne"),
        [
            "Bad date “demain” (expected YYYY-MM-DD or DD/MM/YYYY).",
            "Bad e-mail address “personne”.",
        ],
    ),
}


@pytest.mark.parametrize("name", BAD_ROWS)
def test_each_bad_row_is_reported_with_its_line_and_reason(name):
    cells, reasons = BAD_ROWS[name]
    before = _written()

    result = course_grid_import(data=grid([row(sigle="MMD0001"), cells]))

    assert result.errors == [(3, reason) for reason in reasons]
    assert result.rejected == 1
    assert _written() == before


def test_the_same_key_twice_in_the_file_refuses_the_later_rows():
    data = grid(
        [
            row(approche="SYNC"),
            row(sigle="MMD2000"),
            row(sigle=" mmd1234", trimestre="a2026", approche="ASYNC|sync"),
        ]
    )

    result = course_grid_import(data=data, skip_invalid=True)

    assert result.errors == [(4, "Same course, term and approach (MMD1234|A2026|SYNC) as line 2.")]
    assert result.created == 2
