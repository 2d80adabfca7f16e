"""The routine preview: what a routine is, what to watch for, and each step with its time.

A step's picture (its ``image``) is named in words under the step, and drawn
below the steps where the terminal can (see :mod:`stretch_coach.tui.widgets.picture`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import VerticalGroup, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from stretch_coach.words import step_time, step_work, timeline_total_text

if TYPE_CHECKING:
    from stretch_coach.catalog import Listed
    from stretch_coach.routine.library import Entry


class RoutinePreview(VerticalScroll):
    """Shows one library entry: summary, cautions (its includes' too), steps, total; or an
    invalid file's problems."""

    DEFAULT_CSS = """
    #preview-pictures {
        display: none;  /* until a routine has a picture to draw */
        height: auto;
        margin: 0 0 1 0;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Preview"
        self._pictures_key: tuple[object, ...] = ()

    def compose(self) -> ComposeResult:
        yield Static(id="preview-head")
        yield Static(id="preview-caution")
        yield Static(id="preview-steps")
        yield VerticalGroup(id="preview-pictures")
        yield Static(id="preview-total")
        yield Static(id="preview-source")

    def show_loading(self, row: Listed) -> None:
        """What can be said of a routine while the library is still being read."""
        self.scroll_home(animate=False)
        self.query_one("#preview-head", Static).update(
            Content.assemble((row.title, "bold"), "\n", ("Loading…", "dim"))
        )
        for part in ("#preview-caution", "#preview-steps", "#preview-total", "#preview-source"):
            self.query_one(part).display = False
        self._show_pictures([])

    def show(self, entry: Entry | None, prepare: float | None = None) -> None:
        """Show ``entry`` (``None``: nothing matches the filter)."""
        head = self.query_one("#preview-head", Static)
        caution = self.query_one("#preview-caution", Static)
        steps = self.query_one("#preview-steps", Static)
        total = self.query_one("#preview-total", Static)
        source = self.query_one("#preview-source", Static)
        self.scroll_home(animate=False)
        source.display = False
        if entry is None or not entry.valid or entry.routine is None:
            self._show_pictures([])
        if entry is None:
            head.update(Content.styled("No routine matches the filter.", "dim"))
            for part in (caution, steps, total):
                part.display = False
            return
        if not entry.valid or entry.routine is None:
            head.update(
                Content.assemble(
                    (entry.title, "bold"),
                    "\n",
                    (entry.shown, "dim"),
                    "\n\n",
                    ("This file is not a valid routine:", "$text-error bold"),
                )
            )
            caution.display = total.display = False
            steps.display = True
            steps.update(Content("\n".join(str(p) for p in entry.problems)))
            return
        routine = entry.routine
        from stretch_coach.timeline import timeline_for

        timeline = timeline_for(entry, prepare)
        parts: list[str | tuple[str, str] | Content] = [(routine.title, "bold")]
        if routine.summary:
            parts += ["\n", routine.summary]
        facts = []
        if routine.tags:
            facts.append(" · ".join(routine.tags))
        facts.append(f"id {routine.id}")
        parts += ["\n", (" — ".join(facts), "dim")]
        head.update(Content.assemble(*parts))
        from stretch_coach.routine.library import cautions_of

        cautions = cautions_of(entry)  # its own, then its includes'
        caution.display = bool(cautions)
        if cautions:
            lines: list[str | tuple[str, str]] = [("Caution", "bold $text-warning")]
            if routine.urgent:
                lines.append(("  (shown beside the steps as it runs)", "dim"))
            for line in cautions:
                lines += ["\n", ("• ", "$text-warning"), line.strip()]
            caution.update(Content.assemble(*lines))
        steps.display = total.display = True
        # Plain lines, not a table: they wrap cleanly at any width.
        width = len(str(len(timeline.steps)))
        rows: list[str | tuple[str, str]] = []
        for index, planned in enumerate(timeline.steps):
            detail = step_work(planned)
            number = f"{index + 1}.".rjust(width + 1)
            rows += [
                "\n" if rows else "",
                (number, "dim"),
                " ",
                (planned.name, "bold"),
                ("  " + step_time(timeline, index), "$text-accent"),
                "\n",
                " " * (width + 2),
                (detail, "dim"),
            ]
            if planned.step.image is not None:
                rows += ["\n", " " * (width + 2), (f"Picture: {planned.step.image.name}", "dim")]
        steps.update(Content.assemble(*rows))
        self._show_pictures(
            [
                (f"{index + 1}. {planned.name}", planned.step.image.path)
                for index, planned in enumerate(timeline.steps)
                if planned.step.image is not None
            ]
        )
        note = (
            ""
            if prepare is None
            else f"  (get ready {prepare:g} s before each timed step: your setting)"
        )
        total.update(
            Content.assemble(("Total ", "bold"), timeline_total_text(timeline), (note, "dim"))
        )
        if routine.source:  # last: it matters to practitioners, less at bedtime
            source.display = True
            source.update(Content.styled(f"Source: {routine.source.strip()}", "dim"))

    def _show_pictures(self, pictures: list[tuple[str, Path]]) -> None:
        """Draw the steps' pictures (title, file) where the terminal can; else nothing here.

        The pictures are named in words in the step list either way.
        """
        from stretch_coach.tui.widgets.picture import can_draw, drawable

        shown = [(title, path) for title, path in pictures if drawable(path)]
        if shown and not can_draw(self.app):
            shown = []
        key = tuple(shown)
        if key == self._pictures_key:
            return  # the same pictures (the list redrew the same routine): keep them
        self._pictures_key = key
        box = self.query_one("#preview-pictures", VerticalGroup)
        box.remove_children()
        box.display = bool(shown)
        if shown:
            from stretch_coach.tui.widgets.picture import StepPicture

            box.mount_all(StepPicture(path, title) for title, path in shown)
