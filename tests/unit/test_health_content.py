"""The bundled routines against the health sources: cited, cautioned, safe in a cramp."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from stretch_coach.cli import main
from stretch_coach.resources import bundled_routines_dir
from stretch_coach.routine.library import Entry, cautions_of, default_library
from stretch_coach.routine.model import Include, StepKind

SEEDS = (
    "000_4ccb9be79f378189.txt",
    "001_1bba04c482067842.txt",
    "002_da06d3d839fc42b6.txt",
    "003_a11155f2b4ae33bc.txt",
    "004_45a8eeb6afdebb9c.txt",
)
BALANCE = "Hold a rail or the wall so you keep your balance on the step."
#: The see-a-doctor lines every bundled routine carries, worded alike everywhere.
DOCTOR_LINES = (
    "See a doctor if your leg cramps are frequent, interfere with your sleep or affect your "
    "quality of life.",
    "See a doctor if a cramp lasts longer than 10 minutes and exercise doesn't ease it.",
    "See a doctor if cramps come with swelling, redness, numbness or tingling, or if you have "
    "trouble walking or cannot put weight on the leg.",
    "See a doctor if the cramps came after contact with toxins, or with an infection through a "
    "cut.",
)


#: The bundled routines' ids (their file names), read without opening the library at import.
BUNDLED = sorted(path.stem for path in bundled_routines_dir().glob("*.yaml"))


def bundled() -> list[Entry]:
    entries = [e for e in default_library().entries if e.origin == "bundled"]
    assert sorted(e.id for e in entries) == BUNDLED and len(entries) >= 9
    return entries


def included(entry: Entry) -> list[Entry]:
    """The routines ``entry`` includes, directly."""
    library = default_library()
    assert entry.routine is not None
    found = [library.get(s.target) for s in entry.routine.steps if isinstance(s, Include)]
    assert all(found)
    return [e for e in found if e is not None]


@pytest.mark.parametrize("routine_id", BUNDLED)
def test_every_bundled_routine_cites_a_seed_page_and_carries_its_includes_cautions(
    routine_id: str,
) -> None:
    entry = default_library().find(routine_id)
    assert entry.origin == "bundled" and entry.valid, entry.problems
    routine = entry.routine
    assert routine is not None and routine.source
    cited = re.findall(r"seed (\d{3}_[0-9a-f]{16}\.txt)", routine.source)
    assert cited and set(cited) <= set(SEEDS)
    assert '"' in routine.source  # a passage quoted, not only a page named
    cautions = cautions_of(entry)
    for inner in included(entry):
        for line in cautions_of(inner):
            assert line in cautions, (entry.id, inner.id, line)
    for line in DOCTOR_LINES:
        assert line in cautions, (entry.id, line)


def test_the_step_stretch_balance_warning_reaches_every_routine_that_includes_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for routine_id in ("bedtime-calf-stretch", "cool-down", "pre-bed"):
        assert main(["show", routine_id, "--json"]) == 0
        assert BALANCE in json.loads(capsys.readouterr().out)["cautions"], routine_id


def test_cramp_now_is_urgent_self_paced_from_the_first_step_and_has_no_heel_walking() -> None:
    entry = default_library().find("cramp-now")
    assert entry.routine is not None and entry.routine.urgent
    assert entry.plan[0].kind is StepKind.MANUAL
    first = entry.plan[0].step
    assert "in bed or sitting" in (first.instructions or "")
    assert "calf, the thigh or the foot" in (first.instructions or "")
    assert not any(isinstance(s, Include) for s in entry.routine.steps)
    assert not any("heel" in p.name.lower() for p in entry.plan)
    texts = " ".join(f"{p.name} {p.step.instructions or ''}" for p in entry.plan).lower()
    assert "walk on your heels" not in texts and "heel walking" not in texts
    assert any("hand on something firm" in line for line in cautions_of(entry))
    assert not any(e.routine and e.routine.urgent for e in bundled() if e.id != "cramp-now")


def test_the_step_stretch_says_slowly_and_hold_the_rail_and_which_sound_is_which() -> None:
    (planned,) = default_library().find("step-calf-stretch").plan
    say = (planned.step.say or "").lower()
    assert "slowly" in say and "hold the rail" in say
    instructions = planned.step.instructions or ""
    assert 'At the rising "go" tone, slowly lower your heels' in instructions
    assert "At the soft bell, lift your heels back up" in instructions
    assert (planned.sounds["start"].name, planned.sounds["end"].name) == ("go", "chime")


def test_bedtime_routines_say_may_and_carry_the_weak_evidence_note() -> None:
    library = default_library()
    for routine_id in ("bedtime-calf-stretch", "pre-bed", "step-calf-stretch"):
        routine = library.find(routine_id).routine
        assert routine is not None
        text = f"{routine.summary} {routine.description}"
        assert "may help" in text or "may" in (routine.summary or "")
        assert "research has not shown a sure benefit of stretching to prevent cramps" in text


def test_during_the_day_covers_the_sources_daytime_advice_and_recommends_no_supplement() -> None:
    entry = default_library().find("during-the-day")
    assert all(p.kind is StepKind.MANUAL for p in entry.plan)
    text = " ".join(p.step.instructions or "" for p in entry.plan)
    for words in (
        "during the day",
        "stretch before and after each workout",
        "Keep hydrated",
        "the weather, your age, how active you are and some medicines",
        "raise the foot of the bed",
        "small pillow or a crate",
        "supportive shoes",
        "legs crossed or your toes pointed",
        "standing for long periods",
        "some medicines, and pregnancy, among the causes",
        "quinine, magnesium and vitamin E unproven or disputed",
        "this app recommends none of them",
    ):
        assert words in text, words


def test_no_bundled_routine_recommends_quinine_or_a_supplement() -> None:
    for entry in bundled():
        routine = entry.routine
        assert routine is not None
        parts = [routine.summary or "", routine.description or ""]
        parts += [p.step.instructions or "" for p in entry.plan]  # sentences, not headings
        for sentence in re.split(r"(?<=[.:;])\s+", " ".join(parts)):
            if re.search(r"quinine|magnesium|vitamin|supplement|epsom", sentence, re.I):
                assert re.search(r"unproven|none of them|recommends no", sentence), sentence


def test_the_readme_names_every_see_a_doctor_sign_of_the_sources() -> None:
    readme = Path(__file__).parents[2] / "README.md"
    note = readme.read_text(encoding="utf-8").split("## Health note")[1].split("\n## ")[0]
    text = " ".join(note.split())
    for words in (
        "are frequent, interfere with your sleep, or affect your quality of life",
        "last longer than 10 minutes and exercise doesn't ease them",
        "swelling, redness, numbness or tingling",
        "trouble walking, or you cannot put weight on the leg",
        "contact with toxins, or with an infection through a cut",
        '"frequent" is 3 cramps in 7 days',
        "recommends no medicine or supplement",
    ):
        assert words in text, words
