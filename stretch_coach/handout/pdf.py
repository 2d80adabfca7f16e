"""The handout as a PDF, drawn with fpdf2 from the same document model as the HTML page.

The fonts are embedded: DejaVu Sans from the package for Latin, Greek and
Cyrillic, and a system font for any other script the text uses (see
:mod:`stretch_coach.handout.fonts`). Text is drawn as text, never read as
markup (``markdown=False``), and pictures load no other resource.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from stretch_coach.errors import UserError
from stretch_coach.handout import fonts
from stretch_coach.handout.document import LABELS, Handout

FAMILY = "DejaVu"
FALLBACK = "Fallback"
#: Sizes in points.
TITLE, HEADING, STEP, BODY, SMALL = 20, 14, 12.5, 11, 9
#: Largest picture on the page, in millimetres.
PICTURE_WIDTH, PICTURE_HEIGHT = 70.0, 60.0


class UncoveredText(UserError):
    """The handout uses characters no font of this computer can draw."""


def check_fonts(handout: Handout) -> Path | None:
    """The system font the PDF needs besides DejaVu Sans (``None`` if none is needed).

    Raises:
        UncoveredText: when some characters are covered by no font found.
    """
    texts = handout.texts()
    needed = fonts.missing(texts, fonts.coverage(fonts.REGULAR))
    if not needed:
        return None
    found = fonts.system_font_for(needed)
    if found is not None:
        return found
    sample = "".join(needed[:8])
    raise UncoveredText(
        f"the PDF cannot show {sample!r}: no font on this computer covers it "
        "(install one, e.g. Noto Sans CJK for Japanese); the HTML handout shows every "
        "script: -o FILE.html"
    )


def render_pdf(handout: Handout) -> bytes:
    """The handout as PDF bytes.

    fpdf2's own notes (an SVG tag it skips, a missing viewBox) are kept off
    the terminal: the handout is made all the same, and a picture it cannot
    draw at all is named in words.

    Raises:
        UncoveredText: when some of its text no font found can draw.
    """
    import logging
    import warnings

    fpdf_log = logging.getLogger("fpdf")
    level = fpdf_log.level
    fpdf_log.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _render(handout)
    finally:
        fpdf_log.setLevel(level)


def _render(handout: Handout) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import ResourceAccessPolicy, XPos, YPos

    extra = check_fonts(handout)

    class _PDF(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(FAMILY, "", SMALL)
            self.set_text_color(90)
            self.cell(0, 5, f"{handout.title} · {self.page_no()}/{{nb}}", align="C")
            self.set_text_color(0)

    pdf = _PDF(format="A4")
    # no network and no other file: a picture is drawn from its own bytes only
    pdf.resource_access_policy = ResourceAccessPolicy.NONE
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_font(FAMILY, "", str(fonts.REGULAR))
    pdf.add_font(FAMILY, "B", str(fonts.BOLD))
    if extra is not None:
        pdf.add_font(FALLBACK, "", str(extra))
        pdf.set_fallback_fonts([FALLBACK], exact_match=False)
    pdf.set_title(handout.title)
    pdf.set_creator("stretch-coach")
    if handout.author:
        pdf.set_author(handout.author)
    pdf.add_page()

    def para(text: str, size: float = BODY, style: str = "", gap: float = 1.5) -> None:
        pdf.set_font(FAMILY, style, size)
        pdf.multi_cell(
            0,
            size * 0.5,
            text,
            align="L",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
            markdown=False,
        )
        pdf.ln(gap)

    def labelled(label: str, text: str) -> None:
        para(f"{label}: {text}", BODY)

    def heading(text: str) -> None:
        # keep a heading with at least a few lines of what follows it
        if pdf.get_y() > pdf.h - pdf.b_margin - 30:
            pdf.add_page()
        pdf.ln(3)
        para(text, HEADING, "B", gap=0.5)
        pdf.set_draw_color(150)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
        pdf.ln(2.5)

    para(handout.title, TITLE, "B", gap=2)
    if handout.summary:
        para(handout.summary, STEP)
    if handout.patient:
        labelled(LABELS["for"], handout.patient)
    labelled(LABELS["total"], handout.total)
    if handout.note:
        para(f"{LABELS['note']}:", BODY, "B", gap=0.5)
        para(handout.note, BODY)
    if handout.description:
        para(handout.description, BODY)

    if handout.cautions:
        heading(LABELS["cautions"])
        for line in handout.cautions:
            # a hanging indent: the lines of a caution line up after its bullet
            pdf.set_font(FAMILY, "", BODY)
            pdf.cell(5, BODY * 0.5, "•")
            para(" ".join(line.split()), BODY, gap=1)

    heading(LABELS["steps"])
    for step in handout.steps:
        if pdf.get_y() > pdf.h - pdf.b_margin - 25:
            pdf.add_page()
        para(f"{step.number}. {step.name}", STEP, "B", gap=0.5)
        para(step.how_much, BODY, "B", gap=1)
        if step.instructions:
            para(step.instructions, BODY, gap=1)
        if step.picture is not None:
            _picture(pdf, step.picture.path, f"{LABELS['picture']}: {step.picture.name}", para)
        pdf.ln(2)

    if handout.source:
        heading(LABELS["source"])
        para(handout.source, BODY)
    if handout.author:
        labelled(LABELS["author"], handout.author)
    heading(LABELS["how_to"])
    for how in handout.how_to:
        para(how.text, BODY, gap=0.5)
        para(how.command, BODY, "B", gap=2)
    return bytes(pdf.output())


def _picture(pdf: Any, path: Path, words: str, para: Any) -> None:
    """Draw a step's picture within :data:`PICTURE_WIDTH` by :data:`PICTURE_HEIGHT` mm.

    The file is handed over as bytes under a policy that loads nothing else
    (an SVG's links to files or the web are not followed). A picture fpdf2
    cannot draw (an SVG using features it lacks) is named in words instead,
    so the rest of the handout is still made.
    """
    import io

    try:
        data = path.read_bytes()
    except OSError:
        para(words, SMALL)
        return
    if pdf.get_y() + PICTURE_HEIGHT > pdf.h - pdf.b_margin:
        pdf.add_page()
    try:
        pdf.image(
            io.BytesIO(data),
            w=PICTURE_WIDTH,
            h=PICTURE_HEIGHT,
            keep_aspect_ratio=True,
            alt_text=words,
        )
    except Exception:  # fpdf2 raises many kinds for a picture it cannot read
        para(words, SMALL)
        return
    pdf.ln(1)
