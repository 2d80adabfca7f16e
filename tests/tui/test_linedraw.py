"""The line-API bar, digits and label draw exactly what Textual's own widgets draw.

Each is mounted beside the Textual widget it replaces, with the same CSS, and
both are rendered through Textual's styles cache (``render_lines``): the
segments (text and style) must be equal, at every half-cell position of the
bar and for every countdown the session shows, in each of the coach's themes
and Textual's ANSI theme (the terminal's own 16 colours, whose default
background leaves the bar's unlit part blank), with NO_COLOR's monochrome filter on or off.
"""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from rich.segment import Segment
from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import Digits, Static

from stretch_coach.tui.compat import ProgressBarBar as Bar
from stretch_coach.tui.themes import CUSTOM_THEMES
from stretch_coach.tui.widgets.linedraw import (
    LineBar,
    LineDigits,
    LineLabel,
    bar_pieces,
    digit_row,
)

BAR_WIDTHS = (1, 2, 5, 57)
THEMES = ("stretch-bedtime", "stretch-high-contrast", "textual-light", "ansi-dark")


class Pairs(App[None]):
    """Each of Textual's widgets above its line-API twin, at a few widths."""

    CSS = """
    Horizontal { height: auto; }
    .w1 { width: 1; } .w2 { width: 2; } .w5 { width: 5; } .w57 { width: 57; }
    Digits { width: 40; }
    .bold { text-style: bold; }
    .left { text-align: left; } .center { text-align: center; } .right { text-align: right; }
    .narrow { width: 6; }
    /* the session's clocks beside the bars (.bar-time) */
    .clock { width: auto; min-width: 10; text-align: right; color: $text-muted; }
    .wide { width: 16; }
    /* a cue lights the stage up: its background and the digits' colour change */
    #stage.-cue { background: $accent 20%; }
    #stage.-cue Digits { color: $accent; }
    """
    DIGIT_CLASSES: ClassVar[tuple[str, ...]] = (
        "bold center",
        "center",
        "bold left",
        "right",
        "bold center narrow",
    )
    LABEL_CLASSES: ClassVar[tuple[str, ...]] = (
        "clock",
        "wide left",
        "wide center bold",
        "wide right",
        "narrow",
    )

    def __init__(self, theme: str) -> None:
        super().__init__()
        for custom in CUSTOM_THEMES:
            self.register_theme(custom)
        self.theme = theme

    def compose(self) -> ComposeResult:
        for width in BAR_WIDTHS:
            with Horizontal():
                yield Bar(classes=f"w{width} textual")
                yield LineBar(classes=f"w{width} line")
        for classes in self.DIGIT_CLASSES:
            with Horizontal():
                yield Digits(classes=f"{classes} textual")
                yield LineDigits(classes=f"{classes} line")
        with Horizontal(id="stage"):
            yield Digits(classes="bold center textual")
            yield LineDigits(classes="bold center line")
        for classes in self.LABEL_CLASSES:
            with Horizontal():
                yield Static(classes=f"{classes} textual", markup=False)
                yield LineLabel(classes=f"{classes} line")


def segments(widget: Widget) -> list[list[Segment]]:
    """The widget's lines as Textual's compositor gets them."""
    width, height = widget.size
    return [list(strip) for strip in widget.render_lines(Region(0, 0, width, height))]


def pairs(app: Pairs, kind: type[Widget]) -> list[tuple[Any, Any]]:
    textual = [w for w in app.query(".textual") if type(w) is kind]
    line = [w for w in app.query(".line") if isinstance(w, kind) and type(w) is not kind]
    assert len(textual) == len(line) > 0
    return list(zip(textual, line, strict=True))


@pytest.fixture(
    # NO_COLOR's monochrome in our own dark theme: what a NO_COLOR user sees.
    params=[*((t, False) for t in THEMES), ("stretch-bedtime", True)],
    ids=lambda p: f"{p[0]}-{'NO_COLOR' if p[1] else 'colour'}",
)
def app(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Pairs:
    """Textual's widgets and ours side by side, in each theme, in colour and in NO_COLOR."""
    theme, no_color = request.param
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    made = Pairs(theme)
    assert made.no_color == no_color  # Textual's own NO_COLOR filter is on
    return made


async def test_the_bar_draws_as_textuals_does(app: Pairs) -> None:
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        checked = 0
        for textual, line in pairs(app, Bar):
            width = textual.size.width
            assert line.size.width == width > 0
            for half_cells in range(2 * width + 1):
                textual.percentage = line.percentage = half_cells / (2 * width)
                assert segments(line) == segments(textual), (width, half_cells)
                checked += 1
        assert checked == sum(2 * w + 1 for w in BAR_WIDTHS)


DIGIT_VALUES = ["2:00", "1:59", "0:07", "10:00", "1:05:09", "12", "0", "", "3.5", "-1", "x?"]
LABEL_VALUES = ["1:59 left", "0:07", "12:00 left", "self-paced", "1:05:09 left", "", "a  b"]
# Textual's own path for a label: markup-like, tabs, spaces at the ends, too wide for .narrow.
LABEL_VALUES += ["[b]x[/b]", "a\tb", " 0:05", "two\nlines"]


@pytest.mark.parametrize(
    ("widget", "values"), [(Digits, DIGIT_VALUES), (Static, LABEL_VALUES)], ids=["digits", "label"]
)
async def test_the_digits_and_the_label_draw_as_textuals_do(
    app: Pairs, widget: type[Digits | Static], values: list[str]
) -> None:
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        for textual, line in pairs(app, widget):
            for value in values:
                textual.update(value)
                line.update(value)
                await pilot.pause()  # a new width is a new layout
                assert line.size == textual.size
                assert segments(line) == segments(textual), (line.classes, value)


async def test_the_digits_follow_a_flash_of_the_stage_they_are_on() -> None:
    # Their styles are kept between seconds: a cue's flash must still reach them.
    app = Pairs("stretch-bedtime")
    async with app.run_test(size=(120, 30)) as pilot:
        stage = app.query_one("#stage")
        textual, line = stage.query_one(".textual", Digits), stage.query_one(".line", Digits)
        styles = {}
        for value, lit in [("0:30", False), ("0:29", True), ("0:29", False), ("0:28", True)]:
            textual.update(value)
            line.update(value)
            stage.set_class(lit, "-cue")
            await pilot.pause()
            assert segments(line) == segments(textual), (value, lit)
            styles[lit] = {segment.style for row in segments(line) for segment in row}
        assert styles[True].isdisjoint(styles[False])  # lit, every cell looks different


def test_the_bar_pieces() -> None:
    # Empty, a half cell, two and a half cells, full: Textual's bar's own runs.
    assert bar_pieces(4, 0.0, True) == [("━━━━", False)]
    assert bar_pieces(4, 0.125, True) == [("╸", True), ("━━━", False)]
    assert bar_pieces(4, 0.625, True) == [("━━", True), ("╸", True), ("━", False)]
    assert bar_pieces(4, 0.5, True) == [("━━", True), ("╺", False), ("━", False)]
    assert bar_pieces(4, 1.0, True) == [("━━━━", True)]
    # On the terminal's default background the unlit part is blank.
    assert bar_pieces(4, 0.5, False) == [("━━", True), (" ", False), (" ", False)]


def test_the_digit_rows() -> None:
    assert [digit_row("1:05", y, bold=True) for y in range(3)] == [
        "╺┓    ┏━┓┏━╸",
        " ┃  : ┃ ┃┗━┓",
        "╺┻╸   ┗━┛╺━┛",
    ]
    # A character the font lacks sits on the bottom row, as Textual draws it.
    assert [digit_row("a", y, bold=False) for y in range(3)] == [" ", " ", "a"]
