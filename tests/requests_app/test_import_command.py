"""``manage.py import_course_grid``: output, exit status, rejected-rows file."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from requests_app.models import ServiceRequest
from tests import factories

from .conftest import HEADER, grid, row

pytestmark = pytest.mark.usefixtures("faculty", "english")


def run(*args):
    """Call the command; returns (exit status, stdout lines, stderr lines)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_course_grid", *map(str, args), stdout=out, stderr=err)
        status = 0
    except SystemExit as exc:
        status = exc.code
    return status, out.getvalue().splitlines(), err.getvalue().splitlines()


@pytest.fixture
def write(tmp_path):
    def _write(data: bytes, name: str = "grille.csv"):
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return _write


def test_import_ends_with_the_summary_line(write):
    path = write(grid([row(), row(sigle="MMD2000", approche="SYNC|ASYNC")]))

    status, out, err = run(path)

    assert status == 0
    assert out[-1] == "created=3 updated=0 unchanged=0 rejected=0"
    assert err == []
    assert ServiceRequest.objects.count() == 3


def test_second_run_of_the_same_file_reports_everything_unchanged(write):
    path = write(grid([row(), row(sigle="MMD2000")]))
    run(path)

    status, out, _err = run(path)

    assert status == 0
    assert out[-1] == "created=0 updated=0 unchanged=2 rejected=0"


def test_bad_rows_exit_non_zero_and_import_nothing(write):
    path = write(
        grid(
            [row(), row(sigle="MMD2000", approche="HYBRIDE"), row(sigle="MMD3000", date_debut="x")]
        )
    )

    status, out, err = run(path)

    assert status == 1
    assert ServiceRequest.objects.count() == 0
    assert err == [
        "line 3: Unknown approach “HYBRIDE” (known: ASYNC, EQUIPNUM, SORTIES, SYNC, TRAVAUX).",
        "line 4: Bad date “x” (expected YYYY-MM-DD or DD/MM/YYYY).",
    ]
    assert out == [
        "Rows were rejected: nothing was imported.",
        "created=0 updated=0 unchanged=0 rejected=2",
    ]
    assert not (path.parent / "grille.rejected.csv").exists()


def test_skip_invalid_imports_valid_rows_and_writes_rejected_ones_beside_the_input(write):
    # given
    path = write(
        grid([row(), row(sigle="MMD2000", approche="HYBRIDE"), row(sigle="MMD3000")], delimiter=",")
    )

    # when
    status, out, _err = run(path, "--skip-invalid")

    # then
    assert status == 0
    assert out[-1] == "created=2 updated=0 unchanged=0 rejected=1"
    rejected = path.parent / "grille.rejected.csv"
    assert out[0] == f"Rejected rows written to {rejected}"
    rows = list(csv.reader(io.StringIO(rejected.read_text(encoding="utf-8-sig")), delimiter=","))
    assert rows[0] == ["line", "reason", *HEADER]
    assert rows[1][:3] == [
        "3",
        "Unknown approach “HYBRIDE” (known: ASYNC, EQUIPNUM, SORTIES, SYNC, TRAVAUX).",
        "MMD2000",
    ]
    assert len(rows) == 2


def test_dry_run_writes_nothing_not_even_the_rejected_rows(write):
    path = write(grid([row(), row(sigle="MMD2000", approche="HYBRIDE")]))

    status, out, _err = run(path, "--dry-run", "--skip-invalid")

    assert status == 0
    assert out == ["Dry run: nothing was written.", "created=1 updated=0 unchanged=0 rejected=1"]
    assert ServiceRequest.objects.count() == 0
    assert [p.name for p in path.parent.iterdir()] == ["grille.csv"]


def test_dry_run_with_bad_rows_still_exits_non_zero(write):
    path = write(grid([row(approche="HYBRIDE")]))

    status, out, _err = run(path, "--dry-run")

    assert status == 1
    assert out[-1] == "created=0 updated=0 unchanged=0 rejected=1"


def test_by_records_the_agent_who_filed_the_requests(write):
    agent = factories.agent(email="import@example.org")

    run(write(grid([row()])), "--by", "IMPORT@example.org")

    assert ServiceRequest.objects.get().created_by == agent


def test_unknown_by_is_refused(write):
    with pytest.raises(CommandError, match="personne@example.org"):
        run(write(grid([row()])), "--by", "personne@example.org")


def test_a_file_that_is_not_a_grid_is_a_command_error(write):
    with pytest.raises(CommandError, match="missing column “approche”"):
        run(write(grid([["x"] * 8], header=[h for h in HEADER if h != "approche"])))


def test_a_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run(tmp_path / "absent.csv")
