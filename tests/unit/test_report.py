"""The doctor-visit report: what it answers, in each format."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from stretch_coach.history import render, report
from stretch_coach.history.model import Cramp
from stretch_coach.history.store import HistoryStore

TZ = timezone(timedelta(hours=2))
NOW = datetime(2024, 4, 28, 12, 0, tzinfo=TZ)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 4, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def store(tmp_path: Path):
    """Two weeks of nightly cramps, then two weeks of daily stretching with few cramps."""
    with HistoryStore.open(tmp_path / "history.sqlite3") as opened:
        for day in range(1, 15):
            opened.add_cramp(
                Cramp(
                    at=at(day, 3),
                    duration_seconds=120,
                    severity=5,
                    leg="left",
                    muscle="calf",
                    woke=day % 2 == 0,
                )
            )
        opened.add_cramp(
            Cramp(
                at=at(18, 2, 30),
                duration_seconds=15 * 60,
                severity=8,
                leg="right",
                muscle="calf",
                woke=True,
                symptoms=("swelling",),
                note="calf <hot> & | tight",
            )
        )
        opened.add_cramp(
            Cramp(at=at(25, 16), duration_seconds=60, severity=2, leg="both", muscle="foot")
        )
        stopped = opened.start_session(
            "calf", "Bedtime calf stretch", "sha256:a", 600, started_at=at(10, 22)
        )
        stopped.step_done(0, "Wall calf stretch", 60)
        stopped.finish("stopped", ended_at=at(10, 22, 2))
        for day in range(15, 29):
            record = opened.start_session(
                "calf", "Bedtime calf stretch", "sha256:a", 600, started_at=at(day, 22)
            )
            record.step_done(0, "Wall calf stretch", 300)
            record.step_done(1, "Towel stretch", 300)
            if day != 28:
                record.finish("finished", ended_at=at(day, 22, 10))
        yield opened


@pytest.fixture
def data(store: HistoryStore) -> dict:
    return report.build(store, current=NOW)


def test_json_holds_every_diary_entry_of_the_period_in_cramps(store, data) -> None:
    assert data["format"] == "stretch-coach-report"
    assert len(data["cramps"]) == 16
    assert [c["at"] for c in data["cramps"]][:2] == [
        "2024-04-01T03:00:00+02:00",
        "2024-04-02T03:00:00+02:00",
    ]
    assert data["cramps"][14]["signs"] == ["long", "symptoms"]
    since = report.build(store, since=date(2024, 4, 14), current=NOW)
    assert len(since["cramps"]) == 3
    assert since["cramps_summary"]["last_4_weeks"] == {"count": 3, "days": 15, "per_week": 1.4}
    assert since["period"] == {"since": "2024-04-14", "until": "2024-04-28", "days": 15}
    assert json.loads(render.render(data, "json")) == data


def test_it_answers_when_since_when_how_often_and_other_symptoms(data) -> None:
    summary = data["cramps_summary"]
    assert summary["first_logged"] == "2024-04-01T03:00:00+02:00"
    assert summary["times_of_day"] == {"night": 15, "morning": 0, "afternoon": 1, "evening": 0}
    assert summary["by_hour"][3] == 14
    assert summary["woke"] == 8
    assert summary["count"] == 16 and summary["days"] == 28
    assert summary["per_week"] == 4.0
    assert summary["symptoms"] == {"swelling": 1}
    assert summary["legs"] == {"left": 14, "right": 1, "both": 1}
    assert summary["duration"]["longest_seconds"] == 900


def test_routines_and_how_regularly(data) -> None:
    routines = data["routines"]
    assert (routines["sessions"], routines["finished"]) == (15, 13)
    # Today's session is not finished but has both steps done: it counts. The one
    # stopped after 1 of 10 minutes on the 10th does not.
    assert routines["counted"] == 14
    assert routines["days_with_routine"] == 14
    assert routines["current_streak"] == 14
    assert routines["by_routine"] == [
        {
            "routine_id": "calf",
            "title": "Bedtime calf stretch",
            "sessions": 15,
            "finished": 13,
            "counted": 14,
            "minutes": 141.0,
            "first": "2024-04-10",
            "last": "2024-04-28",
        }
    ]


def test_cramps_per_week_before_and_after_regular_stretching(data) -> None:
    comparison = data["regular_stretching"]
    assert comparison["began"] == "2024-04-15"
    assert comparison["before"] == {
        "from": "2024-04-01",
        "to": "2024-04-14",
        "days": 14,
        "cramps": 14,
        "per_week": 7.0,
    }
    assert comparison["after"] == {
        "from": "2024-04-15",
        "to": "2024-04-28",
        "days": 14,
        "cramps": 2,
        "per_week": 1.0,
    }
    assert "Before: 7.0 cramps a week; after: 1.0 a week" in comparison["note"]


def test_too_little_data_for_a_comparison_is_said(store) -> None:
    data = report.build(store, since=date(2024, 4, 12), current=NOW)
    assert (
        "Not enough diary data before regular stretching began"
        in (data["regular_stretching"]["note"])
    )
    empty = report.build(HistoryStore.in_memory(), current=NOW)
    assert empty["regular_stretching"]["began"] is None
    assert "has not begun" in empty["regular_stretching"]["note"]
    assert empty["cramps"] == [] and empty["red_flags"] == []


def test_red_flags_seen_are_listed(data) -> None:
    kinds = [flag["sign"] for flag in data["red_flags"]]
    assert kinds == ["long", "symptoms", "frequent", "sleep"]
    assert data["red_flags"][0]["seen"].startswith("1 cramp lasted longer than 10 minutes")


def test_markdown_reads_as_a_summary(data) -> None:
    text = render.render(data, "md")
    assert text.startswith("# Leg cramps and stretching: a summary for the doctor")
    for words in (
        "**When do the cramps happen?** Of 16 cramps: 15 at night (22:00-06:00)",
        "**Since when?** The first cramp in the diary was on 1 April 2024.",
        (
            "**How often?** 16 cramps in 28 days of the diary: about 4.0 a week. "
            "In the last 28 days: 16 (4.0 a week)."
        ),
        "Where: left leg 14, right leg 1, both legs 1, calf 15, foot 1.",
        "In the last 28 days: a routine on 14.",
        "14 of 15 sessions counted (at least half done), on 14 of the 28 days.",
        "**Other symptoms?** Noted: swelling (with 1 cramp).",
        (
            "**Frequent leg cramps (3 or more in 7 days: the sources give no number, this app "
            "uses 3):** up to 7 cramps in 7 days"
        ),
        (
            "Regular stretching (a routine at least half done on 4 or more days within 7) began on "
            "15 April 2024."
        ),
        "| Before | 2024-04-01 | 2024-04-14 | 14 | 14 | 7.0 |",
        "| 2024-04-15 | 1 | 7 | 7 |",
        r"calf &lt;hot&gt; &amp; \| tight",
    ):
        assert words in text


def test_html_is_one_self_contained_printable_page(data) -> None:
    page = render.render(data, "html")
    assert page.startswith("<!DOCTYPE html>")
    assert "<svg" in page and "<rect" in page and "regular stretching began" in page
    assert "@media print" in page
    for fetching in (
        "http:",
        "https:",
        "<script",
        " src=",
        "<link",
        "@import",
        "url(",
        "<img",
        "<iframe",
    ):
        assert fetching not in page.lower()
    assert "calf &lt;hot&gt; &amp; | tight" in page
    assert "<hot>" not in page
    assert page.count("<h2>") == 7  # six, and the nights with and without a routine


def test_csv_has_a_row_per_diary_entry(data) -> None:
    rows = list(csv.DictReader(io.StringIO(render.render(data, "csv"))))
    assert len(rows) == 16
    assert rows[14] == {
        "at": "2024-04-18T02:30:00+02:00",
        "date": "2024-04-18",
        "time": "02:30",
        "duration_seconds": "900",
        "severity": "8",
        "leg": "right",
        "muscle": "calf",
        "woke": "yes",
        "symptoms": "swelling",
        "note": "calf <hot> & | tight",
        "signs": "long;symptoms",
    }


def test_the_chart_shows_at_most_the_latest_weeks(store) -> None:
    data = report.build(store, since=date(2023, 1, 2), current=NOW)
    assert len(data["weeks"]) > render.CHART_WEEKS
    page = render.render(data, "html")
    assert f"the last {render.CHART_WEEKS} weeks" in page
    assert len(re.findall(r'<rect class="cramps"[^>]*><title>', page)) == render.CHART_WEEKS


def test_it_compares_the_known_nights_with_and_without_a_routine(store, data) -> None:
    # Nights 31 March to 13 April: a cramp each, no routine that counts (the 10th's was
    # stopped at a tenth). Night of the 17th: a routine at 22:00, then the cramp at 02:30.
    # The afternoon cramp of the 25th is in no night.
    nights = data["nights"]
    assert {k: nights[k] for k in ("known_nights", "with", "without", "difference", "enough")} == {
        "known_nights": 15,
        "with": {"nights": 1, "cramp_nights": 1},
        "without": {"nights": 14, "cramp_nights": 14},
        "difference": 0.0,
        "enough": False,
    }
    assert nights["summary"] == "too few nights to tell yet (1 with, 14 without); keep logging"
    for day in range(18, 28):
        store.check_in(date(2024, 4, day))
    later = report.build(store, current=NOW)["nights"]
    assert (later["with"], later["known_nights"]) == ({"nights": 11, "cramp_nights": 1}, 25)
    text = render.render(report.build(store, current=NOW), "md")
    assert "## Nights with and without a routine before them" in text
    assert "| After a routine | 11 | 1 |" in text and "| Without | 14 | 14 |" in text
