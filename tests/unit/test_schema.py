"""The JSON Schema: drawn from the loader's own tables, it agrees with the loader."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
import yaml

from stretch_coach.cli import main
from stretch_coach.resources import bundled_routines_dir
from stretch_coach.routine import RoutineError, load_routine
from stretch_coach.routine.spec import json_schema

VALIDATOR = jsonschema.Draft202012Validator(json_schema())


def test_it_is_a_valid_draft_2020_12_schema(capsys: pytest.CaptureFixture[str]) -> None:
    jsonschema.Draft202012Validator.check_schema(json_schema())
    assert main(["schema"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert printed == json_schema()


VALID = [
    "title: T\nsteps: [{name: a}]\n",
    (
        "format: 1\ntitle: 300\nid: a-1\nsummary: s\ndescription: d\ntags: [x]\n"
        "author: a\nsource: s\n"
        "caution: [c]\ndefaults: {prepare: 0, switch: 1m, rest: '1:30', voice: false}\n"
        "cues: {start: none}\n"
        "steps:\n  - {name: a, hold: 30s, reps: 2, rest: 5, set_rest: 10, sets: 2, "
        "sides: [l, r], switch: 0, prepare: 3, say: hi, cues: {end: chime}}\n"
        "  - {name: b, reps: 10, tempo: 2.5}\n  - {name: c, reps: 5}\n"
        "  - {name: d, duration: 2m, prompts: [{at: 30, say: ok}]}\n"
        "  - {rest: 20}\n  - {name: e, instructions: x}\n  - {include: other, repeat: 3}\n"
    ),
]

STRUCTURAL_FAULTS = [
    "steps: [{name: a}]\n",  # required title
    "title: T\n",  # required steps
    "title: T\nsteps: []\n",  # empty steps
    "title: T\ntitel: U\nsteps: [{name: a}]\n",  # unknown key
    "title: T\nsteps: [{name: a, hodl: 3}]\n",  # unknown step key
    "format: 2\ntitle: T\nsteps: [{name: a}]\n",
    "title: T\nid: Not A Slug\nsteps: [{name: a}]\n",
    "title: T\ntags: x\nsteps: [{name: a}]\n",
    "title: T\ndefaults: {voice: 3}\nsteps: [{name: a}]\n",
    "title: T\nsteps: [{name: a, hold: 3, tempo: 2, reps: 2}]\n",
    "title: T\nsteps: [{name: a, hold: 3, duration: 2}]\n",
    "title: T\nsteps: [{name: a, tempo: 3, duration: 2, reps: 2}]\n",
    "title: T\nsteps: [{name: a, reps: 3, duration: 2}]\n",
    "title: T\nsteps: [{name: a, tempo: 3}]\n",
    "title: T\nsteps: [{include: x, name: a}]\n",
    "title: T\nsteps: [{name: a, repeat: 2}]\n",
    "title: T\nsteps: [{name: a, hold: 3, prompts: [{at: 1, say: x}]}]\n",
    "title: T\nsteps: [{hold: 3}]\n",  # name missing
    "title: T\nsteps: [{name: a, reps: 501}]\n",
    "title: T\nsteps: [{name: a, hold: 3, sets: 0}]\n",
    "title: T\nsteps: [{include: x, repeat: 51}]\n",
    "title: T\nsteps: [{name: a, hold: 0}]\n",
    "title: T\nsteps: [{name: a, hold: 3601}]\n",
    "title: T\nsteps: [{name: a, hold: -1}]\n",
    "title: T\nsteps: [{name: a, hold: soon}]\n",
    "title: T\nsteps: [{name: a, hold: 3, sides: [l]}]\n",
    "title: T\nsteps: [{name: a, hold: 3, sides: [l, l]}]\n",
    "title: T\ncues: {strat: beep}\nsteps: [{name: a}]\n",
    "title: T\ncues: {start: bep}\nsteps: [{name: a}]\n",
    "title: T\nsteps: [{name: a, duration: 60, prompts: [{at: 1}]}]\n",
]


@pytest.mark.parametrize("text", VALID)
def test_schema_accepts_valid_routines(text: str) -> None:
    VALIDATOR.validate(yaml.safe_load(text))


def test_schema_accepts_every_bundled_routine() -> None:
    files = sorted(bundled_routines_dir().glob("*.yaml"))
    for path in files:
        VALIDATOR.validate(yaml.safe_load(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("text", STRUCTURAL_FAULTS)
def test_schema_and_loader_both_refuse_structural_faults(
    text: str, write: Callable[..., Path]
) -> None:
    assert not VALIDATOR.is_valid(yaml.safe_load(text))
    with pytest.raises(RoutineError):
        load_routine(write("r.yaml", text))


@pytest.mark.parametrize("text", VALID[:1])
def test_loader_accepts_what_the_schema_accepts(text: str, write: Callable[..., Path]) -> None:
    load_routine(write("r.yaml", text))
