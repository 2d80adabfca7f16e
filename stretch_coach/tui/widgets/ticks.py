"""A checkbox and a choice list whose box shows an ``X`` only when ticked.

Textual's draw an ``X`` in every box and tell ticked from not by colour
alone. The diary is filled in at night, often in a dim room: an ``X`` in
every box reads as every box ticked, and so it does without colour
(NO_COLOR, or a monochrome terminal). Here a box not ticked is empty.
"""

from __future__ import annotations

from typing import Any

from textual.strip import Strip
from textual.widgets import Checkbox, SelectionList

from stretch_coach.tui.compat import blank_selection_button

#: What a box holds: ticked, and not.
TICKED, UNTICKED = "X", " "


class TickBox(Checkbox):
    """A checkbox whose box is empty until ticked."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.BUTTON_INNER = TICKED if self.value else UNTICKED

    def watch_value(self) -> None:
        self.BUTTON_INNER = TICKED if self.value else UNTICKED
        super().watch_value()


class TickList(SelectionList[str]):
    """A list of choices whose boxes are empty until chosen."""

    def render_line(self, y: int) -> Strip:
        line = super().render_line(y)
        index = self.scroll_offset.y + y
        if index >= self.option_count:
            return line
        if self.get_option_at_index(index).value in self.selected:
            return line
        return blank_selection_button(line)
