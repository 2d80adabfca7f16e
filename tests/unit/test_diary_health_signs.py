"""The diary's health signs: toxins or an infected cut, the ten-minute qualifier, own thresholds."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from stretch_coach import cli
from stretch_coach.history import redflags
from stretch_coach.history.model import Cramp

T0 = datetime(2024, 5, 1, 3, 0, tzinfo=timezone(timedelta(hours=2)))
DOCTOR = "This is a reason to see a doctor"


def night(days: float, n: int = 1, **fields: object) -> Cramp:
    return Cramp(at=T0 + timedelta(days=days), id=n, **fields)  # type: ignore[arg-type]


def said(cramp: Cramp) -> str | None:
    return redflags.message(redflags.signs_to_say(cramp, [cramp]))


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    monkeypatch.setenv("STRETCH_COACH_DATA_DIR", str(tmp_path / "data"))

    def run(*argv: str) -> tuple[int, str, str]:
        try:
            code = cli.main(list(argv))
        except SystemExit as exit_:  # --help
            code = int(exit_.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_an_infected_cut_or_toxins_before_a_cramp_is_a_reason_to_see_a_doctor() -> None:
    assert said(night(0, symptoms=("cut-infection",))) == (
        f"{DOCTOR}: you noted an infected cut before it."
    )
    assert said(night(0, symptoms=("toxins", "cut-infection", "weakness"))) == (
        f"{DOCTOR}: you noted contact with toxins and an infected cut before it."
    )
    assert said(night(0, symptoms=("weakness",))) is None


def test_the_report_sums_up_toxins_and_infected_cuts() -> None:
    entries = [
        night(0, 1, symptoms=("cut-infection",)),
        night(1, 2, symptoms=("toxins", "cut-infection")),
        night(9, 3),
    ]
    (sign,) = redflags.period_signs(entries)
    assert sign.kind == "exposure"
    assert sign.seen == "noted contact with toxins with 1 cramp and an infected cut with 2 cramps"
    assert sign.last == (T0 + timedelta(days=1)).date()
    assert sign.advice == "cramps after contact with toxins, or an infection through a cut"


def test_every_cramp_over_ten_minutes_is_flagged_with_the_qualifier() -> None:
    assert said(night(0, duration_seconds=10 * 60 + 1)) == (
        f"{DOCTOR}: the cramp lasted 10 min 1 s, longer than 10 minutes, "
        "if exercise didn't ease it."
    )
    assert said(replace(night(0), duration_seconds=600)) is None


def test_diary_add_cut_infection_says_it_is_a_reason_to_see_a_doctor(run) -> None:
    code, out, _ = run("diary", "add", "--symptom", "cut-infection")
    assert code == 0
    assert out.splitlines()[1] == f"{DOCTOR}: you noted an infected cut before it."


def test_diary_add_help_lists_the_new_choices_and_asks_for_the_cramp_itself(run) -> None:
    code, out, _ = run("diary", "add", "--help")
    assert code == 0
    text = " ".join(out.split())
    assert "trouble-walking, toxins, cut-infection" in text.replace("- walking", "-walking")
    assert "cut-infection: an infected cut before them" in text
    assert (
        "how long the cramp itself lasted (seconds to minutes), not the soreness after it, "
        "which can last up to a day"
    ) in text


def test_an_empty_report_names_every_sign_looked_for(run) -> None:
    run("diary", "add", "--when", "2024-05-01T02:00")
    code, out, _ = run("report", "--since", "2024-06-01")
    assert code == 0
    text = " ".join(out.split())
    assert "The signs looked for: cramps that last longer than 10 minutes and exercise " in text
    assert "cramps after contact with toxins, or an infection through a cut;" in text
    assert "frequent leg cramps (3 or more in 7 days: the sources give no number, " in text
