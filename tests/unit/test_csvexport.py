"""CSV exports never hand a spreadsheet a live formula, and open right in Dutch and English Excel."""
import csv
import io

import pytest

from inbox.csvexport import EXCEL_NL, STANDARD, Hours, Percent, cell, dialect_for, to_csv


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://evil.example\",\"klik\")", "+31 6 1234", "-2+3", "@SUM(A1)",
                                  "\t=1", "\r=1"])
def test_text_that_starts_like_a_formula_is_kept_as_text(text):
    assert cell(text) == "'" + text
    assert cell(text, EXCEL_NL) == "'" + text


@pytest.mark.parametrize("value", [-3, 0, 12, "Ingrid van Dijk", "a=b", "", "1-2", "3,5"])
def test_whole_numbers_and_ordinary_text_are_written_as_they_are(value):
    assert cell(value) == value and cell(value, EXCEL_NL) == value


@pytest.mark.parametrize("value, standard, dutch", [
    (2.5, "2.5", "2,5"), (Hours(3.65), "3.65", "3,65"), (0.0, "0", "0"), (-0.001, "0", "0"), (12.0, "12", "12"),
    (Percent(93.3), "93.3%", "93,3%"), (Percent(100.0), "100%", "100%"), (Percent(0.0), "0%", "0%"),
])
def test_numbers_use_the_dialects_decimal_sign_and_shares_carry_a_percent_sign(value, standard, dutch):
    assert cell(value, STANDARD) == standard and cell(value, EXCEL_NL) == dutch


def test_a_whole_export_reads_back_with_every_formula_defused():
    text = to_csv(["name", "tickets"], [["=cmd|' /C calc'!A0", 4], [None, -1]])
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows == [["name", "tickets"], ["'=cmd|' /C calc'!A0", "4"], ["", "-1"]]


def test_dutch_excel_gets_semicolons_and_decimal_commas_and_keeps_accents():
    text = to_csv(["Wie", "Eerste reactie, mediaan (uren)", "% op tijd"],
                  [["Zoë de Boer", Hours(3.65), Percent(93.3)], ["Agent; Bob", Hours(12.0), None]], EXCEL_NL)
    assert text.encode("utf-8").startswith(b"\xef\xbb\xbf")
    assert text[1:].splitlines() == ["Wie;Eerste reactie, mediaan (uren);% op tijd",
                                     "Zoë de Boer;3,65;93,3%", '"Agent; Bob";12;']
    assert list(csv.reader(io.StringIO(text[1:]), delimiter=";"))[1] == ["Zoë de Boer", "3,65", "93,3%"]


@pytest.mark.parametrize("asked, language, expected", [
    (None, "nl", EXCEL_NL), (None, "nl_BE", EXCEL_NL), (None, "de", EXCEL_NL), (None, "en", STANDARD),
    (None, "", STANDARD), ("standard", "nl", STANDARD), ("excel-nl", "en", EXCEL_NL), ("nonsense", "en", STANDARD),
])
def test_the_dialect_follows_the_choice_else_the_language(asked, language, expected):
    assert dialect_for(asked, language) is expected
