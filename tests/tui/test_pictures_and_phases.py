"""The library preview's step pictures, and the session screen's phase and one side."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import ROUTINES
from tui_helpers import advance, shown, wait_for

from stretch_coach.tui.screens.library import LibraryScreen
from stretch_coach.tui.screens.session import SessionScreen
from stretch_coach.tui.widgets.picture import StepPicture, half_block_rows, load

RED, GREEN, BLUE, WHITE = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)

PICTURES = """\
title: Pictured
steps:
  - name: Wall stretch
    hold: 30s
    image: wall.png
  - name: Heel raises
    reps: 10
    tempo: 3s
    image: pictures/drawing.svg
  - name: Broken
    hold: 5s
    image: broken.png
"""

PHASED = """\
title: Achilles
defaults: {prepare: 2s}
steps:
  - name: Heel drops
    reps: 2
    side: right
    phases:
      - {say: lift, time: 1s}
      - {say: lower slowly, time: 3s}
"""


@pytest.fixture
def library_dir(tmp_path: Path) -> Path:
    """The test routines, plus one with pictures and one with phases on one side."""
    from PIL import Image

    folder = tmp_path / "routines"
    shutil.copytree(ROUTINES, folder)
    (folder / "pictured.yaml").write_text(PICTURES, encoding="utf-8")
    (folder / "achilles.yaml").write_text(PHASED, encoding="utf-8")
    # Four rows of one colour each: two cells high, upper/lower halves known exactly.
    image = Image.new("RGB", (4, 4))
    for y, colour in enumerate((RED, GREEN, BLUE, WHITE)):
        for x in range(4):
            image.putpixel((x, y), colour)
    image.save(folder / "wall.png")
    (folder / "pictures").mkdir()
    (folder / "pictures" / "drawing.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>', encoding="utf-8"
    )
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"not a picture" * 10)
    return folder


def test_a_picture_is_drawn_as_upper_and_lower_half_cells(library_dir: Path) -> None:
    image = load(library_dir / "wall.png")
    assert image is not None and image.size == (4, 4)
    assert half_block_rows(image, 4, (0, 0, 0)) == [
        [(RED, GREEN)] * 4,
        [(BLUE, WHITE)] * 4,
    ]
    # Smaller: two columns, one row (the aspect ratio is kept).
    assert [len(r) for r in half_block_rows(image, 2, (0, 0, 0))] == [2]
    # Larger: at most 40 columns, each pixel repeated (a drawing stays crisp).
    big = half_block_rows(image, 100, (0, 0, 0))
    assert (len(big[0]), len(big)) == (40, 20)
    assert [row[0] for row in big] == [(RED, RED)] * 5 + [(GREEN, GREEN)] * 5 + [
        (BLUE, BLUE)
    ] * 5 + [(WHITE, WHITE)] * 5


def test_a_tall_picture_is_drawn_narrower(tmp_path: Path) -> None:
    from PIL import Image

    from stretch_coach.tui.widgets.picture import fit

    path = tmp_path / "tall.png"
    Image.new("RGB", (100, 400), RED).save(path)
    image = load(path)
    assert image is not None and image.size == (10, 40)  # kept small once decoded
    assert fit(image, 60) == (10, 20)


def test_what_cannot_be_drawn_is_not_decoded(library_dir: Path) -> None:
    assert load(library_dir / "broken.png") is None
    assert load(library_dir / "pictures" / "drawing.svg") is None
    assert load(library_dir / "missing.png") is None


def test_a_transparent_pixel_takes_the_background(tmp_path: Path) -> None:
    from PIL import Image

    path = tmp_path / "clear.png"
    Image.new("RGBA", (2, 2), (0, 0, 0, 0)).save(path)
    image = load(path)
    assert image is not None
    assert half_block_rows(image, 2, (10, 20, 30)) == [[((10, 20, 30), (10, 20, 30))] * 2]


async def _preview_of(pilot: Any, title: str) -> str:
    screen = pilot.app.screen
    assert isinstance(screen, LibraryScreen)
    await wait_for(pilot, lambda: screen.entries is not None)
    await pilot.press(*title.lower())  # the filter
    await pilot.pause(0.2)
    return await shown(pilot)


async def test_the_preview_draws_a_picture_and_names_every_picture(
    make_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLORTERM", "truecolor")  # a terminal that shows every colour
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        text = await _preview_of(pilot, "Pictured")
        assert "Picture: wall.png" in text
        assert "Picture: pictures/drawing.svg" in text  # an SVG is named, not drawn
        assert "Picture: broken.png" in text
        pictures = list(app.screen.query(StepPicture))
        # Only the PNG and JPEG files are tried; the broken one takes no room once tried.
        assert [p.path.name for p in pictures] == ["wall.png", "broken.png"]
        await wait_for(pilot, lambda: all(p.loaded for p in pictures))
        await pilot.pause(0.1)
        wall, broken = pictures
        assert wall.display and not broken.display
        assert wall.border_title == "1. Wall stretch"
        assert wall.content_size == (40, 20)
        for y, upper, lower in (
            (0, RED, RED),
            (4, RED, RED),
            (5, GREEN, GREEN),
            (19, WHITE, WHITE),
        ):
            cells = {
                (seg.text, seg.style.color.triplet, seg.style.bgcolor.triplet)  # type: ignore[union-attr]
                for seg in wall.render_line(y)
            }
            assert cells == {("▀", upper, lower)}, y
        assert "1. Wall stretch" in await shown(pilot)
        assert "▀" * 40 in await shown(pilot)


@pytest.mark.parametrize(
    ("env", "why"),
    [
        ({"COLORTERM": "truecolor", "NO_COLOR": "1"}, "NO_COLOR"),
        ({"TERM": "xterm", "COLORTERM": ""}, "16 colours"),
        ({"TERM": "dumb", "COLORTERM": ""}, "no colour"),
    ],
)
async def test_where_the_terminal_cannot_draw_the_picture_is_only_named(
    make_app: Any, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], why: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        text = await _preview_of(pilot, "Pictured")
        assert "Picture: wall.png" in text, why
        assert not list(app.screen.query(StepPicture)), why
        assert "▀" not in text, why


async def test_the_session_shows_the_phase_and_the_one_side(
    make_app: Any, library: Any, clock: Any
) -> None:
    app = make_app(start=library.get("achilles"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen)
        text = await shown(pilot)
        assert "Heel drops" in text and "Get ready · right side only" in text
        await advance(pilot, clock, 2.5, step=0.5)
        text = await shown(pilot)
        assert "Lift · right side only · rep 1 of 2" in text
        # The phase's name heads the stage; it is not left behind as a caption too.
        said = [p.text for p in app.screen.session.speech.phrases if p.kind == "phase"]
        assert said == ["lift", "lower slowly"] and "“lift”" not in text
        await advance(pilot, clock, 1.0, step=0.5)
        text = await shown(pilot)
        assert "Lower slowly · right side only · rep 1 of 2" in text
        await advance(pilot, clock, 3.0, step=0.5)
        assert "Lift · right side only · rep 2 of 2" in await shown(pilot)
