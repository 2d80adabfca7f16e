"""Draw the report (the dict :func:`stretch_coach.history.report.build` makes)
as md, html, csv or json.

Markdown and HTML come from one list of blocks (:func:`document`), so they say
the same things in the same order; each renderer only decides how a block
looks. The HTML page comes from a Jinja2 template (``templates/report.html.j2``) with
autoescaping, and is self-contained and printable: inline CSS, an inline SVG
chart, no scripts, fonts, images or links to fetch. Text from the records
(notes, titles) is data in every format: escaped in HTML and Markdown, never
a formula in CSV, never a control character anywhere.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stretch_coach.history.insight import CAVEAT
from stretch_coach.history.redflags import ADVICE
from stretch_coach.history.report import DAY_PARTS
from stretch_coach.routine.durations import format_seconds
from stretch_coach.words import plural

if TYPE_CHECKING:
    import jinja2

FORMATS: tuple[str, ...] = ("md", "html", "csv", "json")
#: How many of the latest weeks the chart and the week table show (the JSON has all).
CHART_WEEKS = 26
TITLE = "Leg cramps and stretching: a summary for the doctor"
#: Fewer cramps than this say nothing about the hour they come at (one cramp
#: would make its own hour "most often").
MIN_CRAMPS_FOR_HOUR = 5


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
    person = data.get("person")
    blocks: list[Block] = [Para(f"For {person}.")] if person else []
    blocks += [
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
    if "nights" in data:  # reports saved before check-ins were kept have none
        blocks += _night_blocks(data["nights"])
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
    if count >= MIN_CRAMPS_FOR_HOUR:
        hour = max(range(24), key=lambda h: summary["by_hour"][h])
        text += f"; most often between {hour:02d}:00 and {(hour + 1) % 24:02d}:00."
    else:
        text += "."
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
    of = f"of {plural(summary['count'], 'cramp')}"
    parts = []
    if severity["logged"]:
        parts.append(
            f"Severity (0 to 10) averaged {severity['average']:.1f}, highest "
            f"{severity['highest']} (given for {severity['logged']} {of})."
        )
    if duration["logged"]:
        parts.append(
            f"Cramps typically lasted {format_seconds(duration['median_seconds'])}, "
            f"the longest {format_seconds(duration['longest_seconds'])} "
            f"(given for {duration['logged']} {of})."
        )
    return " ".join(parts) or "Neither severity nor duration was given."


def _routine_blocks(routines: dict[str, Any]) -> list[Block]:
    blocks: list[Block] = [Heading("Stretching routines")]
    if not routines["sessions"]:
        return [*blocks, Para("No stretching sessions were recorded in this period.")]
    blocks.append(
        Para(
            f"{routines['counted']} of {plural(routines['sessions'], 'session')} "
            "counted (at least half done), "
            f"on {routines['days_with_routine']} of the {plural(routines['days'], 'day')}. "
            f"Current run: {plural(routines['current_streak'], 'day')} in a row; longest: "
            f"{plural(routines['longest_streak'], 'day')}. In the last "
            f"{plural(routines['last_4_weeks']['days'], 'day')}: a routine on "
            f"{routines['last_4_weeks']['days_done']}."
        )
    )
    blocks.append(
        Table(
            ("Routine", "Sessions", "Counted", "Minutes", "First", "Last"),
            tuple(
                (
                    r["title"],
                    str(r["sessions"]),
                    str(r["counted"]),
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


def _night_blocks(nights: dict[str, Any]) -> list[Block]:
    blocks: list[Block] = [Heading("Nights with and without a routine before them")]
    if not nights["known_nights"]:
        return [
            *blocks,
            Para(
                "No night is known yet: a night is known when a cramp was logged in it or a "
                "morning check-in recorded none."
            ),
        ]
    with_side, without = nights["with"], nights["without"]
    blocks.append(
        Table(
            ("", "Nights", "With a cramp"),
            (
                ("After a routine", str(with_side["nights"]), str(with_side["cramp_nights"])),
                ("Without", str(without["nights"]), str(without["cramp_nights"])),
            ),
        )
    )
    return [
        *blocks,
        Para(_sentence(nights["summary"]) + "."),
        Para(f"Rule: {nights['rule']}. {CAVEAT}"),
    ]


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


# -- text from the records -------------------------------------------------


#: Control characters (C0 but tab and newline, DEL, C1): in a terminal they can
#: move the cursor, rewrite lines or reach the clipboard (OSC 52).
_CONTROLS = dict.fromkeys([*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)], "\ufffd")


def safe_text(text: str) -> str:
    """``text`` with every control character shown as U+FFFD, for a terminal or a file."""
    return text.translate(_CONTROLS)


# -- Markdown --------------------------------------------------------------


def to_markdown(data: dict[str, Any]) -> str:
    """The report as Markdown; text from the records is escaped, never raw HTML."""
    lines = [f"# {_md(TITLE)}", ""]
    for block in document(data):
        if isinstance(block, Heading):
            lines += [f"## {_md(block.text)}", ""]
        elif isinstance(block, Para):
            lines += [_md(block.text), ""]
        elif isinstance(block, Facts):
            lines += [f"- **{_md(_label(label))}** {_md(text)}" for label, text in block.items]
            lines.append("")
        elif isinstance(block, Table):
            lines.append("| " + " | ".join(_md_cell(h) for h in block.headers) + " |")
            lines.append("|" + "---|" * len(block.headers))
            lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in block.rows]
            lines.append("")
    return "\n".join(lines)


def _md(text: str) -> str:
    # Markdown passes raw HTML through: <, > and & become entities, which
    # every Markdown renderer shows as the characters themselves.
    return html.escape(safe_text(text), quote=False)


def _md_cell(text: str) -> str:
    return _md(" ".join(text.split()).replace("\\", "\\\\").replace("|", "\\|"))


# -- HTML ------------------------------------------------------------------

_COLOURS = {"cramps": "#b5432f", "stretched": "#5b8fbf"}
_SERIES = {"cramps": "cramps", "stretched": "days stretched (of 7)"}


def to_html(data: dict[str, Any]) -> str:
    """The report as one self-contained, printable HTML page (a Jinja2 template, autoescaped)."""
    blocks: list[dict[str, Any]] = []
    for block in document(data):
        if isinstance(block, Heading):
            blocks.append({"kind": "heading", "text": safe_text(block.text)})
        elif isinstance(block, Para):
            blocks.append({"kind": "para", "text": safe_text(block.text)})
        elif isinstance(block, Facts):
            items = [(safe_text(_label(k)), safe_text(v)) for k, v in block.items]
            blocks.append({"kind": "facts", "facts": items})
        elif isinstance(block, Table):
            rows = [[safe_text(c) for c in row] for row in block.rows]
            blocks.append({"kind": "table", "headers": block.headers, "rows": rows})
        elif isinstance(block, Chart):
            blocks.append({"kind": "chart", "chart": _chart(block)})
    return _template("report.html.j2").render(title=TITLE, blocks=blocks)


def _template(name: str) -> jinja2.Template:
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,  # every page: text from records is data, never markup
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    return environment.get_template(name)


def _chart(chart: Chart) -> dict[str, Any] | None:
    """The geometry of the week chart: bars of cramps and of days stretched, and where
    regular stretching began. Numbers only; the template draws it."""
    weeks = chart.weeks
    if not weeks:
        return None
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

    def f(number: float) -> str:
        return f"{number:.1f}"

    bars = []
    labels = []
    began = None
    label_every = max(1, round(len(weeks) / 9))
    for i, week in enumerate(weeks):
        x = left + i * slot + slot * 0.1
        for offset, value, series in (
            (0.0, week["cramps"], "cramps"),
            (bar, week["days_stretched"], "stretched"),
        ):
            bars.append(
                {
                    "series": series,
                    "x": f(x + offset),
                    "y": f(y(value)),
                    "width": f(bar),
                    "height": f(plot_h * value / top_value),
                    "colour": _COLOURS[series],
                    "week": week["week"],
                    "value": value,
                    "label": _SERIES[series],
                }
            )
        if i % label_every == 0:
            day = date.fromisoformat(week["week"])
            labels.append({"x": f(x), "text": f"{day.day} {day:%b}"})
        if chart.began and week["week"] <= chart.began < _next_week(week["week"]):
            began = {"x": f(x - slot * 0.1), "text_x": f(x - slot * 0.1 + 3)}
    return {
        "width": width,
        "height": height,
        "left": left,
        "top": top,
        "right_edge": width - right,
        "bottom_edge": top + plot_h,
        "label_y": height - bottom + 14,
        "grid": [
            {"y": f(y(value)), "label_y": f(y(value) + 3), "value": value}
            for value in range(0, top_value + 1, step)
        ],
        "bars": bars,
        "labels": labels,
        "began": began,
        "legend": [
            {"x": left, "colour": _COLOURS["cramps"], "label": _SERIES["cramps"]},
            {"x": left + 80, "colour": _COLOURS["stretched"], "label": _SERIES["stretched"]},
        ],
    }


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


#: A cell starting with one of these is a formula to a spreadsheet (OWASP's list).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")


def csv_cell(value: object) -> object:
    """A CSV cell no spreadsheet runs as a formula (OWASP's CSV-injection advice).

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
    gets a leading ``'``, which spreadsheets show as text; a plain negative
    number stays a number. Control characters are shown as U+FFFD.
    """
    if not isinstance(value, str):
        return value
    if value.startswith(_FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + safe_text(value)
    return safe_text(value)


def to_csv(data: dict[str, Any]) -> str:
    """The period's diary entries, one row each, for a spreadsheet (no cell is a formula)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for cramp in data["cramps"]:
        writer.writerow(
            csv_cell(cell)
            for cell in (
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
