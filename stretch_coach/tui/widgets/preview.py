"""The routine preview: what a routine is, what to watch for, and each step with its time."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from stretch_coach.words import step_time, step_work, timeline_total_text

if TYPE_CHECKING:
    from stretch_coach.catalog import Listed
    from stretch_coach.routine.library import Entry


class RoutinePreview(VerticalScroll):
    """Shows one library entry: summary, cautions (its includes' too), steps, total; or an
    invalid file's problems."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Preview"

    def compose(self) -> ComposeResult:
        yield Static(id="preview-head")
        yield Static(id="preview-caution")
        yield Static(id="preview-steps")
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

    def show(self, entry: Entry | None, prepare: float | None = None) -> None:
        """Show ``entry`` (``None``: nothing matches the filter)."""
        head = self.query_one("#preview-head", Static)
        caution = self.query_one("#preview-caution", Static)
        steps = self.query_one("#preview-steps", Static)
        total = self.query_one("#preview-total", Static)
        source = self.query_one("#preview-source", Static)
        self.scroll_home(animate=False)
        source.display = False
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
        steps.update(Content.assemble(*rows))
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
