"""Draw the report (the dict :func:`stretch_coach.history.report.build` makes)
as md, html, csv or json.

Markdown and HTML come from one list of blocks (:func:`document`), so they say
the same things in the same order; each renderer only decides how a block
looks. The HTML page is self-contained and printable: inline CSS, an inline
SVG chart, no scripts, fonts, images or links to fetch.
"""

from __future__ import annotations

import csv
import html
import io
import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from stretch_coach.history.redflags import ADVICE
from stretch_coach.history.report import DAY_PARTS
from stretch_coach.routine.durations import format_seconds
from stretch_coach.words import plural

FORMATS: tuple[str, ...] = ("md", "html", "csv", "json")
#: How many of the latest weeks the chart and the week table show (the JSON has all).
CHART_WEEKS = 26
TITLE = "Leg cramps and stretching: a summary for the doctor"


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Para:
    text: str


@dataclass(frozen=True)
class Facts:
    """Labelled lines: (label, text)."""

    items: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Chart:
    """Cramps and days stretched per week; Markdown leaves it to the table after it."""

    weeks: tuple[dict[str, Any], ...]
    began: str | None


Block = Heading | Para | Facts | Table | Chart


def render(data: dict[str, Any], fmt: str, *, indent: int | None = 2) -> str:
    """The report in ``fmt`` (one of :data:`FORMATS`).

    Args:
        data: what :func:`stretch_coach.history.report.build` returned.
        fmt: the format.
        indent: JSON indentation; ``None`` writes it compactly, several times
            faster for years of records (the indenting encoder is pure Python).
    """
    if fmt == "json":
        return json.dumps(data, indent=indent, ensure_ascii=False) + "\n"
    if fmt == "csv":
        return to_csv(data)
    if fmt == "html":
        return to_html(data)
    if fmt == "md":
        return to_markdown(data)
    raise ValueError(f"unknown report format {fmt!r}")


# -- what the report says --------------------------------------------------


def document(data: dict[str, Any]) -> list[Block]:
    """The report as a list of blocks, in reading order."""
    period = data["period"]
    summary = data["cramps_summary"]
    blocks: list[Block] = [
        Para(
            f"Period: {_day(period['since'])} to {_day(period['until'])} "
            f"({plural(period['days'], 'day')}). Made by {data['generated_by']} on "
            f"{_day(data['generated_at'][:10])} from the cramps logged in its diary and the "
            "stretching sessions it recorded. It reports what was logged; it is not a diagnosis."
        ),
        Heading("What the doctor may ask"),
        Facts(
            (
                ("When do the cramps happen?", _when(summary)),
                ("Since when?", _since(summary)),
                ("How often?", _how_often(summary)),
                ("Other symptoms?", _symptoms(summary)),
                ("How bad, how long?", _how_bad(summary)),
            )
        ),
        Heading("Reasons to see a doctor found in the diary"),
    ]
    flags = data["red_flags"]
    if flags:
        blocks.append(
            Para(
                "The health information this app follows names these as reasons to "
                "see a doctor; the diary shows them:"
            )
        )
        blocks.append(
            Facts(tuple((_sentence(flag["advice"]), f"{flag['seen']}.") for flag in flags))
        )
    else:
        blocks.append(
            Para(
                "None was logged in this period. The signs looked for: "
                + "; ".join(ADVICE.values())
                + "."
            )
        )
    blocks += _routine_blocks(data["routines"])
    blocks += _comparison_blocks(data["regular_stretching"])
    weeks = tuple(data["weeks"][-CHART_WEEKS:])
    blocks += [
        Heading(
            "Week by week"
            + (f" (the last {len(weeks)} weeks)" if len(data["weeks"]) > CHART_WEEKS else "")
        ),
        Chart(weeks, data["regular_stretching"]["began"]),
        Table(
            ("Week of", "Cramps", "Days stretched", "Sessions"),
            tuple(
                (w["week"], str(w["cramps"]), str(w["days_stretched"]), str(w["sessions"]))
                for w in weeks
            ),
        ),
        Heading("Diary entries"),
    ]
    if data["cramps"]:
        blocks.append(
            Table(
                ("Date", "Time", "Leg", "Muscle", "Lasted", "Severity", "Woke", "Symptoms", "Note"),
                tuple(_diary_row(c) for c in data["cramps"]),
            )
        )
    else:
        blocks.append(Para("No cramps were logged in this period."))
    return blocks


def _when(summary: dict[str, Any]) -> str:
    count = summary["count"]
    if not count:
        return "No cramps were logged in this period."
    words = {key: text for key, text, _, _ in DAY_PARTS}
    parts = sorted(((n, words[k]) for k, n in summary["times_of_day"].items() if n), reverse=True)
    text = "Of " + plural(count, "cramp") + ": " + ", ".join(f"{n} {w}" for n, w in parts)
    hour = max(range(24), key=lambda h: summary["by_hour"][h])
    text += f"; most often between {hour:02d}:00 and {(hour + 1) % 24:02d}:00."
    text += f" {summary['woke']} woke the person up."
    where = [f"{k} {'legs' if k == 'both' else 'leg'} {n}" for k, n in summary["legs"].items()]
    where += [f"{k} {n}" for k, n in summary["muscles"].items()]
    if where:
        text += " Where: " + ", ".join(where) + "."
    return text


def _since(summary: dict[str, Any]) -> str:
    first = summary["first_logged"]
    if first is None:
        return "No cramps are in the diary yet."
    text = f"The first cramp in the diary was on {_day(first[:10])}."
    if summary["first_in_period"] and summary["first_in_period"][:10] != first[:10]:
        text += f" In this period, the first was on {_day(summary['first_in_period'][:10])}."
    return text


def _how_often(summary: dict[str, Any]) -> str:
    recent = summary["last_4_weeks"]
    return (
        f"{plural(summary['count'], 'cramp')} in {plural(summary['days'], 'day')} of the diary: "
        f"about {summary['per_week']:.1f} a week. In the last {plural(recent['days'], 'day')}: "
        f"{recent['count']} ({recent['per_week']:.1f} a week)."
    )


def _symptoms(summary: dict[str, Any]) -> str:
    noted = summary["symptoms"]
    if not noted:
        return "None noted with any cramp."
    return (
        "Noted: "
        + ", ".join(
            f"{name.replace('-', ' ')} (with {plural(n, 'cramp')})" for name, n in noted.items()
        )
        + "."
    )


def _how_bad(summary: dict[str, Any]) -> str:
    severity, duration = summary["severity"], summary["duration"]
    parts = []
    if severity["logged"]:
        parts.append(
            f"Severity (0 to 10) averaged {severity['average']:.1f}, highest "
            f"{severity['highest']} (given for {severity['logged']})."
        )
    if duration["logged"]:
        parts.append(
            f"Cramps typically lasted {format_seconds(duration['median_seconds'])}, "
            f"the longest {format_seconds(duration['longest_seconds'])} "
            f"(given for {duration['logged']})."
        )
    return " ".join(parts) or "Neither severity nor duration was given."


def _routine_blocks(routines: dict[str, Any]) -> list[Block]:
    blocks: list[Block] = [Heading("Stretching routines")]
    if not routines["sessions"]:
        return [*blocks, Para("No stretching sessions were recorded in this period.")]
    blocks.append(
        Para(
            f"{routines['finished']} of {plural(routines['sessions'], 'session')} "
            "were played to the "
            f"end, on {routines['days_with_routine']} of the {plural(routines['days'], 'day')}. "
            f"Current run: {plural(routines['current_streak'], 'day')} in a row; longest: "
            f"{plural(routines['longest_streak'], 'day')}. In the last "
            f"{plural(routines['last_4_weeks']['days'], 'day')}: a routine on "
            f"{routines['last_4_weeks']['days_done']}."
        )
    )
    blocks.append(
        Table(
            ("Routine", "Sessions", "Finished", "Minutes", "First", "Last"),
            tuple(
                (
                    r["title"],
                    str(r["sessions"]),
                    str(r["finished"]),
                    f"{r['minutes']:.0f}",
                    r["first"],
                    r["last"],
                )
                for r in routines["by_routine"]
            ),
        )
    )
    return blocks


def _comparison_blocks(comparison: dict[str, Any]) -> list[Block]:
    blocks: list[Block] = [Heading("Cramps before and after regular stretching began")]
    if comparison["began"] is None:
        return [*blocks, Para(comparison["note"])]
    blocks.append(
        Para(f"Regular stretching ({comparison['rule']}) began on {_day(comparison['began'])}.")
    )
    rows = tuple(
        (
            name,
            side["from"],
            side["to"],
            str(side["days"]),
            str(side["cramps"]),
            f"{side['per_week']:.1f}",
        )
        for name, side in (("Before", comparison["before"]), ("After", comparison["after"]))
        if side["days"] > 0
    )
    if rows:
        blocks.append(Table(("", "From", "To", "Days", "Cramps", "Per week"), rows))
    return [*blocks, Para(comparison["note"])]


def _diary_row(cramp: dict[str, Any]) -> tuple[str, ...]:
    duration = cramp["duration_seconds"]
    return (
        cramp["at"][:10],
        cramp["at"][11:16],
        cramp["leg"] or "",
        cramp["muscle"] or "",
        format_seconds(duration) if duration is not None else "",
        "" if cramp["severity"] is None else str(cramp["severity"]),
        "yes" if cramp["woke"] else "",
        ", ".join(s.replace("-", " ") for s in cramp["symptoms"]),
        cramp["note"] or "",
    )


def _day(iso: str) -> str:
    day = date.fromisoformat(iso[:10])
    return f"{day.day} {day:%B %Y}"


def _label(text: str) -> str:
    """A label as it stands before its text: questions keep their mark, others get a colon."""
    return text if text.endswith("?") else text + ":"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


# -- Markdown --------------------------------------------------------------


def to_markdown(data: dict[str, Any]) -> str:
    """The report as Markdown."""
    lines = [f"# {TITLE}", ""]
    for block in document(data):
        if isinstance(block, Heading):
            lines += [f"## {block.text}", ""]
        elif isinstance(block, Para):
            lines += [block.text, ""]
        elif isinstance(block, Facts):
            lines += [f"- **{_label(label)}** {text}" for label, text in block.items] + [""]
        elif isinstance(block, Table):
            lines.append("| " + " | ".join(block.headers) + " |")
            lines.append("|" + "---|" * len(block.headers))
            lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in block.rows]
            lines.append("")
    return "\n".join(lines)


def _md_cell(text: str) -> str:
    return " ".join(text.split()).replace("\\", "\\\\").replace("|", "\\|")


# -- HTML ------------------------------------------------------------------

_CSS = """
body { font: 11pt/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #111;
       max-width: 52rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; }
h2 { font-size: 1.15rem; margin-top: 1.6rem; border-bottom: 1px solid #999; }
dl.facts dt { font-weight: 600; margin-top: .5rem; }
dl.facts dd { margin: 0 0 0 1.2rem; }
table { border-collapse: collapse; width: 100%; font-size: 9.5pt; margin: .5rem 0; }
th, td { border: 1px solid #bbb; padding: .2rem .4rem; text-align: left; vertical-align: top; }
th { background: #eee; }
tr { break-inside: avoid; }
svg { width: 100%; height: auto; }
@page { margin: 15mm; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } }
"""


def to_html(data: dict[str, Any]) -> str:
    """The report as one self-contained, printable HTML page."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_esc(TITLE)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{_esc(TITLE)}</h1>",
    ]
    for block in document(data):
        if isinstance(block, Heading):
            parts.append(f"<h2>{_esc(block.text)}</h2>")
        elif isinstance(block, Para):
            parts.append(f"<p>{_esc(block.text)}</p>")
        elif isinstance(block, Facts):
            parts.append('<dl class="facts">')
            parts += [
                f"<dt>{_esc(_label(label))}</dt><dd>{_esc(text)}</dd>"
                for label, text in block.items
            ]
            parts.append("</dl>")
        elif isinstance(block, Table):
            parts.append(
                "<table><thead><tr>"
                + "".join(f"<th>{_esc(h)}</th>" for h in block.headers)
                + "</tr></thead><tbody>"
            )
            parts += [
                "<tr>" + "".join(f"<td>{_esc(c)}</td>" for c in row) + "</tr>" for row in block.rows
            ]
            parts.append("</tbody></table>")
        elif isinstance(block, Chart):
            parts.append(_svg_chart(block))
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


_COLOURS = {"cramps": "#b5432f", "stretched": "#5b8fbf"}
_SERIES = {"cramps": "cramps", "stretched": "days stretched (of 7)"}


def _svg_chart(chart: Chart) -> str:
    """Bars of cramps and of days stretched per week, with the start of regular stretching."""
    weeks = chart.weeks
    if not weeks:
        return ""
    width, height = 720, 250
    left, right, top, bottom = 34, 8, 22, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value: int = max(7, *(w["cramps"] for w in weeks))
    step = max(1, -(-top_value // 6))
    top_value = -(-top_value // step) * step
    slot = plot_w / len(weeks)
    bar = slot * 0.38

    def y(value: float) -> float:
        return top + plot_h - plot_h * value / top_value

    # Presentation attributes rather than CSS, so any SVG renderer draws the same.
    out = [
        (
            f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
            'aria-label="Cramps and days stretched per week" font-size="10" fill="#333">'
        ),
        "<title>Cramps and days stretched per week</title>",
    ]
    for value in range(0, top_value + 1, step):
        out.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" '
            f'y2="{y(value):.1f}" stroke="#ddd"/>'
        )
        out.append(f'<text x="{left - 4}" y="{y(value) + 3:.1f}" text-anchor="end">{value}</text>')
    label_every = max(1, round(len(weeks) / 9))
    for i, week in enumerate(weeks):
        x = left + i * slot + slot * 0.1
        for offset, value, css in (
            (0, week["cramps"], "cramps"),
            (bar, week["days_stretched"], "stretched"),
        ):
            out.append(
                f'<rect class="{css}" x="{x + offset:.1f}" y="{y(value):.1f}" width="{bar:.1f}" '
                f'height="{plot_h * value / top_value:.1f}" fill="{_COLOURS[css]}"><title>week of '
                f"{week['week']}: {value} {_SERIES[css]}</title></rect>"
            )
        if i % label_every == 0:
            day = date.fromisoformat(week["week"])
            out.append(f'<text x="{x:.1f}" y="{height - bottom + 14}">{day.day} {day:%b}</text>')
        if chart.began and week["week"] <= chart.began < _next_week(week["week"]):
            out.append(
                f'<line x1="{x - slot * 0.1:.1f}" x2="{x - slot * 0.1:.1f}" '
                f'y1="{top - 6}" y2="{top + plot_h}" stroke="#333" stroke-width="1.5" '
                'stroke-dasharray="4 3"/>'
            )
            out.append(
                f'<text x="{x - slot * 0.1 + 3:.1f}" y="{top - 8}">regular stretching began</text>'
            )
    out.append(
        f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" '
        f'y2="{top + plot_h}" stroke="#999"/>'
    )
    for x, css in ((left, "cramps"), (left + 80, "stretched")):
        out.append(
            f'<rect x="{x}" y="{height - 14}" width="10" height="10" '
            f'fill="{_COLOURS[css]}"/><text x="{x + 14}" y="{height - 5}">'
            f"{_SERIES[css]}</text>"
        )
    out.append("</svg>")
    return "\n".join(out)


def _next_week(monday: str) -> str:
    return (date.fromisoformat(monday) + timedelta(days=7)).isoformat()


# -- CSV -------------------------------------------------------------------

CSV_COLUMNS: tuple[str, ...] = (
    "at",
    "date",
    "time",
    "duration_seconds",
    "severity",
    "leg",
    "muscle",
    "woke",
    "symptoms",
    "note",
    "signs",
)


def to_csv(data: dict[str, Any]) -> str:
    """The period's diary entries, one row each, for a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for cramp in data["cramps"]:
        writer.writerow(
            (
                cramp["at"],
                cramp["at"][:10],
                cramp["at"][11:16],
                "" if cramp["duration_seconds"] is None else f"{cramp['duration_seconds']:g}",
                "" if cramp["severity"] is None else cramp["severity"],
                cramp["leg"] or "",
                cramp["muscle"] or "",
                "yes" if cramp["woke"] else "no",
                ";".join(cramp["symptoms"]),
                cramp["note"] or "",
                ";".join(cramp["signs"]),
            )
        )
    return out.getvalue()
