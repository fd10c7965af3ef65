"""The one CSV writer of Guichet: every CSV it hands out (rejected import rows, later exports) is
written here, so that none can be turned against the spreadsheet that opens it.

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a formula
by Excel, LibreOffice and Google Sheets (``=HYPERLINK(…)``, ``+cmd|' /C calc'!A0``,
``@SUM(…)``). As OWASP recommends, such a cell is prefixed with a single quote, which the
spreadsheet shows as text. This includes ordinary negative numbers: ``-12`` is written
``'-12`` because ``-2+3+cmd|…`` begins the same way and a writer cannot tell a number from an
attack without guessing; a reader who needs the number strips the quote.

Every cell is also quoted, whatever the delimiter: a file opened with another separator than the
one it was written with (a ``;`` file in a ``,`` locale) cannot split a cell into a new one that
begins with ``=``.

Rows are written one at a time: ``csv_lines`` is a generator for ``StreamingHttpResponse``,
``csv_text`` joins it for small files and files written to disk.
"""

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE_PREFIX = "'"
BOM = "\ufeff"
LINE_TERMINATOR = "\r\n"
# Lines sent together by a streamed download: one write to the client for each line made a
# million-row export a million writes.
STREAM_LINES = 500


def escape_cell(value: Any) -> str:
    """The cell as text, with a quote in front if a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return ESCAPE_PREFIX + text
    return text


class _Echo:
    """A file-like object whose ``write`` returns the line instead of storing it."""

    def write(self, value: str) -> str:
        return value


def csv_lines(
    rows: Iterable[Iterable[Any]],
    *,
    header: Iterable[Any] | None = None,
    delimiter: str = ";",
    bom: bool = False,
) -> Iterator[str]:
    """Yield the CSV text line by line, pulling one row from ``rows`` per line.

    ``bom`` puts a UTF-8 byte order mark first, so that Excel reads accents right.
    """
    writer = csv.writer(
        _Echo(), delimiter=delimiter, lineterminator=LINE_TERMINATOR, quoting=csv.QUOTE_ALL
    )
    if bom:
        yield BOM
    if header is not None:
        yield writer.writerow([escape_cell(cell) for cell in header])
    for row in rows:
        yield writer.writerow([escape_cell(cell) for cell in row])


def csv_text(
    rows: Iterable[Iterable[Any]],
    *,
    header: Iterable[Any] | None = None,
    delimiter: str = ";",
    bom: bool = False,
) -> str:
    """The whole CSV text at once, for small files."""
    return "".join(csv_lines(rows, header=header, delimiter=delimiter, bom=bom))


def _together(lines: Iterator[str], size: int) -> Iterator[str]:
    """The lines joined ``size`` at a time (the last ones as they are)."""
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= size:
            yield "".join(batch)
            batch.clear()
    if batch:
        yield "".join(batch)


def csv_response(
    rows: Iterable[Iterable[Any]],
    *,
    filename: str,
    header: Iterable[Any] | None = None,
    delimiter: str = ";",
) -> StreamingHttpResponse:
    """A download of the rows, streamed (``STREAM_LINES`` lines at a time), in UTF-8 with a byte
    order mark for Excel."""
    response = StreamingHttpResponse(
        _together(csv_lines(rows, header=header, delimiter=delimiter, bom=True), STREAM_LINES),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    return response
