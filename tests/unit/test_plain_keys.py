"""The plain runner's keys and piped words: a part, a step, and caps lock changing nothing."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest

from stretch_coach.engine.clock import FakeClock
from stretch_coach.engine.session import Session
from stretch_coach.plain.keys import KeyInput
from stretch_coach.timeline import Timeline


class Lines:
    """A stand-in view: keeps the feedback lines."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def line(self, text: str) -> None:
        self.lines.append(text)


@pytest.fixture
def pipe_fd() -> Iterator[int]:
    read, write = os.pipe()
    os.close(write)
    yield read
    os.close(read)


@pytest.fixture
def keys(
    make_timeline: Callable[..., Timeline], example_yaml: str, pipe_fd: int
) -> tuple[KeyInput, Session, Lines]:
    session = Session(make_timeline(example_yaml), FakeClock(50.0))
    view = Lines()
    session.start()
    return KeyInput(session, view, pipe_fd), session, view  # type: ignore[arg-type]


def where(session: Session) -> tuple[int, str | None, float]:
    state = session.state()
    return state.step_index, state.side, state.routine_elapsed


@pytest.mark.parametrize("command", ["n", "N", "next", "NEXT", "next part", "part"])
def test_next_part_ends_the_side(keys: tuple[KeyInput, Session, Lines], command: str) -> None:
    key_input, session, view = keys
    key_input._line(command)  # in the get-ready: the left side starts now
    assert where(session) == (0, "left", 5.0)
    assert view.lines == ["Starting the left side of Wall calf stretch now"]
    key_input._line(command)  # in the left side's hold: it ends, on to the switch
    assert where(session) == (0, "right", 75.0)
    assert view.lines[-1] == "Ending the left side of Wall calf stretch"
    key_input._line(command)  # in the switch: the right side starts now, none is lost
    assert where(session) == (0, "right", 80.0)
    assert view.lines[-1] == "Starting the right side of Wall calf stretch now"
    key_input._line(command)  # the right side is the last part: the step ends
    assert where(session) == (1, None, 150.0)
    assert view.lines[-1] == "Skipping Wall calf stretch"


def test_next_part_in_a_get_ready_of_one_part(keys: tuple[KeyInput, Session, Lines]) -> None:
    key_input, session, view = keys
    key_input._key("s")  # to the heel raises' get-ready
    key_input._key("n")
    state = session.state()
    assert (state.step_index, state.segment.kind) == (1, "rep")  # type: ignore[union-attr]
    assert view.lines[-1] == "Starting Heel raises now"


@pytest.mark.parametrize("command", ["s", "S", "skip", "Skip step"])
def test_skip_ends_the_whole_step(keys: tuple[KeyInput, Session, Lines], command: str) -> None:
    key_input, session, view = keys
    key_input._line(command)
    assert where(session) == (1, None, 150.0)
    assert view.lines == ["Skipping Wall calf stretch"]


@pytest.mark.parametrize(("back", "expected"), [("b", (0, "right", 75.0)), ("a", (0, "left", 0))])
def test_back_a_part_and_back_a_step(
    keys: tuple[KeyInput, Session, Lines], back: str, expected: tuple[int, str, float]
) -> None:
    key_input, session, _view = keys
    key_input._key("s")  # to the heel raises, at once
    key_input._key(back)  # early in the step: the part before, or the step before
    assert where(session) == expected
    for word in {"b": ("back", "BACK part"), "a": ("previous", "Back step")}[back]:
        key_input._key("s")
        key_input._line(word)
        assert where(session) == expected


def test_single_keys_ignore_caps_lock(keys: tuple[KeyInput, Session, Lines]) -> None:
    key_input, session, _view = keys
    key_input._key("N")
    assert where(session) == (0, "left", 5.0)
    key_input._key("B")
    assert where(session) == (0, "left", 0.0)
    key_input._key("S")
    assert where(session) == (1, None, 150.0)
    key_input._key("A")
    assert where(session) == (0, "left", 0.0)


def test_an_unknown_word_lists_the_words(keys: tuple[KeyInput, Session, Lines]) -> None:
    key_input, session, view = keys
    key_input._line("onwards")
    assert where(session) == (0, "left", 0.0)
    assert view.lines == [
        "Unknown command 'onwards': use a word or a letter (next n, skip s, back b, previous a,"
        " restart r, pause p, count c, quit q) or an empty line for done"
    ]


def test_next_part_in_a_rest_between_sets_starts_the_set(
    make_timeline: Callable[..., Timeline], pipe_fd: int
) -> None:
    timeline = make_timeline(
        "title: S\nsteps:\n  - name: Calf hold\n    hold: 10s\n    sides: [left, right]\n"
        "    sets: 2\n    set_rest: 20s\n    switch: 5s\n    prepare: 0\n"
    )
    session = Session(timeline, FakeClock(50.0))
    view = Lines()
    session.start()
    key_input = KeyInput(session, view, pipe_fd)  # type: ignore[arg-type]
    key_input._key("n")  # set 1's left side ends: its switch
    key_input._key("n")  # the switch cut short: set 1's right side now
    key_input._key("n")  # set 1's right side ends: the rest between sets
    state = session.state()
    assert (state.set, state.segment.kind) == (2, "set_rest")  # type: ignore[union-attr]
    key_input._key("n")  # the rest cut short: set 2 begins, with its left side
    state = session.state()
    assert (state.set, state.side, state.segment.kind) == (2, "left", "hold")  # type: ignore[union-attr]
    assert view.lines == [
        "Ending the left side of Calf hold",
        "Starting the right side of Calf hold now",
        "Ending the right side of Calf hold",
        "Starting set 2 of Calf hold now",
    ]


@pytest.mark.parametrize(
    ("rest", "line"),
    [
        ("  - rest: 30s\n", "Ending the rest now"),
        ("  - name: Sit\n    rest: 30s\n", "Ending Sit now"),
    ],
)
def test_next_part_in_a_rest_step_ends_the_rest(
    make_timeline: Callable[..., Timeline], pipe_fd: int, rest: str, line: str
) -> None:
    timeline = make_timeline(
        "title: R\nsteps:\n  - name: Calf hold\n    hold: 10s\n    prepare: 0\n"
        + rest
        + "  - name: Heel hold\n    hold: 10s\n    prepare: 0\n"
    )
    session = Session(timeline, FakeClock(50.0))
    view = Lines()
    session.start()
    key_input = KeyInput(session, view, pipe_fd)  # type: ignore[arg-type]
    key_input._key("n")  # the hold, the step's one part: skipped
    key_input._key("n")  # the rest: cut short, not skipped
    state = session.state()
    assert (state.step_index, state.steps_done, state.steps_skipped) == (2, 1, 1)
    assert view.lines == ["Skipping Calf hold", line]


def test_next_part_in_a_set_of_a_one_sided_step_ends_the_set(
    make_timeline: Callable[..., Timeline], pipe_fd: int
) -> None:
    timeline = make_timeline(
        "title: S\nsteps:\n  - name: Heel raises\n    reps: 3\n    tempo: 2s\n"
        "    sets: 2\n    set_rest: 20s\n    prepare: 0\n"
    )
    session = Session(timeline, FakeClock(50.0))
    view = Lines()
    session.start()
    key_input = KeyInput(session, view, pipe_fd)  # type: ignore[arg-type]
    key_input._key("n")  # set 1 ends: the rest between sets
    key_input._key("n")  # the rest cut short: set 2 now
    key_input._key("n")  # set 2 is the step's last part: the step ends
    assert view.lines == [
        "Ending set 1 of Heel raises",
        "Starting set 2 of Heel raises now",
        "Skipping Heel raises",
    ]
