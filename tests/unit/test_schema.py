"""The JSON Schema: drawn from the loader's own tables, it agrees with the loader.

Checked twice: with ``jsonschema`` (Python regexes, instances read by PyYAML,
YAML 1.1 as the loader reads them) and with check-jsonschema's default engine
(ECMA-262 regexes through regress, instances read by ruamel.yaml, YAML 1.2 as
editors read them).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import regress
import yaml
from check_jsonschema.parsers.yaml import _normalize, construct_yaml_implementation
from check_jsonschema.regex_variants import RegexImplementation, RegexVariantName

from stretch_coach.cli import main
from stretch_coach.resources import bundled_routines_dir
from stretch_coach.routine import RoutineError, load_routine
from stretch_coach.routine.loader import load_file
from stretch_coach.routine.spec import TOP, json_schema

VALIDATOR = jsonschema.Draft202012Validator(json_schema())
_ECMA = RegexImplementation(RegexVariantName.default)
#: check-jsonschema's validator: ECMA-262 ``pattern`` (as editors' validators).
ECMA_VALIDATOR = jsonschema.validators.extend(
    jsonschema.Draft202012Validator,
    {"pattern": _ECMA.pattern_keyword, "patternProperties": _ECMA.patternProperties_keyword},
)(json_schema())
_YAML_1_2 = construct_yaml_implementation()
DOCS = Path(__file__).resolve().parents[2] / "docs" / "routine-format.md"


class _Yaml11(yaml.SafeLoader):
    """PyYAML's safe loader with dates left as text, as JSON Schema sees them."""


_Yaml11.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


def as_yaml_1_1(text: str) -> Any:
    """The instance as the loader's parser (YAML 1.1) reads it."""
    return yaml.load(text, Loader=_Yaml11)


def as_yaml_1_2(text: str) -> Any:
    """The instance as check-jsonschema (and an editor) reads it: YAML 1.2."""
    return _normalize(_YAML_1_2.load(text))


def both_accept(text: str) -> None:
    VALIDATOR.validate(as_yaml_1_1(text))
    ECMA_VALIDATOR.validate(as_yaml_1_2(text))


def both_refuse(text: str) -> bool:
    return not VALIDATOR.is_valid(as_yaml_1_1(text)) and not ECMA_VALIDATOR.is_valid(
        as_yaml_1_2(text)
    )


def _patterns(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern":
                yield value
            else:
                yield from _patterns(value)
    elif isinstance(node, list):
        for item in node:
            yield from _patterns(item)


def test_every_pattern_is_an_ecma_262_regular_expression() -> None:
    patterns = set(_patterns(json_schema()))
    assert len(patterns) >= 6
    for pattern in patterns:
        regress.Regex(pattern, flags="u")  # raises on Python-only syntax such as (?i)
        assert "(?i" not in pattern and "(?P" not in pattern


def docs_examples() -> list[str]:
    """Every YAML example of the format page, made a whole routine where it is a part.

    A list of steps gets a title; a step gets a title and becomes the only
    step; a mapping of top-level keys gets whichever of title and steps it lacks
    (a program, with ``program``, is whole as it is).
    """
    page = DOCS.read_text(encoding="utf-8")
    out = []
    for _indent, body in re.findall(r"^( *)```yaml\n(.*?)^\1```", page, re.M | re.S):
        text = textwrap.dedent(body)
        value = yaml.safe_load(text)
        if isinstance(value, list):
            text = "title: Example\nsteps:\n" + textwrap.indent(text, "  ")
        elif not set(value) & set(TOP.fields):
            text = "title: Example\nsteps:\n  - name: Example\n" + textwrap.indent(text, "    ")
        else:
            if "title" not in value:
                text = "title: Example\n" + text
            if "steps" not in value and "program" not in value:  # a program has no steps
                text += "steps:\n  - name: Example\n"
        out.append(text)
    return out


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


#: What validate refuses and JSON Schema can say too (issue 13).
STRUCTURAL_FAULTS += [
    "title: T\nsteps: [{name: a, hold: 0s}]\n",
    "title: T\nsteps: [{name: a, hold: '0:00'}]\n",
    "title: T\nsteps: [{name: a, hold: 2h}]\n",
    "title: T\nsteps: [{name: a, hold: 61m}]\n",
    "title: T\nsteps: [{name: a, hold: 3601s}]\n",
    "title: T\nsteps: [{name: a, hold: '61:00'}]\n",
    "title: T\nsteps: [{name: a, hold: '1:5'}]\n",
    "title: T\nsteps: [{name: a, duration: 1.5h}]\n",
    "title: T\ndefaults: {prepare: 2h}\nsteps: [{name: a}]\n",
    "title: T\nsteps: [{rest: 0s}]\n",
    "title: T\nsteps: [{rest: 0}]\n",
    'title: "a\\e[2Jb"\nsteps: [{name: a}]\n',
    'title: T\nsummary: "one\\ntwo"\nsteps: [{name: a}]\n',
    'title: T\nsteps: [{name: "a\\tb"}]\n',
    'title: T\nsteps: [{name: a, instructions: "x\\x9by"}]\n',
    'title: T\ncaution: ["a\\x07"]\nsteps: [{name: a}]\n',
    "title: '   '\nsteps: [{name: a}]\n",
    'title: T\nsteps: [{name: a, cues: {end: "b\\x00.wav"}}]\n',
    "title: T\nsteps: [{name: a, cues: {end: /tmp/b.wav}}]\n",
    "title: T\nsteps: [{name: a, cues: {end: bell.mp3}}]\n",
]

#: Valid, and the schema must say so under YAML 1.1 and 1.2 alike.
AS_WRITTEN = [
    "title: 1:30\nsteps: [{name: 010}]\n",
    "title: Yes\nsummary: no\ntags: [on, 2024-01-13, 1.5]\nsteps: [{name: a, say: yes}]\n",
    "title: ~\nauthor: null\nsteps: [{name: true, sides: [1, 2]}]\n",
    "title: T\nid: 2024\nsteps: [{name: a, hold: 1:30}]\n",
    "title: T\ncues: {end: Bell.WAV}\nsteps: [{name: a, hold: '60:00', prepare: '0s'}]\n",
    "title: T\nsteps: [{name: a, hold: 1h, rest: 3600s, set_rest: 60m, sets: 2}]\n",
    'title: T\ndescription: "one\\n\\ttwo"\nsteps: [{name: a, instructions: "x\\ny"}]\n',
    "title: T\ncaution:\n  - >\n    Stop if it hurts.\nsteps: [{name: a}]\n",
]


@pytest.mark.parametrize("text", VALID + AS_WRITTEN)
def test_schema_accepts_valid_routines(text: str) -> None:
    both_accept(text)


@pytest.mark.parametrize("text", AS_WRITTEN)
def test_loader_accepts_them_too(text: str, write: Callable[..., Path]) -> None:
    (write("Bell.WAV", "RIFF")).touch()
    load_routine(write("r.yaml", text))


def test_schema_accepts_every_bundled_routine_and_docs_example() -> None:
    files = sorted(bundled_routines_dir().glob("*.yaml"))
    assert len(files) >= 8
    for path in files:
        both_accept(path.read_text(encoding="utf-8"))
    examples = docs_examples()
    assert len(examples) >= 10
    for text in examples:
        both_accept(text)


def test_every_docs_example_loads(tmp_path: Path) -> None:
    for i, text in enumerate(docs_examples()):
        load_file(_example_file(tmp_path, i, text))  # a routine, or a program


def _example_file(folder: Path, i: int, text: str) -> Path:
    path = folder / f"example-{i}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_check_jsonschema_itself_accepts_them(tmp_path: Path) -> None:
    """The installed validator, as an author runs it, with its default (ECMA-262) regexes."""
    schema = tmp_path / "routine.schema.json"
    schema.write_text(json.dumps(json_schema()), encoding="utf-8")
    files = [str(p) for p in sorted(bundled_routines_dir().glob("*.yaml"))]
    files += [str(_example_file(tmp_path, i, t)) for i, t in enumerate(docs_examples())]
    bad = _example_file(tmp_path, 99, "title: T\nsteps: [{name: a, hold: 0s}]\n")
    argv = [sys.executable, "-m", "check_jsonschema", "--schemafile", str(schema)]
    done = subprocess.run([*argv, *files], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok -- validation done" in done.stdout
    done = subprocess.run([*argv, str(bad)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "example-99.yaml::$.steps[0].hold" in done.stdout


@pytest.mark.parametrize("text", STRUCTURAL_FAULTS)
def test_schema_and_loader_both_refuse_structural_faults(
    text: str, write: Callable[..., Path]
) -> None:
    assert both_refuse(text)
    with pytest.raises(RoutineError):
        load_routine(write("r.yaml", text))


@pytest.mark.parametrize("text", VALID[:1])
def test_loader_accepts_what_the_schema_accepts(text: str, write: Callable[..., Path]) -> None:
    load_routine(write("r.yaml", text))
