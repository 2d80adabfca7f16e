"""Stylesheets kept beside the screens they style, read as the screens' ``DEFAULT_CSS``.

A screen's ``CSS_PATH`` makes Textual re-parse every stylesheet of the app
and re-apply them to every widget the first time the screen opens (about
150 ms here); ``DEFAULT_CSS`` only adds the screen's own rules. The rules are
not scoped to the screen, so they read as in the file.
"""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).parent


def stylesheet(name: str) -> str:
    """The text of ``screens/<name>``, for a screen's ``DEFAULT_CSS``."""
    return (_HERE / "screens" / name).read_text(encoding="utf-8")
