"""The report's wording: an hour only from enough cramps, "of N cramps", and whose report."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from stretch_coach import cli
from stretch_coach.history import render, report
from stretch_coach.history.model import Cramp
from stretch_coach.history.store import HistoryStore

TZ = timezone(timedelta(hours=2))
NOW = datetime(2024, 4, 28, 12, 0, tzinfo=TZ)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HistoryStore]:
    with HistoryStore.open(tmp_path / "history.sqlite3") as opened:
        yield opened


def cramps(store: HistoryStore, count: int, *, severities: list[int | None]) -> None:
    for day in range(count):
        store.add_cramp(
            Cramp(
                at=datetime(2024, 4, 1 + day, 3, 10, tzinfo=TZ),
                severity=severities[day] if day < len(severities) else None,
            )
        )


def markdown(store: HistoryStore, **kwargs: str) -> str:
    return render.render(report.build(store, current=NOW, **kwargs), "md")


def test_the_hour_is_said_only_from_five_cramps(store: HistoryStore) -> None:
    cramps(store, 4, severities=[])
    text = markdown(store)
    assert "Of 4 cramps: 4 at night (22:00-06:00)." in text
    assert "most often" not in text
    cramps(store, 1, severities=[])
    assert "; most often between 03:00 and 04:00." in markdown(store)


def test_severity_and_duration_say_of_how_many_cramps(store: HistoryStore) -> None:
    cramps(store, 6, severities=[3, 8, 5, 2, 4])
    text = markdown(store)
    assert "highest 8 (given for 5 of 6 cramps)." in text
    store.add_cramp(Cramp(at=datetime(2024, 4, 20, 2, 0, tzinfo=TZ), duration_seconds=90))
    assert "the longest 1 min 30 s (given for 1 of 7 cramps)." in markdown(store)


def test_for_names_the_person_as_data(store: HistoryStore) -> None:
    cramps(store, 1, severities=[])
    data = report.build(store, current=NOW, person="Ann <b>Lee</b>")
    assert data["person"] == "Ann <b>Lee</b>"
    assert "\nFor Ann &lt;b&gt;Lee&lt;/b&gt;.\n" in render.render(data, "md")
    page = render.render(data, "html")
    assert "<p>For Ann &lt;b&gt;Lee&lt;/b&gt;.</p>" in page and "<b>" not in page
    assert "person" not in report.build(store, current=NOW)  # no name: nothing said


def test_report_for_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("STRETCH_COACH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("STRETCH_COACH_CONFIG_DIR", str(tmp_path / "config"))
    assert cli.main(["diary", "add", "--when", "2024-04-02T03:00"]) == 0
    capsys.readouterr()
    assert cli.main(["report", "--format", "json", "--for", " Ann\x1b[2J Lee "]) == 0
    assert json.loads(capsys.readouterr().out)["person"] == "Ann[2J Lee"


@pytest.mark.parametrize(
    ("argv", "usage"),
    [
        (["run", "--bogus", "x"], "usage: stretch-coach run "),
        (["list", "--zz"], "usage: stretch-coach list "),
        (["diary", "add", "--bogus"], "usage: stretch-coach diary add "),
        (["diary", "list", "extra"], "usage: stretch-coach diary list "),
        (["report", "--for"], "usage: stretch-coach report "),
        (["history", "--json", "x"], "usage: stretch-coach history "),
    ],
)
def test_an_argument_error_shows_its_own_commands_usage(
    argv: list[str], usage: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(usage), err
    assert f"stretch-coach {' '.join(usage.split()[2:])}: error: " in err
    assert "Traceback" not in err
