"""The session's bars, countdown digits and clocks, drawn line by line.

Textual's bar (the one inside a ``ProgressBar``) and
:class:`~textual.widgets.Digits` draw through Rich (a renderable, an
``Align``, a console render, line splitting): about 1.5 ms for a bar and 2 ms
for the digits on each change, and during a hold both change every second, as
do the clocks beside the bars (a :class:`~textual.widgets.Static` lays its
text out through :class:`~textual.content.Content`: about 0.4 ms each).
These subclasses give Textual the same lines from Textual's line API
(:meth:`render_line` returning a :class:`~textual.strip.Strip`), built from a
few strings and styles: the same characters in the same styles, segment for
segment (``tests/tui/test_linedraw.py`` compares them with Textual's own
rendering), so the screens look the same, in colour and in NO_COLOR's
monochrome alike. Textual's styles cache keeps each line until the drawn
value changes (a bar moves only by half a cell, the digits once a second).

What the fast path does not cover (an indeterminate or gradient bar, no digits,
digits or text wider than the widget, text that is not one plain line, a text
selection) is left to Textual's own rendering.
"""

from __future__ import annotations

from typing import cast

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.renderables.digits import DIGITS, DIGITS3X3, DIGITS3X3_BOLD
from textual.renderables.digits import Digits as DigitsRenderable
from textual.strip import Strip
from textual.visual import VisualType
from textual.widgets import Digits, Static

from stretch_coach.tui.compat import ProgressBarBar

#: The pieces of Textual's bar (textual.renderables.bar.Bar).
FULL, HALF_LEFT, HALF_RIGHT = "━", "╺", "╸"


def bar_pieces(width: int, fraction: float, background: bool) -> list[tuple[str, bool]]:
    """The bar's runs of characters, each with whether it is the highlighted part.

    The same pieces, split at the same places, as Textual's bar renderable
    draws for a highlight from the left edge to ``width * fraction`` cells
    (rounded to a half cell).

    Args:
        width: The bar's width in cells.
        fraction: How much of it is highlighted, 0 to 1.
        background: Whether the part not highlighted is drawn (it is blank
            when the background colour is the terminal's default).
    """
    end = min(width * fraction, width)
    if end <= 0:
        return [(FULL * width, False)] if width else []
    end = round(end * 2) / 2
    half_end = end - int(end) > 0
    pieces = [(FULL * int(end), True)]
    if half_end:
        pieces.append((HALF_RIGHT, True))
    elif end - width != 0:
        pieces.append((HALF_LEFT if background else " ", False))
    pieces.append(((FULL if background else " ") * (width - int(end) - 1), False))
    return [(text, lit) for text, lit in pieces if text]


class LineBar(ProgressBarBar):
    """Textual's bar (same CSS, component classes and percentage), drawn by :func:`bar_pieces`."""

    _style_cache: tuple[object, bool, tuple[Style, Style, bool]] | None = None

    def _styles(self, complete: bool) -> tuple[Style, Style, bool]:
        """The lit and unlit parts' styles, and whether the unlit part is drawn.

        Kept while the widget's :attr:`visual_style` is the same object:
        Textual makes a new one whenever this widget's styles change (a
        theme, a class); its component styles are cleared on every repaint.
        """
        visual = self.visual_style
        cached = self._style_cache
        if cached is not None and cached[0] is visual and cached[1] == complete:
            return cached[2]
        base = visual.rich_style
        bar_style = self.get_component_rich_style("bar--complete" if complete else "bar--bar")
        unlit_colour = Style.from_color(bar_style.bgcolor)
        background = unlit_colour.color is None or not unlit_colour.color.is_default
        styles = (base + Style.from_color(bar_style.color), base + unlit_colour, background)
        self._style_cache = (visual, complete, styles)
        return styles

    def render_line(self, y: int) -> Strip:
        """The bar's one line, or a blank one below it.

        Args:
            y: The line, from the top of the content.
        """
        percentage = self.percentage
        if percentage is None or self.gradient is not None or self.text_selection:
            return super().render_line(y)  # the animation and gradients: Textual's own
        width = self.size.width
        base = self.visual_style.rich_style
        if y != 0:
            return Strip.blank(width, base)
        lit, unlit, background = self._styles(percentage >= 1)
        segments = [
            Segment(text, lit if highlighted else unlit)
            for text, highlighted in bar_pieces(width, percentage, background)
        ]
        return Strip(segments, width)


class LineDigits(Digits):
    """Textual's 3x3 digits (same CSS, value and update), drawn from their rows of text."""

    _style_cache: tuple[object, tuple[Style, Style, Style]] | None = None

    def _styles(self) -> tuple[Style, Style, Style]:
        """The widget's Rich style, the digits' and the padding's.

        Kept while :attr:`visual_style` is the same object, as :class:`LineBar` does.
        """
        visual = self.visual_style
        cached = self._style_cache
        if cached is not None and cached[0] is visual:
            return cached[1]
        base = visual.rich_style
        style = self.rich_style
        styles = (style, base + (style + Style(meta={"offset": (0, 0)})), base + style)
        self._style_cache = (visual, styles)
        return styles

    def render_line(self, y: int) -> Strip:
        """One of the digits' three lines, centred, left or right as the CSS says.

        Args:
            y: The line, from the top of the content.
        """
        value = self.value
        width = self.size.width
        text_width = DigitsRenderable.get_width(value)
        align = self.styles.text_align
        if (
            not value
            or self.text_selection
            or text_width > width
            or align not in ("left", "center", "right")
        ):
            return super().render_line(y)  # empty, cropped or selected: Textual's own
        base = self.visual_style.rich_style
        if not 0 <= y < 3:
            return Strip.blank(width, base)
        style, digit_style, pad_style = self._styles()
        segments = []
        excess = width - text_width
        left = {"left": 0, "center": excess // 2, "right": excess}[cast(str, align)]
        if left:
            segments.append(Segment(" " * left, pad_style))
        segments.append(Segment(digit_row(value, y, bold=bool(style.bold)), digit_style))
        if excess - left and align != "right":
            segments.append(Segment(" " * (excess - left), pad_style))
        return Strip(segments, width)


def digit_row(value: str, y: int, *, bold: bool) -> str:
    """Row ``y`` (0-2) of ``value`` in Textual's 3x3 digit font, as its renderable draws it."""
    font = DIGITS3X3_BOLD if bold else DIGITS3X3
    pieces = []
    for character in value.translate(DigitsRenderable.REPLACEMENTS):
        position = DIGITS.find(character)
        if position < 0:
            pieces.append(character if y == 2 else " ")
        else:
            pieces.append(font[position * 3 + y].ljust(3))
    return "".join(pieces)


class LineLabel(Static):
    """A :class:`Static` for one line of plain text (never markup), drawn by the line API.

    Args:
        text: What it shows first.
        id: The widget's id.
        classes: Its CSS classes.
    """

    def __init__(
        self, text: str = "", *, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(text, markup=False, id=id, classes=classes)
        self._text: str | None = text

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        """Show ``content`` (plain text, for the fast path).

        Args:
            content: What to show.
            layout: Whether the screen's layout must be redone (its width changed).
        """
        self._text = content if isinstance(content, str) else None
        super().update(content, layout=layout)

    def render_line(self, y: int) -> Strip:
        """The text's one line, aligned as the CSS says, or a blank one below it.

        Args:
            y: The line, from the top of the content.
        """
        text = self._text
        width = self.size.width
        styles = self.styles
        align = styles.text_align
        if (
            not text
            or not text.isprintable()
            or text != text.strip()
            or cell_len(text) > width
            or align not in ("left", "start", "center", "right", "end")
            or tuple(styles.content_align) != ("left", "top")
            or styles.line_pad
            or self.text_selection
        ):
            return super().render_line(y)  # several lines, cropped, selected: Textual's own
        style = self.visual_style
        if y != 0:
            return Strip.blank(width, style.rich_style)
        # What Content's formatted line does for text without spans.
        excess = width - cell_len(text)
        left = {"center": excess // 2, "right": excess, "end": excess}.get(str(align), 0)
        right = excess - left if align == "center" else 0
        pad = style.background_style.rich_style
        segments = [Segment(" " * left, pad)] if left else []
        segments.append(Segment(text, (style + style).rich_style_with_offset(0, 0)))
        if right:
            segments.append(Segment(" " * right, pad))
        return Strip(segments, left + cell_len(text) + right)
