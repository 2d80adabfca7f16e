"""Issue 15, section 4: a personal trial, its draw, its exact test, its commands and its export."""

from __future__ import annotations

import itertools
import json
import random
from datetime import UTC, date, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from stretch_coach import agenda
from stretch_coach.history import nights, redflags, schema, times, transfer
from stretch_coach.history.model import Cramp
from stretch_coach.history.nights import Night
from stretch_coach.history.store import HistoryStore
from stretch_coach.history.trial import (
    Trial,
    analyse,
    assignment,
    caution,
    permutation_p_value,
    status_words,
    tonight_label,
    tonight_words,
    trial_nights,
)

# -- the draw ------------------------------------------------------------------------------


def test_the_same_seed_draws_the_same_nights_and_these_are_pinned() -> None:
    # Pinned: a change to the draw would change every stored trial's nights.
    assert assignment(7, 8) == [
        "rest", "routine", "rest", "routine", "routine", "rest", "rest", "routine",
    ]  # fmt: skip
    assert assignment(99, 8) == [
        "routine", "rest", "routine", "rest", "rest", "routine", "routine", "rest",
    ]  # fmt: skip
    assert assignment(7, 56) == assignment(7, 56)
    assert assignment(7, 56)[:8] == assignment(7, 8)  # a longer trial starts the same
    assert assignment(7, 56) != assignment(8, 56)


@pytest.mark.parametrize("seed", range(50))
def test_every_block_of_two_holds_one_routine_and_one_rest_night(seed: int) -> None:
    arms = assignment(seed, 28)
    assert len(arms) == 28
    for block in range(14):
        assert sorted(arms[2 * block : 2 * block + 2]) == ["rest", "routine"]


def test_the_draw_is_not_always_the_same_order() -> None:
    firsts = {assignment(seed, 2)[0] for seed in range(20)}
    assert firsts == {"routine", "rest"}


def test_a_trial_has_whole_blocks_and_odd_nights_are_refused() -> None:
    assert trial_nights(4) == 28
    assert trial_nights(3) == 22  # 21 nights and one more: no half block
    with pytest.raises(ValueError, match="even"):
        assignment(1, 3)


def test_a_trials_nights_follow_its_draw_and_stopping_ends_them() -> None:
    trial = Trial("u", 7, date(2026, 3, 1), 8)
    assert [trial.arm(date(2026, 3, day)) for day in range(1, 9)] == assignment(7, 8)
    assert trial.arm(date(2026, 2, 28)) is None and trial.arm(date(2026, 3, 9)) is None
    stopped = Trial("u", 7, date(2026, 3, 1), 8, stopped_from=date(2026, 3, 4))
    assert stopped.last_night == date(2026, 3, 3)
    assert list(stopped.arms()) == [date(2026, 3, d) for d in (1, 2, 3)]
    assert stopped.arm(date(2026, 3, 4)) is None


# -- the exact test ----------------------------------------------------------------------


def test_the_p_value_of_a_small_worked_case() -> None:
    # Two blocks, each a quiet routine night and a cramp rest night: difference -1.
    # Of the 4 swaps, none and both give |difference| 1; one swap gives 0. p = 2/4.
    assert permutation_p_value([(False, True), (False, True)]) == 0.5
    # Three such blocks: only none and all swapped reach |1|: p = 2/8.
    assert permutation_p_value([(False, True)] * 3) == 0.25
    # A block with equal outcomes changes nothing when swapped; it doubles every count.
    assert permutation_p_value([(False, True)] * 3 + [(True, True)]) == 0.25
    # An unknown night: routine 0/2, rest 2/3 (difference -2/3); of 8 swaps, 4 reach it.
    assert permutation_p_value([(False, True), (False, True), (None, False)]) == 0.5


def test_no_p_value_when_an_arm_has_no_known_night() -> None:
    assert permutation_p_value([(None, True), (None, False)]) is None


def _brute_force(blocks: list[tuple[bool | None, bool | None]]) -> float:
    def difference(pairs: list[tuple[bool | None, bool | None]]) -> Fraction | None:
        routine = [r for r, _ in pairs if r is not None]
        rest = [s for _, s in pairs if s is not None]
        if not routine or not rest:
            return None
        return Fraction(sum(routine), len(routine)) - Fraction(sum(rest), len(rest))

    observed = difference(blocks)
    assert observed is not None
    extreme = 0
    for flips in itertools.product((False, True), repeat=len(blocks)):
        pairs = [(s, r) if flip else (r, s) for (r, s), flip in zip(blocks, flips, strict=True)]
        found = difference(pairs)
        extreme += found is None or abs(found) >= abs(observed)
    return extreme / 2 ** len(blocks)


@pytest.mark.parametrize("seed", range(30))
def test_the_count_by_blocks_equals_listing_every_swap(seed: int) -> None:
    rng = random.Random(seed)
    outcomes = (True, False, None)
    blocks = [(rng.choice(outcomes), rng.choice(outcomes)) for _ in range(rng.randint(1, 10))]
    blocks.append((False, True))  # both arms have a known night
    assert permutation_p_value(blocks) == _brute_force(blocks)


def test_the_result_compares_by_arm_and_as_done() -> None:
    trial = Trial("u", 7, date(2026, 3, 1), 8)  # rest, routine, rest, routine, routine, rest...
    known = {
        date(2026, 3, 1): Night(date(2026, 3, 1), 1, False, False),  # rest, cramp
        date(2026, 3, 2): Night(date(2026, 3, 2), 0, True, True),  # routine, quiet, done
        date(2026, 3, 3): Night(date(2026, 3, 3), 2, False, True),  # rest, cramp, routine done
        date(2026, 3, 4): Night(date(2026, 3, 4), 0, True, False),  # routine, quiet, not done
        date(2026, 3, 9): Night(date(2026, 3, 9), 1, False, False),  # after the trial
    }
    result = analyse(trial, known, through=date(2026, 3, 10))
    data = result.to_json()
    assert data["assigned"]["routine"] == {"nights": 2, "cramp_nights": 0}
    assert data["assigned"]["rest"] == {"nights": 2, "cramp_nights": 2}
    assert data["assigned"]["difference"] == -1.0
    assert data["as_done"]["with"] == {"nights": 2, "cramp_nights": 1}
    assert data["as_done"]["without"] == {"nights": 2, "cramp_nights": 1}
    assert data["followed"] == 2
    assert data["p_value"] == 0.5  # the worked case above, with 2 unknown blocks: 8 of 16
    assert data["permutations"] == 16
    assert data["enough"] is False
    words = "\n".join(result.lines())
    assert "Too few nights to tell yet (2 routine, 2 rest" in words
    assert "What it cannot show: why" in words
    assert "never replaces seeing a doctor" in words


def test_the_caution_names_every_see_a_doctor_sign_and_never_stopping_a_treatment() -> None:
    text = "\n".join(caution(list(redflags.ADVICE.values())))
    for sign in redflags.ADVICE.values():
        assert sign in text
    assert "  - cramps that affect your quality of life" in text.splitlines()
    assert "never replaces seeing a doctor" in text
    assert "never stop or change a treatment, medicine or exercise your doctor advised" in text


# -- the commands ------------------------------------------------------------------------


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Set the time every command reads."""
    now = {"at": datetime(2026, 3, 1, 20, 0, tzinfo=UTC)}
    monkeypatch.setattr(times, "now", lambda: now["at"])

    def set_to(text: str) -> None:
        now["at"] = datetime.fromisoformat(text).replace(tzinfo=UTC)

    return set_to


def test_start_status_result_and_stop_as_a_person_uses_them(
    data_dir: Path, clock: Any, run: Any
) -> None:
    assert run("trial", "status") == (
        0,
        "No trial. `stretch-coach trial start --weeks 4` starts one.\n",
        "",
    )
    code, out, _ = run("trial", "start", "--weeks", "1", "--seed", "7")
    assert code == 0
    assert "It never replaces seeing a doctor." in out
    assert redflags.ADVICE["walking"] in out
    assert (
        "Started a trial of 8 nights, from tonight, the night of 2026-03-01, to the night of "
        "2026-03-08 (seed 7" in out
    )
    assert out.endswith(
        "Trial night 1 of 8 (the night of 2026-03-01): tonight is a rest night: no bedtime "
        "routine tonight (keep to anything your doctor advised).\n"
    )
    code, _, err = run("trial", "start", "--weeks", "2")
    assert code == 2 and "a trial is already running" in err
    clock("2026-03-02T09:00")  # the morning: night 1 is ending, tonight is the 2nd's
    code, out, _ = run("trial", "status", "--json")
    status = json.loads(out)
    assert (status["tonight"], status["arm"], status["night_number"]) == (
        "2026-03-02",
        "routine",
        2,
    )
    clock("2026-03-02T19:00")
    tonight = (
        "Trial night 2 of 8 (the night of 2026-03-02): tonight is a routine night: "
        "do your bedtime routine.\n"
    )
    _, out, _ = run("trial", "status")
    assert out == tonight
    _, out, _ = run("today")
    assert out.startswith(tonight)

    with HistoryStore.open(data_dir / "history.sqlite3") as store:
        store.add_cramp(Cramp(at=datetime(2026, 3, 2, 3, 0, tzinfo=UTC)))  # night 1: rest
        store.check_in(date(2026, 3, 2))  # night 2: routine, quiet
        store.add_cramp(Cramp(at=datetime(2026, 3, 3, 23, 0, tzinfo=UTC)))  # night 3: rest
        store.check_in(date(2026, 3, 4))  # night 4: routine, quiet
    clock("2026-03-05T13:00")  # night 4 has ended
    code, out, _ = run("trial", "result", "--json")
    data = json.loads(out)
    assert data["through"] == "2026-03-04"
    assert data["assigned"]["routine"] == {"nights": 2, "cramp_nights": 0}
    assert data["assigned"]["rest"] == {"nights": 2, "cramp_nights": 2}
    assert data["p_value"] == 0.5
    code, out, _ = run("trial", "result")
    assert "Routine nights: 2 known, 0 with a cramp." in out
    assert "Rest nights: 2 known, 2 with a cramp." in out
    assert "exact permutation test p = 0.500 over 4 swaps of the 2 blocks" in out

    assert run("trial", "stop")[1] == (
        "The trial was stopped after the night of 2026-03-04: no trial night tonight; "
        "`stretch-coach trial result` shows what its nights show.\n"
    )
    status = json.loads(run("trial", "status", "--json")[1])
    assert status["running"] is False and status["trial"]["stopped_from"] == "2026-03-05"
    assert run("trial", "stop")[1] == "No trial is running.\n"
    code, out, _ = run("trial", "start", "--weeks", "1")  # a new one may start now
    assert code == 0
    export = data_dir.parent / "export.json"
    assert run("export", str(export))[0] == 0
    assert json.loads(export.read_text())["trials"][0]["seed"] == 7
    (data_dir / "history.sqlite3").unlink()
    code, out, _ = run("import", str(export))
    assert code == 0 and "Trials: 2 added, 0 updated." in out
    status = json.loads(run("trial", "status", "--json")[1])
    assert status["running"] is True and status["trial"]["first_night"] == "2026-03-05"


# -- tonight, in the morning, in the evening and after stopping ----------------------------


@pytest.mark.parametrize(
    ("at", "night"),
    [
        ("2026-12-01T17:59", "2026-12-01"),
        ("2026-12-01T18:00", "2026-12-01"),
        ("2026-12-01T23:59", "2026-12-01"),
        ("2026-12-02T02:59", "2026-12-01"),  # up late: a routine now still counts for it
        ("2026-12-02T03:00", "2026-12-02"),  # from 03:00 tonight is the coming evening's
        ("2026-12-02T07:41", "2026-12-02"),  # the morning: the night ending is last night
        ("2026-12-02T11:59", "2026-12-02"),
    ],
)
def test_tonight_is_the_night_whose_bedtime_is_now_or_next(at: str, night: str) -> None:
    assert nights.tonight(datetime.fromisoformat(at)) == date.fromisoformat(night)
    # the night a bedtime routine now would come before, whenever it can count for one
    routine = nights.routine_night(datetime.fromisoformat(at))
    assert routine is None or routine == date.fromisoformat(night)


def _said(run: Any) -> tuple[str, str, str | None]:
    """What ``trial status``, ``today`` (its trial line) and the coach's library say now."""
    status = run("trial", "status")[1]
    today = run("today")[1]
    trial_line = "" if today.startswith("You follow no program") else today.splitlines()[0] + "\n"
    return status, trial_line, agenda.trial_tonight(times.now(), short=True)


def test_a_trial_started_in_the_morning_runs_from_the_coming_night(
    data_dir: Path, clock: Any, run: Any
) -> None:
    clock("2026-12-02T07:41")  # the night of 1 December is ending: it is last night
    _, out, _ = run("trial", "start", "--weeks", "2", "--seed", "7")
    assert (
        "Started a trial of 14 nights, from tonight, the night of 2026-12-02, to the night of "
        "2026-12-15 (seed 7" in out
    )
    assert assignment(7, 2) == ["rest", "routine"]
    tonight = (
        "Trial night 1 of 14 (the night of 2026-12-02): tonight is a rest night: no bedtime "
        "routine tonight (keep to anything your doctor advised).\n"
    )
    assert out.endswith(tonight)
    assert _said(run) == (tonight, tonight, "Trial night 1 of 14: rest")
    clock("2026-12-02T21:00")  # the same night, in the evening
    assert _said(run) == (tonight, tonight, "Trial night 1 of 14: rest")
    clock("2026-12-03T01:30")  # up late: still the night of the 2nd
    assert _said(run) == (tonight, tonight, "Trial night 1 of 14: rest")
    clock("2026-12-03T07:00")  # the next morning: tonight is night 2
    second = (
        "Trial night 2 of 14 (the night of 2026-12-03): tonight is a routine night: "
        "do your bedtime routine.\n"
    )
    assert _said(run) == (second, second, "Trial night 2 of 14: routine")


def test_a_trial_stopped_the_morning_it_started_never_says_what_to_do_tonight(
    data_dir: Path, clock: Any, run: Any
) -> None:
    # The user's trial: started and stopped at 07:41, then asked at bedtime.
    clock("2026-12-02T07:41")
    assert run("trial", "start", "--weeks", "2", "--seed", "7")[0] == 0
    stopped = (
        "The trial was stopped before its first night (the night of 2026-12-02): "
        "no trial night tonight.\n"
    )
    assert run("trial", "stop")[1] == stopped
    assert _said(run) == (stopped, "", None)
    status = json.loads(run("trial", "status", "--json")[1])
    assert (status["arm"], status["night_number"], status["running"]) == (None, None, False)
    assert status["trial"]["stopped_from"] == "2026-12-02"
    clock("2026-12-02T22:00")  # bedtime
    assert _said(run) == (stopped, "", None)
    clock("2026-12-03T13:00")
    assert run("trial", "result")[1] == (
        "The trial was stopped before its first night (the night of 2026-12-02).\n"
    )


@pytest.mark.parametrize("stop_at", ["2026-12-03T07:41", "2026-12-03T21:00", "2026-12-04T01:30"])
def test_a_trial_stopped_keeps_the_nights_before_tonight_and_asks_nothing_more(
    data_dir: Path, clock: Any, run: Any, stop_at: str
) -> None:
    clock("2026-12-01T20:00")  # started in the evening: tonight is its first night
    _, out, _ = run("trial", "start", "--weeks", "1", "--seed", "7")
    assert "from tonight, the night of 2026-12-01, to the night of 2026-12-08" in out
    clock(stop_at)  # tonight is the night of the 3rd, in the morning, evening or up late
    stopped = (
        "The trial was stopped after the night of 2026-12-02: no trial night tonight; "
        "`stretch-coach trial result` shows what its nights show.\n"
    )
    assert run("trial", "stop")[1] == stopped
    assert _said(run) == (stopped, "", None)
    status = json.loads(run("trial", "status", "--json")[1])
    assert status["trial"]["last_night"] == "2026-12-02" and status["arm"] is None
    assert run("trial", "stop")[1] == "No trial is running.\n"


def test_a_trial_stored_stopped_from_its_own_night_asks_nothing_the_morning_after(
    data_dir: Path, clock: Any, run: Any
) -> None:
    # As the old `trial start` kept it at 07:41: the night ending was its first night.
    with HistoryStore.open(data_dir / "history.sqlite3", create=True) as store:
        trial = store.start_trial(7, date(2026, 12, 1), 14)
        store.stop_trial(trial, date(2026, 12, 2))
    clock("2026-12-02T07:45")
    stopped = (
        "The trial was stopped after the night of 2026-12-01: no trial night tonight; "
        "`stretch-coach trial result` shows what its nights show.\n"
    )
    assert _said(run) == (stopped, "", None)


def test_a_stopped_trial_gives_no_orders_even_for_a_night_still_in_it() -> None:
    # A stop kept on a machine a day ahead (or a clock set back): the night is still in
    # the trial for its result, but nothing tells the person what to do in it.
    trial = Trial("u", 7, date(2026, 3, 1), 8, stopped_from=date(2026, 3, 4))
    assert trial.arm(date(2026, 3, 2)) == "routine"
    assert trial.tonight_arm(date(2026, 3, 2)) is None
    assert tonight_label(trial, date(2026, 3, 2)) is None
    assert tonight_words(trial, date(2026, 3, 2)) is None
    assert not trial.running(date(2026, 3, 2))
    assert status_words(trial, date(2026, 3, 2)).startswith(
        "The trial was stopped after the night of 2026-03-03: no trial night tonight"
    )


def test_a_trial_ended_or_still_to_come_says_so() -> None:
    trial = Trial("u", 7, date(2026, 3, 1), 8)
    assert status_words(trial, date(2026, 3, 9)) == (
        "The trial ended with the night of 2026-03-08: "
        "`stretch-coach trial result` shows what its nights show."
    )
    assert status_words(trial, date(2026, 2, 28)) == (
        "The trial runs from the night of 2026-03-01 to the night of 2026-03-08: "
        "no trial night tonight."
    )
    assert tonight_label(trial, date(2026, 3, 9)) is None


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--weeks", "0"), "--weeks 0: out of range; give 1 to 52"),
        (("--weeks", "x"), "--weeks 'x': not a whole number; give 1 to 52"),
        (("--weeks", "4", "--seed", "-1"), "--seed -1: out of range"),
    ],
)
def test_bad_values_are_refused_and_write_nothing(
    data_dir: Path, clock: Any, run: Any, argv: tuple[str, ...], message: str
) -> None:
    code, out, err = run("trial", "start", *argv)
    assert code == 2 and message in err and out == ""
    assert not (data_dir / "history.sqlite3").exists()


# -- stored, exported, imported ------------------------------------------------------------


def test_the_schema_keeps_trials_in_its_own_step() -> None:
    assert schema.current_version() == 5
    assert schema.MIGRATIONS[4].__name__ == "_to_trials"


def test_export_and_import_carry_trials_and_a_later_stop_wins(tmp_path: Path) -> None:
    with (
        HistoryStore.open(tmp_path / "laptop.sqlite3") as laptop,
        HistoryStore.open(tmp_path / "desktop.sqlite3") as desktop,
    ):
        trial = laptop.start_trial(7, date(2026, 3, 1), 28)
        export = tmp_path / "export.json"
        with export.open("w") as out:
            transfer.write_export(laptop, out)
        assert json.loads(export.read_text())["trials"][0]["seed"] == 7
        result = desktop.merge_records(transfer.iter_file(export))
        assert result.trials_added == 1
        assert desktop.trials() == [trial]
        assert desktop.merge_records(transfer.iter_file(export)).changed == 0  # not twice

        stopped = desktop.stop_trial(trial, date(2026, 3, 10))
        with export.open("w") as out:
            transfer.write_export(desktop, out)
        assert laptop.merge_records(transfer.iter_file(export)).trials_updated == 1
        assert laptop.trials() == [stopped]
        assert laptop.trials()[0].arms() == desktop.trials()[0].arms()


def test_a_bad_trial_in_an_import_is_refused_with_where_it_is(tmp_path: Path) -> None:
    bad = tmp_path / "in.json"
    bad.write_text(
        json.dumps(
            {
                "format": "stretch-coach-history",
                "version": 2,
                "sessions": [],
                "cramps": [],
                "trials": [
                    {"uuid": "6d517c52-1a4d-415e-b3e0-9b18a09c21bc", "seed": 1, "nights": 3}
                ],
            }
        )
    )
    with pytest.raises(Exception, match=r"trials\[0\]\.nights: must be an even number"):
        transfer.check_file(bad)


def test_an_unreadable_trial_row_is_skipped_and_counted(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "history.sqlite3"
    with HistoryStore.open(path) as store:
        kept = store.start_trial(3, date(2026, 3, 1), 8)
        store.start_trial(4, date(2026, 4, 1), 8)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE trials SET first_night = '2026-02-31' WHERE seed = 4")
    with HistoryStore.open(path) as store:
        assert store.trials() == [kept]
        assert store.unreadable_count() == 1
        assert [str(u) for u in store.unreadable()] == [
            "trial #2: a value that cannot be read in first_night"
        ]
