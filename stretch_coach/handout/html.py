"""The handout as one self-contained HTML page, from a Jinja2 template with autoescaping.

Every piece of text from the routine or the command line goes through the
template's autoescaping, so it can never become markup. Pictures are
embedded as ``data:`` URIs in ``<img>`` elements (never inline SVG, whose
scripts and links a browser would honour), so the page needs no other file.
"""

from __future__ import annotations

import base64
from pathlib import Path

from stretch_coach.handout.document import LABELS, Handout

_TEMPLATES = Path(__file__).parent / "templates"


def data_uri(path: Path, media_type: str) -> str | None:
    """``path`` as a ``data:`` URI, or ``None`` if it can no longer be read."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"


def render_html(handout: Handout) -> str:
    """The handout as a complete HTML document."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    pictures = {
        step.number: data_uri(step.picture.path, step.picture.media_type)
        for step in handout.steps
        if step.picture is not None
    }
    return env.get_template("handout.html.j2").render(h=handout, labels=LABELS, pictures=pictures)
