"""Every rule of the format, and the one-line located message each fault gets."""

from __future__ import annotations

import re
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from stretch_coach.routine import RoutineError, StepKind, load_routine
from stretch_coach.routine.model import Include, Sound, Step

Writer = Callable[..., Path]


def problems(write: Writer, text: str, name: str = "r.yaml") -> list[str]:
    with pytest.raises(RoutineError) as err:
        load_routine(write(name, text))
    return [str(p) for p in err.value.problems]


def test_the_format_page_example_loads(write: Writer, example_yaml: str) -> None:
    routine = load_routine(write("bedtime-calf-stretch.yaml", example_yaml))
    assert routine.id == "bedtime-calf-stretch"
    assert routine.tags == ("bedtime", "calf")
    assert routine.caution == ("Stop if the stretch causes sharp pain.",)
    hold, paced, manual = routine.steps
    assert hold.kind is StepKind.HOLD and hold.hold == 30 and hold.reps == 2
    assert hold.rest == 10 and hold.set_rest == 10 and hold.sides == ("left", "right")
    assert hold.switch == 5 and hold.prepare == 5
    assert paced.kind is StepKind.PACED and paced.tempo == 3 and paced.rest == 0
    assert manual.kind is StepKind.MANUAL


@pytest.mark.parametrize(
    ("step", "kind"),
    [
        ("{name: a, hold: 30}", StepKind.HOLD),
        ("{name: a, hold: 30, reps: 3}", StepKind.HOLD),
        ("{name: a, reps: 10, tempo: 3}", StepKind.PACED),
        ("{name: a, reps: 20}", StepKind.COUNTED),
        ("{name: a, duration: 5m}", StepKind.TIMED),
        ("{rest: 30s}", StepKind.REST),
        ("{name: a}", StepKind.MANUAL),
    ],
)
def test_kind_follows_from_keys(write: Writer, step: str, kind: StepKind) -> None:
    routine = load_routine(write("r.yaml", f"title: T\nsteps:\n  - {step}\n"))
    assert routine.steps[0].kind is kind


def test_defaults_flow_into_steps_and_step_keys_win(write: Writer) -> None:
    routine = load_routine(
        write(
            "r.yaml",
            """
            title: T
            defaults: {prepare: 0, switch: 2s, rest: 7, voice: false}
            steps:
              - {name: a, hold: 10, reps: 2}
              - {name: b, hold: 10, reps: 2, rest: 3, set_rest: 20, switch: 0, prepare: 1m}
              - {rest: 15}
            """,
        )
    )
    a, b, r = routine.steps
    assert (a.prepare, a.switch, a.rest, a.set_rest, a.voice) == (0, 2, 7, 7, False)
    assert (b.prepare, b.switch, b.rest, b.set_rest) == (60, 0, 3, 20)
    assert r.name == "Rest" and r.duration == 15 and r.rest == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # unknown keys, with the nearest valid one
        (
            "title: T\nsteps:\n  - name: a\n    hodl: 30\n",
            "r.yaml:4:5: steps[1].hodl: unknown key; did you mean 'hold'?",
        ),
        ("titel: T\nsteps: [{name: a}]\n", "r.yaml:1:1: titel: unknown key; did you mean 'title'?"),
        (
            "title: T\ndefaults: {prepair: 3}\nsteps: [{name: a}]\n",
            "r.yaml:2:12: defaults.prepair: unknown key; did you mean 'prepare'?",
        ),
        (
            "title: T\ncues: {strat: none}\nsteps: [{name: a}]\n",
            "r.yaml:2:8: cues.strat: unknown cue event; did you mean 'start'?",
        ),
        # a key given twice
        (
            "title: T\ntitle: U\nsteps: [{name: a}]\n",
            "r.yaml:2:1: title: given twice in one mapping (first on line 1); keep one",
        ),
        (
            "title: T\nsteps:\n  - name: a\n    hold: 3\n    hold: 4\n",
            "r.yaml:5:5: steps[1].hold: given twice",
        ),
        # required keys
        ("steps: [{name: a}]\n", "r.yaml:1:1: title: required, but missing"),
        ("title: T\n", "r.yaml:1:1: steps: required, but missing"),
        ("title: T\nsteps: []\n", "r.yaml:2:8: steps: needs at least one step"),
        ("title: T\nsteps:\n  - hold: 30\n", "r.yaml:3:5: steps[1].name: required, but missing"),
        # kinds that exclude each other
        (
            "title: T\nsteps:\n  - {name: a, hold: 3, tempo: 2, reps: 2}\n",
            "steps[1].tempo: cannot be combined with 'hold'",
        ),
        (
            "title: T\nsteps:\n  - {name: a, hold: 3, duration: 2}\n",
            "steps[1].duration: cannot be combined with 'hold'",
        ),
        (
            "title: T\nsteps:\n  - {name: a, tempo: 3, duration: 2, reps: 1}\n",
            "steps[1].duration: cannot be combined with 'tempo'",
        ),
        (
            "title: T\nsteps:\n  - {name: a, tempo: 3}\n",
            "steps[1].tempo: paced reps need 'reps' as well as 'tempo'",
        ),
        (
            "title: T\nsteps:\n  - {include: x, name: a}\n",
            "steps[1].name: not allowed on an include step",
        ),
        (
            "title: T\nsteps:\n  - {name: a, hold: 3, repeat: 2}\n",
            "steps[1].repeat: only an include step takes 'repeat'",
        ),
        (
            "title: T\nsteps:\n  - {name: a, hold: 3, prompts: [{at: 1, say: hi}]}\n",
            "steps[1].prompts: only a timed activity",
        ),
        (
            "title: T\nsteps:\n  - name: a\n    duration: 60\n    prompts: [{at: 60, say: hi}]\n",
            "r.yaml:5:20: steps[1].prompts[1].at: 1 min is not within the 1 min activity",
        ),
        (
            "title: T\nsteps:\n  - name: a\n    duration: 60\n    prompts: [{say: hi}]\n",
            "steps[1].prompts[1].at: required, but missing",
        ),
        # ranges and types
        (
            "title: T\nsteps:\n  - {name: a, reps: 501}\n",
            "r.yaml:3:21: steps[1].reps: 501 is out of range: use 1 to 500",
        ),
        ("title: T\nsteps:\n  - {name: a, reps: 0}\n", "steps[1].reps: 0 is out of range"),
        (
            "title: T\nsteps:\n  - {name: a, hold: 3, sets: 51}\n",
            "steps[1].sets: 51 is out of range: use 1 to 50",
        ),
        (
            "title: T\nsteps:\n  - {name: a, hold: 3, sets: two}\n",
            "steps[1].sets: expected a whole number, got text",
        ),
        (
            "title: T\nsteps:\n  - {include: x, repeat: 0}\n",
            "steps[1].repeat: 0 is out of range: use 1 to 50",
        ),
        (
            "title: T\nsteps:\n  - {name: a, hold: 0}\n",
            "steps[1].hold: must be more than 0 seconds",
        ),
        (
            "title: T\nsteps:\n  - {name: a, reps: 3, tempo: 0s}\n",
            "steps[1].tempo: must be more than 0 seconds",
        ),
        (
            "title: T\nsteps:\n  - {name: a, duration: 0}\n",
            "steps[1].duration: must be more than 0 seconds",
        ),
        ("title: T\nsteps:\n  - {rest: 0}\n", "steps[1].rest: must be more than 0 seconds"),
        (
            "title: T\nsteps:\n  - {name: a, hold: 2h}\n",
            "steps[1].hold: 2 h is longer than the 1 hour limit",
        ),
        (
            "title: T\nsteps:\n  - {name: a, hold: 3, sides: [left]}\n",
            "steps[1].sides: needs at least 2 items",
        ),
        (
            "title: T\nsteps:\n  - {name: a, hold: 3, sides: [left, left]}\n",
            "steps[1].sides[2]: 'left' is listed twice",
        ),
        (
            "title: T\nsteps:\n  - {name: a, hold: 3, sides: left}\n",
            "steps[1].sides: expected a list, got text; write [left, right]",
        ),
        (
            "title: T\ntags: bedtime\nsteps: [{name: a}]\n",
            "r.yaml:2:7: tags: expected a list, got text",
        ),
        (
            'title: T\nsummary: "one\\ntwo"\nsteps: [{name: a}]\n',
            "summary: must be one line of text",
        ),
        (
            "title: T\ndefaults: {voice: maybe}\nsteps: [{name: a}]\n",
            "defaults.voice: expected true or false, got text",
        ),
        (
            "format: 2\ntitle: T\nsteps: [{name: a}]\n",
            "r.yaml:1:9: format: 2 is not a format this version reads; the only format is 1",
        ),
        ("title: T\nid: Bad_Id\nsteps: [{name: a}]\n", "id: 'Bad_Id' is not a valid id"),
        ("title: [a]\nsteps: [{name: a}]\n", "title: expected text, got a list"),
        (
            "title: T\nsteps:\n  - just a string\n",
            "steps[1]: a step is a mapping such as 'name: ...', got text",
        ),
        # sounds
        (
            "title: T\ncues: {start: bep}\nsteps: [{name: a}]\n",
            "cues.start: unknown sound 'bep': did you mean 'beep'?",
        ),
        (
            "title: T\nsteps:\n  - {name: a, cues: {end: ../x.wav}}\n",
            "steps[1].cues.end: '../x.wav' is outside the routine's folder",
        ),
        (
            "title: T\nsteps:\n  - {name: a, cues: {end: /tmp/x.wav}}\n",
            "give a path relative to the routine file",
        ),
        (
            "title: T\nsteps:\n  - {name: a, cues: {end: missing.wav}}\n",
            "sound file 'missing.wav' not found beside the routine",
        ),
        # YAML-level faults
        (
            "title: T\nsteps: [{name: a}]\n---\ntitle: U\n",
            "r.yaml:3:1: a routine file holds one YAML document",
        ),
        (
            "!!python/object/apply:os.system [echo hi]\n",
            "YAML tag '!!python/object/apply:os.system' is not allowed",
        ),
        (
            "title: !!python/name:os.system\nsteps: [{name: a}]\n",
            "r.yaml:1:8: title: YAML tag '!!python/name:os.system' is not allowed",
        ),
        ("title: !!binary aGk=\nsteps: [{name: a}]\n", "YAML tag '!!binary' is not allowed"),
        (
            "title: T\nsteps: [{name: a}\n",
            "r.yaml:2:8: this '[' is not closed by ']', or an item before it lacks a ','",
        ),
        (
            "title: T\n  steps: x\n",
            "r.yaml:2:3: indented more than the line above: "
            "the keys of one mapping start in the same column",
        ),
        ("", "r.yaml:1:1: the file is empty; a routine is a mapping with a title and steps"),
        ("- a\n- b\n", "the file is a list, not a mapping"),
        ("title: T\nsteps: [*nope]\n", "r.yaml:2:9: alias *nope has no anchor"),
    ],
)
def test_each_fault_gets_a_located_message(write: Writer, text: str, expected: str) -> None:
    found = problems(write, text)
    assert any(expected in line for line in found), found
    for line in found:
        assert "\n" not in line and line.startswith(str(Path(write("r.yaml", text))))


def test_all_errors_of_a_file_at_once(write: Writer) -> None:
    found = problems(
        write,
        """
        title: T
        steps:
          - name: a
            hodl: 30
          - name: b
            hold: 0
          - name: c
            reps: 999
        """,
    )
    keys = [line.split(": ")[1] for line in found]
    assert keys == ["steps[1].hodl", "steps[2].hold", "steps[3].reps"]


def test_a_file_name_that_makes_no_id(write: Writer) -> None:
    found = problems(write, "title: T\nsteps: [{name: a}]\n", name="My Routine.yaml")
    assert any(
        "id: the file name 'My Routine' is not a valid id; add a line such as 'id: my-routine'" in f
        for f in found
    )
    assert (
        load_routine(write("My Routine.yaml", "title: T\nid: mine\nsteps: [{name: a}]\n")).id
        == "mine"
    )


def test_file_level_faults(write: Writer, tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"title: T\n" + b"#" * (1024 * 1024))
    with pytest.raises(RoutineError, match="larger than 1 MiB"):
        load_routine(big)
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(b"title: caf\xe9\nsteps: [{name: a}]\n")
    with pytest.raises(RoutineError, match=r"latin.yaml:1:11: not UTF-8"):
        load_routine(latin)
    with pytest.raises(RoutineError, match="no such file"):
        load_routine(tmp_path / "gone.yaml")
    with pytest.raises(RoutineError, match=r"\.yaml or \.yml"):
        load_routine(write("notes.txt", "title: T"))


def test_wav_cue_beside_the_routine(write: Writer, tmp_path: Path) -> None:
    (tmp_path / "sounds").mkdir()
    (tmp_path / "sounds" / "bell.wav").write_bytes(b"RIFF")
    routine = load_routine(
        write(
            "r.yaml",
            "title: T\ncues: {finish: sounds/bell.wav, countdown: none}\nsteps: [{name: a}]\n",
        )
    )
    assert routine.cues["finish"] == Sound(
        "sounds/bell.wav", (tmp_path / "sounds/bell.wav").resolve()
    )
    assert routine.cues["countdown"].silent


def test_anchors_and_merge_keys_work(write: Writer) -> None:
    routine = load_routine(
        write(
            "r.yaml",
            """
            title: T
            steps:
              - &calf {name: Calf, hold: 30s, sides: [left, right]}
              - <<: *calf
                name: Calf again
                hold: 20s
            """,
        )
    )
    assert [(s.name, s.hold, s.sides) for s in routine.steps] == [
        ("Calf", 30, ("left", "right")),
        ("Calf again", 20, ("left", "right")),
    ]


def test_include_steps_are_recorded(write: Writer) -> None:
    routine = load_routine(write("r.yaml", "title: T\nsteps:\n  - include: calf\n    repeat: 2\n"))
    assert routine.steps == (Include("calf", 2, 3, 14, "steps[1].include"),)


def test_alias_bomb_is_cheap(write: Writer) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    path = write("bomb.yaml", "\n".join(lines) + "\ntitle: T\nsteps: *a9\n")
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(RoutineError) as err:
        load_routine(path)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert any("a0: unknown key" in str(p) for p in err.value.problems)
    assert elapsed < 2.0 and peak < 20 * 1024 * 1024  # 10**10 items, were they expanded


@pytest.mark.parametrize("depth", [40, 50_000])
@pytest.mark.parametrize("parser", ["CSafeLoader", "SafeLoader"])
def test_absurd_nesting_is_refused_in_our_words_at_its_place(
    write: Writer, monkeypatch: pytest.MonkeyPatch, depth: int, parser: str
) -> None:
    # libyaml (PyYAML 6.0.4 and later) refuses 1,000 levels itself; the
    # message and its place must not depend on which parser refuses.
    from stretch_coach.routine import yamlread

    if not hasattr(yaml, parser):
        pytest.skip(f"this PyYAML has no {parser}")
    monkeypatch.setattr(yamlread, "_Parser", getattr(yaml, parser))
    path = write("deep.yaml", "title: T\nsteps: " + "[" * depth + "]" * depth + "\n")
    with pytest.raises(RoutineError) as err:
        load_routine(path)
    # The root mapping is level 1, so the 32nd '[' (column 8 + 31) is level 33.
    assert [str(p) for p in err.value.problems] == [
        f"{path}:2:39: steps[1][1][1][1][1][1][1][1][1][1][1][1][1][1][1][1][1][1][1][1]"
        "[1][1][1][1][1][1][1][1][1][1][1]: nested more than 32 levels deep; "
        "a routine needs only a few levels"
    ]


# -- issue 13: text exactly as written, and YAML's errors in plain words ------


def test_text_is_exactly_as_written(write: Writer) -> None:
    routine = load_routine(
        write(
            "r.yaml",
            """
            title: 1:30
            summary: no
            author: 0x1F
            source: 2024-01-13
            tags: [010, yes, 1.50, ~, .inf]
            caution: [Off]
            steps:
              - name: 010
                say: yes
                sides: [1:5, 1_000]
              - name: Yes
                duration: 60
                prompts: [{at: 30, say: null}]
              - include: 007
            """,
        )
    )
    assert (routine.title, routine.summary, routine.author, routine.source) == (
        "1:30",
        "no",
        "0x1F",
        "2024-01-13",
    )
    assert routine.tags == ("010", "yes", "1.50", "~", ".inf")
    assert routine.caution == ("Off",)
    first, second, include = routine.steps
    assert isinstance(first, Step) and isinstance(second, Step)
    assert (first.name, first.say, first.sides) == ("010", "yes", ("1:5", "1_000"))
    assert second.name == "Yes" and second.prompts[0].say == "null"
    assert include == Include("007", 1, 14, 14, "steps[3].include")


def test_an_id_of_digits_is_that_id(write: Writer) -> None:
    assert load_routine(write("r.yaml", "title: T\nid: 0123\nsteps: [{name: a}]\n")).id == "0123"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1:30", 90.0), ("'1:30'", 90.0), ("0:05", 5.0), ("1:30.5", 90.5), ("90", 90.0)],
)
def test_m_ss_durations_quoted_or_not(write: Writer, value: str, expected: float) -> None:
    routine = load_routine(write("r.yaml", f"title: T\nsteps: [{{name: a, hold: {value}}}]\n"))
    assert routine.steps[0].hold == expected  # type: ignore[union-attr]


@pytest.mark.parametrize("value", ["1:5", "'1:5'", "1:5:00", "1:30:00"])
def test_one_digit_seconds_are_refused_quoted_or_not(write: Writer, value: str) -> None:
    path = write("r.yaml", f"title: T\nsteps: [{{name: a, hold: {value}}}]\n")
    shown = value.strip("'")
    assert problems(write, path.read_text()) == [
        f"{path}:2:25: steps[1].hold: '{shown}' is not a duration; write seconds (30, 2.5) "
        "or text such as 45s, 2m, 1m30s, '1 min 30 s', 1h or 1:30"
    ]


def test_a_base_60_count_is_not_a_count(write: Writer) -> None:
    path = write("r.yaml", "title: T\nsteps: [{name: a, reps: 1:30}]\n")
    assert problems(write, path.read_text()) == [
        f"{path}:2:25: steps[1].reps: expected a whole number, got '1:30'"
    ]


def test_keys_are_as_written(write: Writer) -> None:
    path = write("r.yaml", "title: T\non: 1\n010: 2\nsteps: [{name: a}]\n")
    found = problems(write, path.read_text())
    assert [line.split(": ")[1] for line in found] == ["on", "010"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("title: T\nsteps:\n\t- name: a\n", "r.yaml:3:1: tabs can't indent YAML; use spaces"),
        (
            "title: T\nsteps:\n  - name: a\n\thold: 3\n",
            "r.yaml:4:1: tabs can't indent YAML; use spaces",
        ),
        (
            "title: T\nsteps:\n  - name a\n    hold: 30\n",
            "r.yaml:3:5: this line has no ':' after its key; write 'key: value'",
        ),
        (
            "title T\nsteps:\n  - name: a\n",
            "r.yaml:1:1: this line has no ':' after its key; write 'key: value'",
        ),
        (
            "title: T\nsteps:\n  - name: a\n    hold 30\n",
            "r.yaml:4:5: this line has no ':' after its key; write 'key: value'",
        ),
        (
            "title: T\nsteps:\n  - name: a\n    instructions: Hands: lean\n",
            "r.yaml:4:24: text containing ': ' must be in quotes",
        ),
        (
            "title: T\nsteps:\n  - name: a\n   hold: 3\n",
            "r.yaml:4:4: this line's indentation does not match the lines above",
        ),
        ('title: "T\nsteps: []\n', "r.yaml:1:8: this quoted text has no closing quote"),
        ("title: @home\nsteps: []\n", "r.yaml:1:8: a value cannot start with '@'; put the text"),
        ('title: "a" b\nsteps: []\n', "r.yaml:1:12: unexpected text after a value"),
        ("title: [\n", "r.yaml:2:1: a '[' or '{' above is not closed"),
        ("title: *\n", "r.yaml:1:8: '*' and '&' start YAML aliases; put text"),
    ],
)
def test_yaml_errors_in_plain_words_at_the_line_to_fix(
    write: Writer, text: str, expected: str
) -> None:
    found = problems(write, text)
    assert len(found) == 1 and expected in found[0], found


def test_new_step_builds_what_the_dataclass_would() -> None:
    import dataclasses

    from stretch_coach.routine.model import Step, StepKind, new_step

    fields = {"kind": StepKind.HOLD, "name": "Calf", "hold": 30.0, "reps": 2, "sides": ("l", "r")}
    built, plain = new_step(**fields), Step(**fields)  # type: ignore[arg-type]
    assert built == plain
    assert dataclasses.asdict(built) == dataclasses.asdict(plain)
    assert built.cues == {} and built.cues is not new_step(**fields).cues  # a dict each
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.name = "Other"  # type: ignore[misc]
    with pytest.raises(TypeError, match=re.escape("unknown {'hodl'}")):
        new_step(**fields, hodl=3)
    with pytest.raises(TypeError, match=re.escape("missing {'name'}")):
        new_step(kind=StepKind.HOLD)
