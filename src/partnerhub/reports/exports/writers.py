"""Writing rows as CSV or XLSX, streamed, with every text cell safe to open in a spreadsheet.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to Excel and
LibreOffice ("CSV injection"): an organisation named ``=HYPERLINK(...)`` would run when the file is opened.
In CSV such a text is prefixed with ``'``; in XLSX it is written as a text cell, never as a formula.
"""

from __future__ import annotations

import csv
import datetime
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from django.http import FileResponse, StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
BOM = "\ufeff"  # Excel reads a CSV as UTF-8 (Chinese names intact) only when it starts with one


def plain(value) -> str | int | float | Decimal | None:
    """A cell's value: numbers stay numbers, dates ISO 8601, everything else text (lazy texts translated)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def neutralised(text: str) -> str:
    """The text as a CSV cell: a leading formula character is escaped with ``'``."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    """A file-like object whose ``write`` hands the line back, so ``csv.writer`` can feed a generator."""

    def write(self, value: str) -> str:
        return value


def csv_lines(headers: Sequence[str], rows: Iterable[Sequence]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow([neutralised(str(h)) for h in headers])
    for row in rows:
        cells = (plain(v) for v in row)
        yield writer.writerow(
            ["" if v is None else neutralised(v) if isinstance(v, str) else v for v in cells]
        )


def csv_response(filename: str, headers: Sequence[str], rows: Iterable[Sequence]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in csv_lines(headers, rows)), content_type=CONTENT_TYPES["csv"]
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def write_xlsx(handle, title: str, headers: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Write the workbook in openpyxl's write-only mode (rows go to disk as they come, memory stays flat)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    bold = Font(bold=True)

    def cells(values, font=None):
        out = []
        for value in values:
            value = plain(value)
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text, even "=SUM(…)" or "#REF!": never a formula or an error
            if font is not None:
                cell.font = font
            out.append(cell)
        return out

    sheet.append(cells([str(h) for h in headers], bold))
    for row in rows:
        sheet.append(cells(row))
    book.save(handle)


def xlsx_response(
    filename: str, title: str, headers: Sequence[str], rows: Iterable[Sequence]
) -> FileResponse:
    # The workbook is built in a temporary file (removed when the response closes it) and streamed from there.
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    write_xlsx(handle, title, headers, rows)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=CONTENT_TYPES["xlsx"])
