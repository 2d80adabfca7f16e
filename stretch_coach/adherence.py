"""A program's adherence, week by week, for the patient to send to their practitioner.

``stretch-coach report --program PROGRAM``: for each program week from the
start day up to today, the stage and its dose, the sessions due and those
done (only sessions that count, played from the program, by program day:
03:00 to 03:00), and the cramps logged in the diary that week beside them.

:func:`build` gathers one JSON-ready dict (the ``json`` format is exactly
that); Markdown, HTML (one printable page with a chart, from an autoescaped
Jinja2 template) and CSV (a row a week) are drawn from it, so they cannot
disagree. Text from the records is data in every format.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from stretch_coach import __version__, agenda

if TYPE_CHECKING:
    from stretch_coach.history.store import HistoryStore
    from stretch_coach.routine.stages import ProgramEntry

FORMAT_NAME = "stretch-coach-program-report"
FORMAT_VERSION = 1
FORMATS: tuple[str, ...] = ("md", "html", "csv", "json")


def build(
    entry: ProgramEntry, start: date, store: HistoryStore, *, current: datetime | None = None
) -> dict[str, Any]:
    """The report of ``entry`` followed from ``start``, up to the program day of ``current``."""
    program = entry.program
    assert program is not None and entry.valid
    current = current or agenda.now()
    today = agenda.program_day(current)
    sessions = store.program_sessions(entry.id, since=start)
    cramps = store.cramps(since=start - timedelta(days=1), until=current)
    last_week = agenda.week_of(start, today)
    if program.after == "stop":
        last_week = min(last_week, program.weeks)
    weeks = []
    for week in range(1, last_week + 1):
        first = start + timedelta(days=7 * (week - 1))
        end = first + timedelta(days=6)
        upto = min(end, today)
        stage = entry.stage_for_week(week)
        due = (
            sum(program.schedule.due_on(d) for d in range((upto - first).days + 1))
            if stage is not None
            else 0
        )
        played = [s for s in sessions if first <= agenda.program_day(s.started_at) <= end]
        logged = [c for c in cramps if first <= agenda.program_day(c.at) <= end]
        severities = [c.severity for c in logged if c.severity is not None]
        efforts = [s.effort for s in played if s.effort is not None]
        pains = [s.pain for s in played if s.pain is not None]
        weeks.append(
            {
                "week": week,
                "from": first.isoformat(),
                "to": end.isoformat(),
                "stage": stage.number if stage is not None else None,
                "routine": stage.routine.id if stage is not None else None,
                "dose": _dose(stage) if stage is not None else None,
                "due": due,
                "done": sum(1 for s in played if s.counts),
                "sessions": len(played),
                "cramps": len(logged),
                "worst_severity": max(severities) if severities else None,
                # The ratings given at the summaries of that week's sessions.
                "effort": round(sum(efforts) / len(efforts), 1) if efforts else None,
                "pain": round(sum(pains) / len(pains), 1) if pains else None,
            }
        )
    from stretch_coach.timeline import plan_total

    stages = []
    for stage in entry.stages:
        total, untimed = plan_total(stage.entry)
        stages.append(
            {
                "stage": stage.number,
                "weeks": [stage.first_week, stage.last_week],
                "routine": stage.routine.id,
                "dose": _dose(stage),
                "total_seconds": total,
                "untimed_steps": untimed,
            }
        )
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "generated_at": current.isoformat(timespec="seconds"),
        "generated_by": f"stretch-coach {__version__}",
        "program": {
            "id": program.id,
            "title": program.title,
            "schedule": program.schedule.text,
            "after": program.after,
            "weeks": program.weeks,
            "start": start.isoformat(),
        },
        "until": today.isoformat(),
        "stages": stages,
        "weeks": weeks,
        "due": sum(w["due"] for w in weeks),
        "done": sum(w["done"] for w in weeks),
    }


def _dose(stage: Any) -> str:
    from stretch_coach.routine.stages import changes_text

    text = changes_text(stage)
    return "as written" if text == "as written" else text


# -- drawing it -----------------------------------------------------------------------------


def render(data: dict[str, Any], fmt: str) -> str:
    """The report in ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        return _csv(data)
    if fmt == "html":
        return _html(data)
    if fmt == "md":
        return _markdown(data)
    raise ValueError(f"unknown report format {fmt!r}")


def _title(data: dict[str, Any]) -> str:
    return f"{data['program']['title']}: sessions week by week"


def _intro(data: dict[str, Any]) -> str:
    program = data["program"]
    return (
        f"Program {program['id']} ({program['schedule']}, {program['weeks']} weeks), followed "
        f"from {program['start']} to {data['until']}. Sessions done: {data['done']} of "
        f"{data['due']} due. Only sessions at least half done count; a day runs from 03:00 "
        "to 03:00. Effort and pain are the means of the ratings (0 to 10) given after the "
        f"week's sessions. Made by {data['generated_by']} on {data['generated_at'][:10]}."
    )


_HEADERS = (
    "Week",
    "From",
    "Stage",
    "Dose",
    "Due",
    "Done",
    "Effort",
    "Pain",
    "Cramps",
    "Worst severity",
)


def _mean(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _rows(data: dict[str, Any]) -> list[tuple[str, ...]]:
    return [
        (
            str(w["week"]),
            w["from"],
            "-" if w["stage"] is None else str(w["stage"]),
            w["dose"] or "(complete)",
            str(w["due"]),
            str(w["done"]),
            _mean(w["effort"]),
            _mean(w["pain"]),
            str(w["cramps"]),
            "-" if w["worst_severity"] is None else str(w["worst_severity"]),
        )
        for w in data["weeks"]
    ]


def _stage_rows(data: dict[str, Any]) -> list[tuple[str, ...]]:
    from stretch_coach.words import total_text

    return [
        (
            str(s["stage"]),
            f"{s['weeks'][0]}-{s['weeks'][1]}",
            s["routine"],
            s["dose"],
            total_text(s["total_seconds"], s["untimed_steps"]),
        )
        for s in data["stages"]
    ]


def _markdown(data: dict[str, Any]) -> str:
    from stretch_coach.history.render import _md, _md_cell

    def table(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
        return [
            "| " + " | ".join(_md_cell(h) for h in headers) + " |",
            "|" + "---|" * len(headers),
            *("| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows),
            "",
        ]

    lines = [f"# {_md(_title(data))}", "", _md(_intro(data)), "", "## Stages", ""]
    lines += table(("Stage", "Weeks", "Routine", "Dose", "Total"), _stage_rows(data))
    lines += ["## Week by week", ""]
    lines += table(_HEADERS, _rows(data))
    return "\n".join(lines)


def _html(data: dict[str, Any]) -> str:
    from stretch_coach.history.render import _template, safe_text

    def clean(rows: list[tuple[str, ...]]) -> list[list[str]]:
        return [[safe_text(cell) for cell in row] for row in rows]

    return _template("program_report.html.j2").render(
        title=safe_text(_title(data)),
        intro=safe_text(_intro(data)),
        stage_headers=("Stage", "Weeks", "Routine", "Dose", "Total"),
        stages=clean(_stage_rows(data)),
        headers=_HEADERS,
        rows=clean(_rows(data)),
        chart=_chart(data["weeks"]),
    )


def _chart(weeks: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Bars per week: sessions due, sessions done, cramps. Numbers only; the template draws."""
    if not weeks:
        return None
    width, height, left, top, bottom = 720, 230, 34, 16, 40
    plot_w, plot_h = width - left - 8, height - top - bottom
    top_value = max(1, *(max(w["due"], w["done"], w["cramps"]) for w in weeks))
    slot = plot_w / len(weeks)
    bar = slot * 0.26
    bars = []
    for i, week in enumerate(weeks):
        x = left + i * slot + slot * 0.1
        for n, (series, colour) in enumerate(
            (("due", "#bbbbbb"), ("done", "#5b8fbf"), ("cramps", "#b5432f"))
        ):
            value = week[series]
            h = plot_h * value / top_value
            bars.append(
                {
                    "x": f"{x + n * bar:.1f}",
                    "y": f"{top + plot_h - h:.1f}",
                    "width": f"{bar:.1f}",
                    "height": f"{h:.1f}",
                    "colour": colour,
                    "title": f"week {week['week']}: {value} {series}",
                }
            )
    return {
        "width": width,
        "height": height,
        "left": left,
        "right_edge": width - 8,
        "bottom_edge": top + plot_h,
        "label_y": top + plot_h + 14,
        "bars": bars,
        "labels": [
            {"x": f"{left + i * slot + slot * 0.1:.1f}", "text": f"w{w['week']}"}
            for i, w in enumerate(weeks)
            if i % max(1, round(len(weeks) / 12)) == 0
        ],
        "top_value": top_value,
        "legend": [
            {"x": left, "colour": "#bbbbbb", "label": "sessions due"},
            {"x": left + 110, "colour": "#5b8fbf", "label": "sessions done"},
            {"x": left + 230, "colour": "#b5432f", "label": "cramps"},
        ],
    }


def _csv(data: dict[str, Any]) -> str:
    from stretch_coach.history.render import csv_cell

    out = io.StringIO()
    writer = csv.writer(out)
    columns = ("week", "from", "to", "stage", "routine", "dose", "due", "done", "sessions")
    extra = ("effort", "pain", "cramps", "worst_severity")
    writer.writerow((*columns, *extra))
    for week in data["weeks"]:
        writer.writerow(
            csv_cell("" if week[key] is None else week[key]) for key in (*columns, *extra)
        )
    return out.getvalue()
