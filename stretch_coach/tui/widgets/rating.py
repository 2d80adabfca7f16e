"""At the summary: an optional effort and pain rating, 0 to 10 each, typed as digits.

The first number typed is the effort, the second the pain; ``1`` waits for a
possible ``0`` (ten), and is taken as one when another digit follows or the
summary is left. Backspace takes back the last number. The rating has keys of
its own (digits, Backspace), never Enter, ``d`` or ``n``, which the summary
and its check-in use; not answering is the default, and nothing is recorded
then.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.content import Content
from textual.widgets import Static

#: Told each time a rating is complete: (effort, pain), ``None`` where not given.
OnRated = Callable[[int | None, int | None], None]
LABELS = ("Effort", "Pain")


class Rating(Static):
    """Effort and pain, 0 to 10; see the module's description for the keys."""

    DEFAULT_CSS = """
    Rating {
        margin: 1 0 0 0;
        padding: 0 1;
    }
    """

    def __init__(self, on_rated: OnRated) -> None:
        super().__init__(id="rating")
        self.on_rated = on_rated
        self.values: list[int | None] = [None, None]
        self.field = 0  #: which number a digit goes to: 0 effort, 1 pain, 2 both given
        self.pending = ""  #: a "1" that may become "10"

    def on_mount(self) -> None:
        self._draw()

    def digit(self, char: str) -> None:
        """A digit typed."""
        if self.field > 1 or not char.isdigit():
            return
        if self.pending == "1":
            if char == "0":
                self._set(10)
                return
            self._set(1)
            if self.field > 1:
                return
        if char == "1":
            self.pending = "1"
            self._draw()
            return
        self._set(int(char))

    def back(self) -> None:
        """Backspace: take back the number being typed, or the last one given."""
        if self.pending:
            self.pending = ""
        elif self.field > 0:
            self.field -= 1
            self.values[self.field] = None
        self._draw()

    def settle(self) -> None:
        """Leaving the summary: a lone ``1`` is one."""
        if self.pending == "1":
            self._set(1)

    def _set(self, value: int) -> None:
        self.values[self.field] = value
        self.field += 1
        self.pending = ""
        self._draw()
        self.on_rated(self.values[0], self.values[1])

    def _draw(self) -> None:
        parts: list[str | tuple[str, str]] = []
        for i, label in enumerate(LABELS):
            value = self.values[i]
            shown = str(value) if value is not None else (self.pending if i == self.field else "")
            parts += [(f"{label} ", "dim"), (shown or "-", "bold"), "   "]
        hint = "optional: type 0-10 for effort, then pain; Backspace corrects"
        self.update(Content.assemble("How was it?  ", *parts, "\n", (hint, "dim")))
