"""The session screen at every size: instructions, the footer's keys, the countdown's size."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tui_helpers import advance, shown

from stretch_coach.tui.widgets.bigdigits import big_lines

#: Instructions of seven lines at 60 columns, six at 80.
LONG = """\
title: Long words
steps:
  - name: Standing calf stretch
    instructions: >-
      Stand facing a wall with your hands flat on it at shoulder height. Step one
      foot back and keep that leg straight, the heel pressed to the floor. Bend
      the front knee slowly until you feel a stretch in the back calf. Keep your
      hips square and your back straight. Breathe out as you lean in.
    hold: 30s
"""
INSTRUCTIONS_END = "Breathe out as you lean in."


@pytest.fixture
def long_words(make_app: Any, library_dir: Path) -> Any:
    from stretch_coach.routine.library import Library

    (library_dir / "long.yaml").write_text(LONG, encoding="utf-8")
    library = Library.from_folders([(library_dir, "library")])
    return make_app(start=library.get("long"))


def footer_line(text: str) -> str:
    return text.splitlines()[-1]


async def test_at_60x20_the_instructions_use_the_lines_left(long_words: Any, clock: Any) -> None:
    async with long_words.run_test(size=(60, 20)) as pilot:
        await advance(pilot, clock, 6)
        text = await shown(pilot)
        words = " ".join(text.split())
        assert INSTRUCTIONS_END in words  # all of it, to the last word
        assert "Step " in text and "left" in text and "Next: the end" in text  # the bars stay


#: Every key the footer may show, in the screen's order (r Restart is in the help only).
FOOTER_KEYS = [
    "space Pause", "⏎ Done", "n Start now", "n Next part", "s Skip step", "b Back part",
    "a Back step", "q Quit", "? Help", "m Mute", "v Voice off",
]  # fmt: skip

#: What the footer shows, by width, in the first step's get-ready and at the
#: self-paced third step (Done, and a step to go back to).
FOOTERS = {
    60: (
        "space Pause n Start now s Skip step q Quit ? Help",
        "space Pause ⏎ Done n Next part s Skip step q Quit ? Help",
    ),
    72: (
        "space Pause n Start now s Skip step b Back part q Quit ? Help m Mute",
        "space Pause ⏎ Done n Next part s Skip step b Back part q Quit ? Help",
    ),
    80: (
        "space Pause n Start now s Skip step b Back part q Quit ? Help m Mute v Voice off",
        "space Pause ⏎ Done n Next part s Skip step b Back part a Back step q Quit ? Help",
    ),
    100: (
        "space Pause n Start now s Skip step b Back part q Quit ? Help m Mute v Voice off",
        "space Pause ⏎ Done n Next part s Skip step b Back part a Back step q Quit ? Help"
        " m Mute v Voice off",
    ),
}


@pytest.mark.parametrize("width", sorted(FOOTERS))
async def test_the_footer_keeps_quit_and_help_and_shows_only_whole_keys(
    make_app: Any, library: Any, clock: Any, width: int
) -> None:
    """The trial: at 60x20 the footer ended at "r Restart", no quit, no help; at
    80x24 "? Help" and "m Mute" went once "a Back step" came."""
    from stretch_coach.settings import CautionLog

    CautionLog().acknowledge("bedtime-calf-stretch", ("Stop if the stretch causes sharp pain.",))
    app = make_app(start=library.get("bedtime-calf-stretch"))
    async with app.run_test(size=(width, 24)) as pilot:
        await advance(pilot, clock, 1)
        get_ready = footer_line(await shown(pilot)).rstrip()
        await pilot.press("s", "s")  # the self-paced third step
        self_paced = footer_line(await shown(pilot)).rstrip()
    assert (get_ready, self_paced) == FOOTERS[width]
    for footer in (get_ready, self_paced):
        assert len(footer) <= width
        # Whole keys, in the screen's order: never half a key at the edge.
        shown_keys = [key for key in FOOTER_KEYS if f" {key} " in f" {footer} "]
        assert " ".join(shown_keys) == footer


async def test_restart_is_in_the_help_though_not_in_the_footer(
    make_app: Any, library: Any, clock: Any
) -> None:
    from stretch_coach.settings import CautionLog

    CautionLog().acknowledge("bedtime-calf-stretch", ("Stop if the stretch causes sharp pain.",))
    app = make_app(start=library.get("bedtime-calf-stretch"))
    async with app.run_test(size=(100, 30)) as pilot:
        await advance(pilot, clock, 1)
        await pilot.press("r")  # it still works
        assert app.screen.session.state().routine_elapsed == 0.0
        await pilot.press("question_mark")
        await shown(pilot)
        assert dict(app.screen.rows)["r"] == "Restart"


@pytest.mark.parametrize(
    ("size", "rows"), [((100, 30), 0), ((120, 40), 10), ((200, 60), 15)], ids=str
)
async def test_the_countdown_grows_on_big_terminals(
    long_words: Any, clock: Any, size: tuple[int, int], rows: int
) -> None:
    async with long_words.run_test(size=size) as pilot:
        await advance(pilot, clock, 6)
        text = await shown(pilot)
        big = long_words.screen.query_one("#countdown-big")
        small = long_words.screen.query_one("#countdown")
        if not rows:
            assert not big.display and small.display and small.region.height == 3
            return
        assert big.display and not small.display
        assert big.region.height == rows
        scale = rows // 5
        for line in big_lines("0:29", scale):
            assert line.strip() in text
        await advance(pilot, clock, 1)
        assert big_lines("0:28", scale)[0].strip() in await shown(pilot)


def test_the_block_font_draws_each_digit_apart() -> None:
    assert big_lines("1:0", 1) == [
        "  ██        ██████",
        "████    ██  ██  ██",
        "  ██        ██  ██",
        "  ██    ██  ██  ██",
        "██████      ██████",
    ]


#: A timed step, then two self-paced ones (as the cool-down ends).
SELF_PACED_AT_THE_END = """\
title: Then at your own pace
steps:
  - name: Calf hold
    hold: 10s
    prepare: 0
  - name: Heel walking
    instructions: Walk on your heels across the room and back.
  - name: Have a drink
    instructions: A glass of water.
"""


@pytest.mark.parametrize("size", [(100, 30), (80, 24), (60, 20)], ids=str)
async def test_the_routine_clock_counts_the_self_paced_steps_left(
    make_app: Any, library_dir: Path, clock: Any, size: tuple[int, int]
) -> None:
    """The trial's cool-down showed "Routine 0:00 left" with two self-paced steps to do."""
    from stretch_coach.routine.library import Library

    (library_dir / "end.yaml").write_text(SELF_PACED_AT_THE_END, encoding="utf-8")
    app = make_app(start=Library.from_folders([(library_dir, "library")]).get("end"))

    def row(text: str, label: str) -> str:
        return next(line for line in text.splitlines() if line.strip().startswith(label)).rstrip()

    async with app.run_test(size=size) as pilot:
        await advance(pilot, clock, 4)
        text = await shown(pilot)
        assert row(text, "Routine").endswith("━ 0:06 + 2 self-paced left")
        await pilot.press("s")  # on to the first self-paced step: no timed second left
        text = await shown(pilot)
        # The truth, and a space between each bar and its words.
        step, routine = row(text, "Step"), row(text, "Routine")
        assert routine.endswith("━ 0:00 + 2 self-paced left")
        assert step.endswith(" self-paced") and step[step.rindex("━") + 1] == " "
        assert step.rindex("━") == routine.rindex("━")  # both bars end in one column
        await pilot.press("enter")  # done: one left
        assert row(await shown(pilot), "Routine").endswith("━ 0:00 + 1 self-paced left")
