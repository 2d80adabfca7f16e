"""A step's picture in the terminal, drawn in coloured half blocks, or named in words.

Each character cell shows two pixels, one above the other: the upper half
block ``▀`` in the upper pixel's colour on the lower pixel's. Every terminal
that shows colour can draw that, so there is no terminal to ask what it
supports (a question that races the keyboard for the answer) and nothing to
install beyond Pillow, whose wheels carry their own libraries. Where the
picture cannot be drawn (an SVG, which Pillow does not read; a file that
does not decode; a terminal without colour, or ``NO_COLOR``) the preview names
it in words instead.

Decoding runs in a worker thread, so a large picture never holds up the list;
what was decoded is kept (small) for the next time the same file is shown.
"""

from __future__ import annotations

import math
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.content import Content
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget

if TYPE_CHECKING:
    from PIL.Image import Image
    from textual.app import App

#: Widest a picture is drawn, in columns (it is also never drawn wider than the preview).
MAX_COLUMNS = 40
#: Highest a picture is drawn, in rows (a tall one is drawn narrower).
MAX_ROWS = 20
#: Largest picture decoded, in pixels: more is a decompression bomb, not an exercise.
MAX_PIXELS = 40_000_000
#: Colour systems that can show a picture in half blocks (Rich's names).
DRAWING_COLOURS = frozenset({"256", "truecolor", "windows"})
#: The upper half block: its colour is the upper pixel, its background the lower.
UPPER_HALF = "▀"

_cache: dict[tuple[str, int, int], Image | None] = {}
_cache_lock = threading.Lock()


def can_draw(app: App[object]) -> bool:
    """Whether ``app``'s terminal can show a picture in coloured half blocks."""
    if getattr(app, "no_color", False):
        return False
    return app.console.color_system in DRAWING_COLOURS


def drawable(path: Path) -> bool:
    """Whether a picture file is of a kind the coach can draw (PNG or JPEG, not SVG)."""
    return path.suffix.lower() in (".png", ".jpg", ".jpeg")


def _key(path: Path) -> tuple[str, int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (str(path), stat.st_mtime_ns, stat.st_size)


def cached(path: Path) -> tuple[bool, Image | None]:
    """``(True, image)`` when ``path`` (as it is now) was decoded before, else ``(False, None)``."""
    key = _key(path)
    with _cache_lock:
        if key is not None and key in _cache:
            return True, _cache[key]
    return False, None


def load(path: Path) -> Image | None:
    """A small RGBA copy of the picture at ``path``, or ``None`` where it cannot be drawn.

    At most :data:`MAX_COLUMNS` pixels wide and twice :data:`MAX_ROWS` high
    (two pixels a cell), so that drawing it at any width is cheap. Never
    raises: a picture that cannot be read is named in words instead.
    """
    found, image = cached(path)
    if found:
        return image
    key = _key(path)
    image = _decode(path) if drawable(path) else None
    if key is not None:
        with _cache_lock:
            _cache[key] = image
    return image


def _decode(path: Path) -> Image | None:
    from PIL import Image as PILImage

    try:
        with PILImage.open(path) as source:
            if source.format not in ("PNG", "JPEG"):
                return None
            width, height = source.size
            if width <= 0 or height <= 0 or width * height > MAX_PIXELS:
                return None
            box = (MAX_COLUMNS, MAX_ROWS * 2)
            source.draft("RGB", box)  # a JPEG decodes at a fraction of its size
            image = source.convert("RGBA")
            image.thumbnail(box)
            return image
    except Exception:  # any file Pillow cannot read: the preview names it in words instead
        return None


def fit(image: Image, room: int) -> tuple[int, int]:
    """(columns, rows) the picture is drawn in, given ``room`` columns.

    As wide as the room allows, up to :data:`MAX_COLUMNS`, and no higher
    than :data:`MAX_ROWS`; the aspect ratio is kept (a cell is about twice as
    high as it is wide, so it holds two pixels, one above the other).
    """
    tallest = math.floor(MAX_ROWS * 2 * image.width / image.height)
    columns = max(1, min(room, MAX_COLUMNS, tallest))
    return columns, max(1, math.ceil(image.height * columns / image.width / 2))


def half_block_rows(
    image: Image, room: int, background: tuple[int, int, int]
) -> list[list[tuple[tuple[int, int, int], tuple[int, int, int]]]]:
    """The picture drawn in ``room`` columns, as rows of (upper, lower) cell colours.

    Transparent pixels take ``background``. A small picture is enlarged by
    repeating its pixels (crisp, as a drawing should stay); a large one is
    reduced smoothly.
    """
    from PIL import Image as PILImage

    columns, rows = fit(image, room)
    size = (columns, rows * 2)
    smaller = size[0] < image.width
    resample = PILImage.Resampling.LANCZOS if smaller else PILImage.Resampling.NEAREST
    scaled = image.resize(size, resample)
    flat = PILImage.new("RGBA", scaled.size, (*background, 255))
    flat.alpha_composite(scaled)
    pixels = flat.convert("RGB").load()
    assert pixels is not None
    out = []
    for row in range(rows):
        line = []
        for column in range(columns):
            upper = pixels[column, 2 * row]
            lower = pixels[column, 2 * row + 1]
            assert isinstance(upper, tuple) and isinstance(lower, tuple)
            line.append(((upper[0], upper[1], upper[2]), (lower[0], lower[1], lower[2])))
        out.append(line)
    return out


class StepPicture(Widget):
    """A step's picture, drawn once decoded (in a thread); nothing while it is not.

    Args:
        path: the picture file (PNG or JPEG).
        title: what it shows, on its frame (the step's number and name).
    """

    DEFAULT_CSS = """
    StepPicture {
        width: auto;
        height: auto;
        max-width: 42;
        border: round $primary 40%;
        border-title-color: $text-muted;
    }
    """

    def __init__(self, path: Path, title: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.path = path
        # The step's name, as written: a str border title would be read as markup.
        self.border_title = Content(title)
        self.image: Image | None = None
        #: Whether decoding is over (``image`` is ``None`` when it failed).
        self.loaded = False
        self._rows: dict[tuple[int, tuple[int, int, int]], list[Strip]] = {}

    def on_mount(self) -> None:
        found, image = cached(self.path)
        if found:
            self._loaded(image)
        else:
            self.run_worker(self._load, thread=True, exit_on_error=False, group="pictures")

    def _load(self) -> None:
        image = load(self.path)
        if self.is_attached:
            self.app.call_from_thread(self._loaded, image)

    def _loaded(self, image: Image | None) -> None:
        self.image, self.loaded = image, True
        # A picture that cannot be drawn takes no room: the step list names it in words.
        self.display = image is not None
        self.refresh(layout=True)

    # -- size and drawing ---------------------------------------------------------

    def get_content_width(self, container: Size, viewport: Size) -> int:
        if self.image is None:
            return 0
        return fit(self.image, container.width)[0]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if self.image is None or width <= 0:
            return 0
        return fit(self.image, width)[1]

    def _strips(self, columns: int) -> list[Strip]:
        assert self.image is not None
        bg = self.background_colors[1]
        background = (bg.r, bg.g, bg.b)
        key = (columns, background)
        if key not in self._rows:
            strips = []
            for row in half_block_rows(self.image, columns, background):
                segments = [
                    Segment(UPPER_HALF, Style.from_color(_colour(upper), _colour(lower)))
                    for upper, lower in row
                ]
                strips.append(Strip(segments, len(segments)))
            self._rows = {key: strips}  # one width at a time: the preview's
        return self._rows[key]

    def render_line(self, y: int) -> Strip:
        width = self.content_size.width
        if self.image is None or width <= 0:
            return Strip.blank(width)
        strips = self._strips(width)
        return strips[y] if 0 <= y < len(strips) else Strip.blank(width)


def _colour(rgb: tuple[int, int, int]) -> Color:
    return Color.from_rgb(*rgb)
