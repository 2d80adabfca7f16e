"""Text from the diary and the sessions is data in every report format (issue 11).

No injected markup survives in HTML (checked with an HTML parser) or
Markdown; no CSV cell is a formula; no control character reaches a terminal.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest

from stretch_coach import cli
from stretch_coach.history import render, report
from stretch_coach.history.model import Cramp
from stretch_coach.history.store import HistoryStore

TZ = timezone(timedelta(hours=2))
NOW = datetime(2024, 4, 28, 12, 0, tzinfo=TZ)
SCRIPT = "<script>alert(1)</script>"
IMAGE = '<img src=x onerror="alert(2)">'
NOTES = (
    SCRIPT,
    IMAGE,
    '"><iframe src="javascript:alert(3)">',
    "</td></tr></table><b>bold</b>",
    '=HYPERLINK("http://x","click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,1)",
    "\tTAB=1",
    "\r=CR",
    "-12.5",
    "a \x1b]52;c;ZXZpbA==\x07 b \x1b[2J",
)


@pytest.fixture
def data(tmp_path: Path) -> dict[str, object]:
    with HistoryStore.open(tmp_path / "history.sqlite3") as store:
        for n, note in enumerate(NOTES):
            store.add_cramp(
                Cramp(at=datetime(2024, 4, 1 + n, 3, 0, tzinfo=TZ), severity=3, note=note)
            )
        for n in range(8):  # a title with markup, played often enough to be in every table
            record = store.start_session(
                "calf",
                IMAGE + " calf",
                "sha256:x",
                60,
                started_at=datetime(2024, 4, 10 + n, 22, 0, tzinfo=TZ),
            )
            record.step_done(0, SCRIPT, 60)
            record.finish("finished", ended_at=datetime(2024, 4, 10 + n, 22, 1, tzinfo=TZ))
        return report.build(store, since=datetime(2024, 4, 1).date(), current=NOW)


class Elements(HTMLParser):
    """Every start tag and attribute name the page holds, as a browser would parse it."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes |= {name for name, _ in attrs}

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_no_injected_markup_survives_in_the_html_report(data: dict[str, object]) -> None:
    page = render.render(data, "html")
    parsed = Elements()
    parsed.feed(page)
    parsed.close()
    allowed = {
        "html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "dl", "dt", "dd",
        "table", "thead", "tbody", "tr", "th", "td", "svg", "line", "text", "rect",
    }  # fmt: skip
    assert set(parsed.tags) <= allowed
    assert not {"script", "img", "iframe", "b"} & set(parsed.tags)
    assert not {a for a in parsed.attributes if a.startswith("on")}
    assert "src" not in parsed.attributes
    text = "".join(parsed.text)
    assert SCRIPT in text and IMAGE + " calf" in text  # shown, as text
    assert "\x1b" not in page and "\x07" not in page


def test_the_html_report_comes_from_the_packaged_template() -> None:
    template = Path(render.__file__).parent / "templates" / "report.html.j2"
    assert template.is_file()
    assert "<!DOCTYPE html>" in template.read_text()


def test_markdown_shows_html_as_text(data: dict[str, object]) -> None:
    text = render.render(data, "md")
    assert "<script" not in text and "<img" not in text and "<iframe" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert '&lt;img src=x onerror="alert(2)"&gt; calf' in text
    assert "\x1b" not in text


def test_no_csv_cell_is_a_formula_and_numbers_stay_numbers(data: dict[str, object]) -> None:
    rows = list(csv.DictReader(io.StringIO(render.render(data, "csv"))))
    notes = [row["note"] for row in rows]
    assert notes[4:10] == [
        '\'=HYPERLINK("http://x","click")',
        "'+1+cmd|' /C calc'!A0",
        "'-2+3",
        "'@SUM(1,1)",
        "'\tTAB=1",
        "'\ufffd=CR",
    ]
    assert notes[10] == "-12.5"  # a plain negative number is left a number
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
            assert not cell.startswith("-") or cell == "-12.5", cell
    assert notes[11] == "a \ufffd]52;c;ZXZpbA==\ufffd b \ufffd[2J"


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("-5", "-5"),
        ("-0.25", "-0.25"),
        ("-1e3", "-1e3"),
        ("-", "'-"),
        ("-1-1", "'-1-1"),
        ("=1", "'=1"),
        ("ok", "ok"),
        (7, 7),
    ],
)
def test_csv_cell(cell: object, written: object) -> None:
    assert render.csv_cell(cell) == written


def test_the_terminal_gets_no_control_characters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("STRETCH_COACH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("STRETCH_COACH_CONFIG_DIR", str(tmp_path / "config"))
    with HistoryStore.open(tmp_path / "data" / "history.sqlite3") as store:
        store.add_cramp(Cramp(at=datetime(2024, 4, 1, 3, tzinfo=TZ), note="x\x1b[2Jy"))
        record = store.start_session("calf", "Calf\x1b]52;c;AAAA\x07", "sha256:x", 60)
        record.finish("finished")
    for argv in (["diary", "list"], ["history"], ["report"]):
        assert cli.main(argv) == 0
        out = capsys.readouterr().out
        assert "\x1b" not in out and "\x07" not in out, argv
    assert cli.main(["diary", "list"]) == 0
    assert capsys.readouterr().out.endswith("x\ufffd[2Jy\n")
