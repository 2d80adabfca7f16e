"""A footer that shows only the keys that fit whole, most important first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual import events
from textual.widgets import Footer

from stretch_coach.tui.compat import footer_key_label, footer_ready

if TYPE_CHECKING:
    from textual.app import ComposeResult


class FittingFooter(Footer):
    """Textual's footer, cut after the last key that fits whole.

    A narrow terminal would otherwise show half a key at the right edge (and
    scroll to the rest, which a footer cannot). The keys come in the screen's
    binding order, so order them by how much they matter; every key still
    works, and the help (``?``) lists them all.
    """

    _fitted_width = -1

    def compose(self) -> ComposeResult:
        width = self.size.width or self.app.size.width
        self._fitted_width = width
        used = 0
        for widget in super().compose():
            label = footer_key_label(widget)
            if label is not None:
                cells = cell_len(label)
                if used + cells > width:
                    return
                used += cells + 1  # the compact footer's margin between keys
            yield widget

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._fitted_width and footer_ready(self):
            self.call_after_refresh(self.recompose)
