"""Countdown digits large enough to read across a room, for big terminals."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

#: A 3x5 block font: ``#`` is ink. Each pixel is drawn two cells wide (cells are tall).
FONT: dict[str, tuple[str, ...]] = {
    "0": ("###", "# #", "# #", "# #", "###"),
    "1": (" # ", "## ", " # ", " # ", "###"),
    "2": ("###", "  #", "###", "#  ", "###"),
    "3": ("###", "  #", "###", "  #", "###"),
    "4": ("# #", "# #", "###", "  #", "  #"),
    "5": ("###", "#  ", "###", "  #", "###"),
    "6": ("###", "#  ", "###", "# #", "###"),
    "7": ("###", "  #", "  #", "  #", "  #"),
    "8": ("###", "# #", "###", "# #", "###"),
    "9": ("###", "# #", "###", "  #", "###"),
    ":": (" ", "#", " ", "#", " "),
    ".": (" ", " ", " ", " ", "#"),
    " ": (" ", " ", " ", " ", " "),
}
ROWS = 5


def big_lines(text: str, scale: int) -> list[str]:
    """``text`` in the block font, each pixel ``2 * scale`` cells wide and ``scale`` rows tall.

    Characters the font lacks are left out (the countdown only shows digits,
    ``:`` and ``.``).
    """
    glyphs = [FONT[c] for c in text if c in FONT]
    lines: list[str] = []
    for row in range(ROWS):
        gap = " " * (2 * scale)
        line = gap.join(
            "".join("█" * (2 * scale) if pixel == "#" else " " * (2 * scale) for pixel in g[row])
            for g in glyphs
        )
        lines += [line] * scale
    return lines


class BigDigits(Static):
    """The countdown in the block font, at a scale (1: five rows tall)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = ""
        self.scale = 2

    def show(self, text: str, scale: int) -> None:
        """Draw ``text`` at ``scale``."""
        self.text, self.scale = text, scale
        self.update(Text("\n".join(big_lines(text, scale)), no_wrap=True, overflow="crop"))
