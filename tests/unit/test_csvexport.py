"""CSV exports never hand a spreadsheet a live formula."""
import csv
import io

import pytest

from inbox.csvexport import cell, to_csv


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://evil.example\",\"klik\")", "+31 6 1234", "-2+3", "@SUM(A1)",
                                  "\t=1", "\r=1"])
def test_text_that_starts_like_a_formula_is_kept_as_text(text):
    assert cell(text) == "'" + text


@pytest.mark.parametrize("value", [-3, 2.5, 0, "Ingrid van Dijk", "a=b", "", "1-2"])
def test_numbers_and_ordinary_text_are_written_as_they_are(value):
    assert cell(value) == value


def test_a_whole_export_reads_back_with_every_formula_defused():
    text = to_csv(["name", "tickets"], [["=cmd|' /C calc'!A0", 4], [None, -1]])
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows == [["name", "tickets"], ["'=cmd|' /C calc'!A0", "4"], ["", "-1"]]
