"""Fonts for the PDF handout: DejaVu Sans shipped in the wheel, and a system font for the rest.

DejaVu Sans (``fonts/``, with its licence) covers Latin, Greek and Cyrillic.
For other scripts (Japanese, say) the PDF needs a font of this computer that
covers the text: found through fontconfig's ``fc-list`` where it exists, else
by looking through the usual font folders. A handout whose text no font
covers is refused with a line that points to the HTML handout: a PDF never
shows empty boxes in place of words.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

FONT_DIR = Path(__file__).parent / "fonts"
REGULAR = FONT_DIR / "DejaVuSans.ttf"
BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
#: Font files fpdf2 can embed.
FONT_SUFFIXES = (".ttf", ".otf", ".ttc")
#: Most font files read when looking through folders without fontconfig.
MAX_SCANNED_FONTS = 3000


@functools.lru_cache(maxsize=32)
def coverage(path: Path) -> frozenset[int]:
    """The code points a font file has glyphs for (empty if it cannot be read)."""
    from fontTools.ttLib import TTFont

    try:
        with TTFont(str(path), lazy=True, fontNumber=0) as font:
            cmap = font.getBestCmap() or {}
    except Exception:  # a broken or unsupported font file is just not a candidate
        return frozenset()
    return frozenset(cmap)


def missing(texts: Iterable[str], covered: frozenset[int]) -> list[str]:
    """The characters of ``texts`` a font does not cover, in order of first use.

    White space and control characters are left out: they are laid out, not drawn.
    """
    seen: dict[str, None] = {}
    for text in texts:
        for char in text:
            if char.isspace() or ord(char) < 32 or ord(char) in covered or char in seen:
                continue
            seen[char] = None
    return list(seen)


def _fc_list(chars: list[str]) -> list[Path]:
    exe = shutil.which("fc-list")
    if exe is None:
        return []
    charset = " ".join(f"{ord(c):x}" for c in chars)
    try:
        out = subprocess.run(
            [exe, "--format", "%{file}\\n", f":charset={charset}"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [Path(line) for line in out.splitlines() if line.strip()]


def font_folders() -> list[Path]:
    """The usual places of a computer's fonts."""
    home = Path.home()
    folders = [
        Path("/usr/share/fonts"),
        Path("/usr/local/share/fonts"),
        home / ".local/share/fonts",
        home / ".fonts",
        Path("/Library/Fonts"),
        Path("/System/Library/Fonts"),
        home / "Library/Fonts",
    ]
    if sys.platform == "win32":
        windir = os.environ.get("WINDIR", r"C:\Windows")
        folders.append(Path(windir) / "Fonts")
    return folders


def _scan(folders: Iterable[Path]) -> Iterator[Path]:
    count = 0
    for folder in folders:
        for root, _, files in os.walk(folder):
            for name in sorted(files):
                if name.lower().endswith(FONT_SUFFIXES):
                    count += 1
                    if count > MAX_SCANNED_FONTS:
                        return
                    yield Path(root) / name


def _regular_first(path: Path) -> tuple[int, str]:
    styled = any(w in path.stem.lower() for w in ("bold", "italic", "oblique", "light", "thin"))
    return (int(styled), path.name)


def system_font_for(chars: list[str], folders: Iterable[Path] | None = None) -> Path | None:
    """A font file of this computer that covers every one of ``chars``, or ``None``.

    Args:
        chars: the characters to cover.
        folders: where to look when fontconfig is not there (default: :func:`font_folders`).
    """
    needed = {ord(c) for c in chars}
    candidates = sorted(_fc_list(chars), key=_regular_first) if folders is None else []
    for path in candidates:
        if needed <= coverage(path):
            return path
    for path in _scan(font_folders() if folders is None else folders):
        if needed <= coverage(path):
            return path
    return None
