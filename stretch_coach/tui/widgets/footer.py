"""A footer that shows only the keys that fit whole, most important first."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from textual import events
from textual.widgets import Footer

from stretch_coach.tui.compat import footer_key_label, footer_ready

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.widget import Widget


class FittingFooter(Footer):
    """Textual's footer, cut after the last key that fits whole, the kept keys always in.

    A narrow terminal would otherwise show half a key at the right edge (and
    scroll to the rest, which a footer cannot). The keys come in the screen's
    binding order, so order them by how much they matter; every key still
    works, and the help (``?``) lists them all.

    Args:
        keep: the keys (as bound: ``q``, ``question_mark``) shown whatever
            else must go: room is kept for them, so a state that brings more
            keys (a self-paced step's Done, a step to go back to) cuts the
            least important of the others, never quit or help.
        **kwargs: as for :class:`~textual.widgets.Footer`.
    """

    _fitted_width = -1

    def __init__(self, *, keep: Collection[str] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.keep = frozenset(keep)

    def compose(self) -> ComposeResult:
        width = self.size.width or self.app.size.width
        self._fitted_width = width
        widgets: list[tuple[Widget, int | None, bool]] = []
        for widget in super().compose():
            label = footer_key_label(widget)
            kept = getattr(widget, "key", None) in self.keep
            widgets.append((widget, None if label is None else cell_len(label), kept))
        # The compact footer puts a space between keys: each takes its label and one.
        reserved = sum(cells + 1 for _, cells, kept in widgets if kept and cells is not None)
        used = 0
        full = False  # once a key does not fit, none after it does (the order is the priority)
        for widget, cells, kept in widgets:
            if cells is None:
                yield widget
                continue
            if kept:
                reserved -= cells + 1
                if used + cells <= width:
                    used += cells + 1
                    yield widget
            elif not full and used + cells + reserved <= width:
                used += cells + 1
                yield widget
            else:
                full = True

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._fitted_width and footer_ready(self):
            self.call_after_refresh(self.recompose)
