"""``diary``, ``history``, ``report``, ``export`` and ``import``: the recorded history.

Every value is checked before the database is opened, so bad input writes
nothing (not even a new empty database). Commands that only read do not create
the database either.
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stretch_coach.errors import UserError

if TYPE_CHECKING:
    from stretch_coach.history.store import HistoryStore

_DAY = timedelta(days=1)

#: diary.SYMPTOMS for the help text, written out so that registering commands imports nothing.
SYMPTOM_HELP = (
    "swelling, redness, numbness, tingling, weakness, trouble-walking, toxins, cut-infection"
)


def register(subparsers: Any, shared: argparse.ArgumentParser) -> None:
    """Add the history commands (they do not read the routine library, so ``shared`` is unused)."""
    diary = subparsers.add_parser(
        "diary",
        help="the cramp diary: add, list, edit or delete entries",
        description="Log night-time leg cramps, to see whether stretching helps and to show "
        "your doctor.",
    )
    diary.set_defaults(handler=_diary_without_action)
    actions = diary.add_subparsers(title="actions", metavar="ACTION")

    add = actions.add_parser("add", help="log a cramp", description="Log a cramp.")
    _entry_options(add, editing=False)
    add.set_defaults(handler=diary_add)

    listing = actions.add_parser("list", help="list the diary", description="List the diary.")
    listing.add_argument(
        "--since",
        metavar="DATE",
        help="only entries from DATE, and nights from its evening (2024-05-01)",
    )
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=diary_list)

    edit = actions.add_parser(
        "edit",
        help="change an entry",
        description="Change an entry: only the options given are changed.",
    )
    edit.add_argument("id", metavar="ID", help="the entry's number, as `diary list` shows it")
    _entry_options(edit, editing=True)
    edit.set_defaults(handler=diary_edit)

    delete = actions.add_parser("delete", help="delete an entry", description="Delete an entry.")
    delete.add_argument("id", metavar="ID", help="the entry's number, as `diary list` shows it")
    delete.add_argument("-y", "--yes", action="store_true", help="do not ask first")
    delete.set_defaults(handler=diary_delete)

    checkin = subparsers.add_parser(
        "checkin",
        help="record a night without cramps (the morning check-in), or take it back",
        description="Record that a night had no cramps, so that a quiet night is told apart "
        "from a night nobody asked about. A night runs from 18:00 to 12:00 the next day and "
        "is named by its evening's date. A cramp logged in that night with `diary add` makes "
        "it a cramp night whatever the check-in said.",
    )
    answer = checkin.add_mutually_exclusive_group()
    answer.add_argument("--none", action="store_true", help="no cramps that night")
    answer.add_argument("--undo", action="store_true", help="take the night's check-in back")
    checkin.add_argument(
        "--night",
        metavar="DATE",
        help="the night, by its evening's date (2024-05-01: the night of 1 to 2 May; "
        "default: last night)",
    )
    checkin.set_defaults(handler=checkin_night)

    insight = subparsers.add_parser(
        "insight",
        parents=[shared],
        help="nights with cramps, with and without a routine before them",
        description="Over the nights you know about (a cramp logged in them, or a check-in): "
        "how many nights with a routine before them had a cramp, how many without, and the "
        "difference with a 95% interval. It shows your own record, not what causes cramps.",
    )
    insight.add_argument(
        "--since", metavar="DATE", help="only nights from the evening of DATE (2024-05-01)"
    )
    insight.add_argument("--json", action="store_true", help="print JSON")
    insight.set_defaults(handler=insight_show)

    history = subparsers.add_parser(
        "history",
        help="sessions done, the streak and this week's and month's adherence",
        description="Recorded sessions, the current streak of days with a routine done, and "
        "adherence this week and this month.",
    )
    history.add_argument("--json", action="store_true", help="print JSON (every session)")
    history.add_argument("--limit", metavar="N", help="show the newest N sessions (default 10)")
    history.set_defaults(handler=history_show)
    checks = history.add_subparsers(title="actions", metavar="ACTION")
    check = checks.add_parser(
        "check",
        help="list the records that cannot be read",
        description="List every record of the history database that cannot be read (a damaged "
        "file, a value that makes no sense), with what is wrong. Exits 1 if there is any.",
    )
    check.set_defaults(handler=history_check)
    repair = checks.add_parser(
        "repair",
        help="copy every readable record into a fresh database, keeping the original",
        description="Copy every record that can be read into a fresh history database; the "
        "original file is kept beside it, renamed, and nothing is deleted.",
    )
    repair.set_defaults(handler=history_repair)

    report = subparsers.add_parser(
        "report",
        parents=[shared],
        help="a summary of cramps and stretching for a doctor's visit",
        description="A summary for a doctor's visit: when the cramps happen, since when, how "
        "often, other symptoms, signs to see a doctor about, the routines done, and cramps "
        "per week before and after regular stretching began.",
    )
    report.add_argument("--since", metavar="DATE", help="start the period on DATE (2024-05-01)")
    report.add_argument(
        "--format",
        metavar="{md,html,csv,json}",
        help=(
            "md (the default), html (a printable page), csv (the diary), "
            "json (the summary and every diary entry); with -o, the default follows "
            "FILE's name (.md, .html, .csv or .json)"
        ),
    )
    report.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write to FILE, named for its format (default: print)",
    )
    report.add_argument(
        "--for",
        dest="person",
        metavar="NAME",
        help="the person's name, on the page (as on a handout)",
    )
    report.add_argument(
        "--program",
        metavar="PROGRAM",
        help="instead, a program you follow week by week, for your practitioner: sessions "
        "due and done, the dose of each stage, and the cramps logged beside them "
        "(csv: a row a week)",
    )
    report.set_defaults(handler=report_write)

    export = subparsers.add_parser(
        "export",
        help="write the whole history to a JSON file",
        description="Write every session, diary entry and check-in to FILE, to import on "
        "another machine.",
    )
    export.add_argument("file", metavar="FILE", help="the file to write ('-' prints it)")
    export.set_defaults(handler=export_history)

    imports = subparsers.add_parser(
        "import",
        help="add the history from an export file",
        description="Add the sessions, diary entries and check-ins of FILE (made by `export`); "
        "records already here are not added again.",
    )
    imports.add_argument("file", metavar="FILE", help="a file made by `stretch-coach export`")
    imports.set_defaults(handler=import_history)


def _entry_options(parser: argparse.ArgumentParser, *, editing: bool) -> None:
    parser.add_argument(
        "--when",
        metavar="DATE_TIME",
        help="when it happened, e.g. 2024-05-01T02:30" + ("" if editing else " (default: now)"),
    )
    parser.add_argument(
        "--duration",
        metavar="TIME",
        help="how long the cramp itself lasted (seconds to minutes), not the soreness after it, "
        "which can last up to a day: 90s, 2m, 1m30s, 1:30",
    )
    parser.add_argument("--severity", metavar="0-10", help="0 (barely) to 10 (worst)")
    parser.add_argument("--leg", metavar="{left,right,both}", help="which leg")
    parser.add_argument("--muscle", metavar="{calf,thigh,foot,other}", help="which muscle")
    parser.add_argument(
        "--woke", action=argparse.BooleanOptionalAction, default=None, help="it woke me up"
    )
    parser.add_argument(
        "--symptom",
        metavar="NAME",
        action="append",
        help=f"another symptom with it (repeatable): {SYMPTOM_HELP} "
        "(trouble-walking: trouble walking or putting weight on the leg; toxins: contact with "
        "toxins before the cramps; cut-infection: an infected cut before them)"
        + ("; replaces those noted" if editing else ""),
    )
    if editing:
        parser.add_argument("--no-symptoms", action="store_true", help="clear the symptoms")
    parser.add_argument(
        "--note", metavar="TEXT", help="a note" + ("; '' removes it" if editing else "")
    )


# -- diary -----------------------------------------------------------------


def _diary_without_action(args: argparse.Namespace) -> int:
    raise UserError(
        "diary: say what to do: add, list, edit or delete (see `stretch-coach diary --help`)"
    )


def _changes(args: argparse.Namespace) -> dict[str, Any]:
    """The entry fields given on the command line, checked; options name the fields in errors."""
    from stretch_coach.history import diary, times
    from stretch_coach.history.errors import EntryError

    checks: dict[str, tuple[str, Any]] = {
        "when": ("at", times.parse_when),
        "duration": ("duration_seconds", diary.parse_cramp_duration),
        "severity": ("severity", diary.parse_severity),
        "leg": ("leg", lambda v: diary.parse_choice("leg", v, diary.LEGS)),
        "muscle": ("muscle", lambda v: diary.parse_choice("muscle", v, diary.MUSCLES)),
        "symptom": ("symptoms", diary.parse_symptoms),
        "note": ("note", diary.parse_note),
        "woke": ("woke", bool),
    }
    changes: dict[str, Any] = {}
    for option, (field, parse) in checks.items():
        value = getattr(args, option)
        if value is None:
            continue
        try:
            changes[field] = parse(value)
        except EntryError as err:
            raise UserError(f"--{option}: {err.problem}") from None
    if getattr(args, "no_symptoms", False):
        if "symptoms" in changes:
            raise UserError("--no-symptoms: give either --symptom or --no-symptoms, not both")
        changes["symptoms"] = ()
    return changes


def diary_add(args: argparse.Namespace) -> int:
    """``diary add``: save an entry, then say plainly if it is a reason to see a doctor."""
    from stretch_coach.history import diary, redflags, times
    from stretch_coach.history.model import Cramp

    changes = _changes(args)
    cramp = Cramp(**{"at": times.now().replace(second=0, microsecond=0), **changes})
    with _open_store() as store:
        saved, signs = diary.add_entry(store, cramp)
    print(f"Saved {diary.describe(saved)}.")
    _say(redflags.message(signs))
    return 0


def diary_list(args: argparse.Namespace) -> int:
    """``diary list``: the entries and the quiet nights checked in, oldest first."""
    from stretch_coach.history import diary, nights
    from stretch_coach.history.model import cramp_to_json
    from stretch_coach.history.render import safe_text

    since = _day_option(args.since, "--since") if args.since else None
    with _open_store(create=False) as store:
        cramps = store.cramps(since=since)
        checked = store.checked_in_nights(since=since)
        _tell_unreadable(store)
    # Every cramp of a night from `since` on is on or after `since`, so it is in `cramps`.
    cramp_nights = {nights.night_of(c.at) for c in cramps}
    quiet = [night for night in checked if night not in cramp_nights]
    if args.json:
        _print_json(
            {
                "cramps": [cramp_to_json(c) for c in cramps],
                "checkins": [{"night": n.isoformat(), "answer": "none"} for n in checked],
                "quiet_nights": [n.isoformat() for n in quiet],
            }
        )
        return 0
    if not cramps and not quiet:
        print(
            f"No entries since {since}."
            if since
            else "The diary is empty. Log a cramp with `stretch-coach diary add`, or a night "
            "without cramps with `stretch-coach checkin --none`."
        )
        return 0
    lines: list[tuple[Any, str]] = []
    for cramp in cramps:
        extras = [s.replace("-", " ") for s in cramp.symptoms]
        if cramp.woke:
            extras.insert(0, "woke me")
        line = diary.describe(cramp) + (f"; {', '.join(extras)}" if extras else "")
        # Stored text is data: no control character reaches the terminal.
        text = safe_text(line + (f". {cramp.note}" if cramp.note else ""))
        lines.append((cramp.at.replace(tzinfo=None), text))
    for night in quiet:
        lines.append((_evening(night), f"night of {night:%Y-%m-%d}: no cramps (checked in)"))
    for _, line in sorted(lines, key=lambda item: item[0]):
        print(line)
    return 0


def _evening(night: Any) -> Any:
    """When a quiet night sorts among the entries: its start, 18:00 on its evening."""
    from datetime import datetime, time

    from stretch_coach.history import nights

    return datetime.combine(night, time(nights.NIGHT_STARTS_HOUR))


def diary_edit(args: argparse.Namespace) -> int:
    """``diary edit ID``: change the fields given; say any reason to see a doctor that is new."""
    from stretch_coach.history import diary, redflags

    entry_id = _entry_id(args.id)
    changes = _changes(args)
    if not changes:
        raise UserError(
            "diary edit: nothing to change; give an option such as --severity 4 "
            "(see `stretch-coach diary edit --help`)"
        )
    with _open_store(create=False) as store:
        after, signs = diary.edit_entry(store, entry_id, changes)
    print(f"Updated {diary.describe(after)}.")
    _say(redflags.message(signs))
    return 0


def diary_delete(args: argparse.Namespace) -> int:
    """``diary delete ID``: asks first unless ``--yes``."""
    from stretch_coach.history import diary

    entry_id = _entry_id(args.id)
    with _open_store(create=False) as store:
        entry = store.cramp(entry_id)
        if not args.yes:
            try:
                answer = input(f"Delete {diary.describe(entry)}? [y/N] ")
            except EOFError:
                raise UserError(
                    "diary delete: no answer, nothing deleted; add --yes to delete "
                    "without being asked"
                ) from None
            if answer.strip().lower() not in ("y", "yes"):
                print("Nothing deleted.")
                return 0
        store.delete_cramp(entry_id)
    print(f"Deleted {diary.describe(entry)}.")
    return 0


def _say(message: str | None) -> None:
    if message:
        print(message)


def _entry_id(text: str) -> int:
    if not text.strip().isdigit():
        raise UserError(f"{text!r} is not an entry number; `stretch-coach diary list` shows them")
    return int(text)


def _day_option(text: str, option: str) -> Any:
    from stretch_coach.history import times
    from stretch_coach.history.errors import EntryError

    try:
        return times.parse_day(text)
    except EntryError as err:
        raise UserError(f"{option}: {err.problem}") from None


# -- check-ins and the comparison ---------------------------------------------


def checkin_night(args: argparse.Namespace) -> int:
    """``checkin --none|--undo [--night DATE]``: record a quiet night, or take it back."""
    from stretch_coach.history import nights, times

    if not args.none and not args.undo:
        raise UserError(
            "checkin: say what to record: --none (no cramps that night) or --undo (take the "
            "night's check-in back)"
        )
    moment = times.now()
    night = _day_option(args.night, "--night") if args.night else nights.last_night(moment)
    if night >= nights.tonight(moment):
        raise UserError(
            f"--night: the night of {night} has not ended yet; check in the morning after it "
            f"(the default, last night, is {nights.last_night(moment)})"
        )
    named = f"the night of {night:%Y-%m-%d} ({night:%a} evening to {night + _DAY:%a} morning)"
    if args.undo:
        with _open_store(create=False) as store:
            undone = store.undo_check_in(night)
        print(f"Took back the check-in for {named}." if undone else f"No check-in for {named}.")
        return 0
    with _open_store() as store:
        changed = store.check_in(night)
        logged = [c for c in store.cramps(since=night) if nights.night_of(c.at) == night]
    print(f"Recorded {named}: no cramps." if changed else f"Already recorded {named}: no cramps.")
    if logged:
        print(
            f"The diary has {_cramps_text(len(logged))} in that night, so it counts as a night "
            "with cramps; delete the entry with `stretch-coach diary delete` if it is a mistake."
        )
    return 0


def _cramps_text(count: int) -> str:
    from stretch_coach.words import plural

    return plural(count, "cramp")


def insight_show(args: argparse.Namespace) -> int:
    """``insight``: cramp nights with and without a routine before them."""
    from stretch_coach.history.insight import CAVEAT

    since = _day_option(args.since, "--since") if args.since else None
    excluded = _excluded_routines(args)
    with _open_store(create=False) as store:
        comparison = store.insight(since=since, excluded_routines=excluded)
        _tell_unreadable(store)
    if args.json:
        _print_json(comparison.to_json())
        return 0
    if not comparison.known_nights:
        print(
            "No known nights yet"
            + (f" since {since}" if since else "")
            + ": log each cramp with `stretch-coach diary add`, and each morning after a night "
            "without one, `stretch-coach checkin --none`."
        )
        return 0
    print(
        f"Known nights: {comparison.known_nights} (a cramp logged in them, or a check-in)"
        + (f", from the evening of {since}" if since else "")
        + "."
    )
    print(
        f"After a routine: {comparison.with_nights} nights, {comparison.with_cramp} with a cramp."
    )
    print(
        f"Without one: {comparison.without_nights} nights, {comparison.without_cramp} with a cramp."
    )
    sentence = comparison.sentence()
    print(sentence[0].upper() + sentence[1:] + ".")
    print(CAVEAT)
    return 0


def _excluded_routines(args: argparse.Namespace) -> set[str]:
    """Ids of the library's routines that are not a routine before the night."""
    from stretch_coach.history.nights import excluded_routines
    from stretch_coach.routine.folders import library_folders
    from stretch_coach.routine.library import Library

    # Reading: the user's routine folder is not created for it.
    folders = library_folders(getattr(args, "library", None) or (), create_user_dir=False)
    return excluded_routines(Library.from_folders(folders).entries)


# -- history ---------------------------------------------------------------


def history_show(args: argparse.Namespace) -> int:
    """``history``: the streak, adherence and the newest sessions."""
    from stretch_coach.history.model import session_to_json
    from stretch_coach.history.render import safe_text
    from stretch_coach.words import plural, time_against_plan

    limit = _limit(args.limit)
    with _open_store(create=False) as store:
        if args.json:  # every session (or the newest N): read them once, not also as `recent`
            overview = store.overview(recent=0)
            sessions = store.sessions(limit=limit)
        else:
            overview = store.overview(recent=limit if limit is not None else 10)
            sessions = list(overview.recent)
        _tell_unreadable(store)
    week, month = overview.this_week, overview.this_month
    if args.json:
        _print_json(
            {
                "today": overview.today.isoformat(),
                "streak": overview.streak,
                "this_week": {
                    "from": week.start.isoformat(),
                    "days_done": week.days_done,
                    "days": week.days,
                },
                "this_month": {
                    "from": month.start.isoformat(),
                    "days_done": month.days_done,
                    "days": month.days,
                },
                "total_sessions": overview.total_sessions,
                "total_cramps": overview.total_cramps,
                "sessions": [session_to_json(s) for s in sessions],
            }
        )
        return 0
    if not overview.total_sessions:
        print("No sessions recorded yet: each routine you play is recorded here.")
        return 0
    print(f"Streak: {plural(overview.streak, 'day')} in a row with a routine done.")
    print(
        f"This week: a routine on {week.days_done} of {week.days} days so far. "
        f"This month: {month.days_done} of {month.days} days."
    )
    print(
        f"{plural(overview.total_sessions, 'session')} recorded; "
        f"{plural(overview.total_cramps, 'cramp')} in the diary."
    )
    print("\nNewest sessions:")
    for session in sessions:
        skipped = f", {session.steps_skipped} skipped" if session.steps_skipped else ""
        rated = ", ".join(
            f"{name} {value}/10"
            for name, value in (("effort", session.effort), ("pain", session.pain))
            if value is not None
        )
        print(
            f"  {session.started_at:%Y-%m-%d %H:%M}  {safe_text(session.title)}: "
            f"{time_against_plan(session.done_seconds, session.planned_seconds)}, "
            f"{plural(session.steps_done, 'step')} done{skipped}; {session.label}"
            f"{'' if session.counts else ', not counted (less than half done)'}"
            f"{f'; {rated}' if rated else ''}"
        )
    return 0


def history_check(args: argparse.Namespace) -> int:
    """``history check``: list the records that cannot be read; exit 1 if there are any."""
    from stretch_coach.history.store import default_path

    path = default_path()
    if not path.exists():
        print(f"There is no history yet ({path}): nothing to check.")
        return 0
    with _open_store(create=False) as store:
        unreadable = store.unreadable()
        overview = store.overview(recent=0)
    readable = _record_counts(overview.total_sessions, overview.total_cramps, 0)
    if not unreadable:
        print(f"Every record in {path} can be read ({readable}).")
        return 0
    print(f"{_records(len(unreadable))} in {path} could not be read ({readable} can):")
    for problem in unreadable:
        print(f"  {problem}")
    print("`stretch-coach history repair` copies every readable record into a new history.")
    return 1


def history_repair(args: argparse.Namespace) -> int:
    """``history repair``: salvage every readable record into a fresh database."""
    from stretch_coach.history.store import HistoryStore

    done = HistoryStore.repair()
    print(
        f"Copied {_records(done.copied)} into a new history at {done.path}; "
        f"the original is kept as {done.kept_as}."
    )
    if done.unreadable:
        print(f"{_records(len(done.unreadable))} could not be read:")
        for problem in done.unreadable:
            print(f"  {problem}")
    return 0


def _records(count: int) -> str:
    from stretch_coach.history.db import plural_records

    return plural_records(count)


def _tell_unreadable(store: HistoryStore) -> None:
    """Say on stderr how many records were left out because they cannot be read."""
    count = store.unreadable_count()
    if count:
        print(
            f"stretch-coach: {_records(count)} could not be read; "
            "`stretch-coach history check` says which",
            file=sys.stderr,
        )


def _limit(text: str | None) -> int | None:
    if text is None:
        return None
    if not text.strip().isdigit() or int(text) < 1:
        raise UserError(f"--limit: {text!r} is not a number of sessions; give one from 1")
    return int(text)


# -- report ----------------------------------------------------------------


def report_write(args: argparse.Namespace) -> int:
    """``report``: the doctor-visit summary, printed or written to a file."""
    from stretch_coach.history import render, report

    fmt, output = _report_format(args.format, args.output)
    if getattr(args, "program", None):
        text = _program_report(args, fmt)
        if output is not None:
            _write_private(output, text)
            print(f"Wrote the report of {args.program} ({fmt}) to {args.output}.")
        else:
            sys.stdout.write(text)
        return 0
    since = _day_option(args.since, "--since") if args.since else None
    with _open_store(create=False) as store:
        built = report.build(
            store,
            since=since,
            excluded_routines=_excluded_routines(args),
            person=_name(getattr(args, "person", None)),
        )
        text = render.render(built, fmt, indent=_json_indent(args.output))
        _tell_unreadable(store)
    if output is not None:
        _write_private(output, text)
        print(f"Wrote the report ({fmt}) to {args.output}.")
    else:
        sys.stdout.write(text)
    return 0


#: The names a report's file may have, by format: what it holds follows from its name.
REPORT_SUFFIXES: dict[str, tuple[str, ...]] = {
    "md": (".md", ".txt"),
    "html": (".html", ".htm"),
    "csv": (".csv",),
    "json": (".json",),
}
#: The formats as people call them, for messages.
FORMAT_NAMES = {"md": "Markdown", "html": "HTML", "csv": "CSV", "json": "JSON"}


def _report_format(given: str | None, target: str | None) -> tuple[str, Path | None]:
    """The report's format and the file to write it to (``None``: print it).

    Without ``--format``, a file's name says the format (``visit.html``); with
    it, the name must agree (a Markdown report in ``r.pdf`` would not open).
    A name that says no format the report has (``r.pdf``) is refused, with
    the name to give instead.
    """
    fmt = given.strip().lower() if given is not None else None
    if fmt is not None and fmt not in REPORT_SUFFIXES:
        raise UserError(f"--format: {given!r} is not one of {', '.join(REPORT_SUFFIXES)}")
    if target is None:
        return fmt or "md", None
    if fmt is None:
        every = tuple(s for suffixes in REPORT_SUFFIXES.values() for s in suffixes)
        # A PDF is meant for printing: the HTML page is the one that prints.
        suggest = ".html" if Path(target).suffix.lower() == ".pdf" else ".md"
        output = _output(target, "-o", "the report", every, suggest)
        suffix = output.suffix.lower()
        fmt = next(f for f, suffixes in REPORT_SUFFIXES.items() if suffix in suffixes)
        return fmt, output
    return fmt, _output(target, "-o", f"the {FORMAT_NAMES[fmt]} report", REPORT_SUFFIXES[fmt])


def _name(text: str | None) -> str | None:
    """A name from the command line, without control characters; ``None`` when empty."""
    if text is None:
        return None
    return "".join(c for c in text if unicodedata.category(c) != "Cc").strip() or None


def _program_report(args: argparse.Namespace, fmt: str) -> str:
    """``report --program``: the program followed, week by week."""
    from stretch_coach import adherence
    from stretch_coach.routine.library import default_library
    from stretch_coach.routine.stages import find_program

    entry = find_program(default_library(args.library), args.program)
    with _open_store(create=False) as store:
        start = next((f.start for f in store.follows() if f.program_id == entry.id), None)
        if start is None:
            raise UserError(
                f"you do not follow {entry.id!r}; 'stretch-coach follow {entry.id}' starts it"
            )
        text = adherence.render(adherence.build(entry, start, store), fmt)
        _tell_unreadable(store)
    return text


# -- export and import -----------------------------------------------------


def export_history(args: argparse.Namespace) -> int:
    """``export FILE``: every session and diary entry as JSON, written a record at a time."""
    from stretch_coach.history import transfer
    from stretch_coach.outputs import atomic_output

    output = None if args.file == "-" else _output(args.file, "export", "the export", (".json",))
    with _open_store(create=False) as store:
        if output is None:
            counts = transfer.write_export(store, sys.stdout)
        else:
            try:
                with atomic_output(output) as out:
                    counts = transfer.write_export(store, out)
            except OSError as err:
                raise UserError(f"cannot write {output}: {_reason(err)}") from None
        _tell_unreadable(store)
    said = _record_counts(counts.sessions, counts.cramps, counts.checkins, counts.deletions)
    if output is None:
        print(f"Exported {said}.", file=sys.stderr)
    else:
        print(f"Exported {said} to {args.file}.")
    return 0


def _record_counts(sessions: int, cramps: int, checkins: int, deletions: int = 0) -> str:
    """``2 sessions and 1 diary entry``, with ``, 3 check-ins`` when there are any, and
    ``(and 1 deletion)`` for deleted entries and check-ins taken back, which are none of these.
    """
    from stretch_coach.words import plural

    entries = plural(cramps, "diary entry", "diary entries")
    if checkins:
        text = f"{plural(sessions, 'session')}, {entries} and {plural(checkins, 'check-in')}"
    else:
        text = f"{plural(sessions, 'session')} and {entries}"
    return text + (f" (and {plural(deletions, 'deletion')})" if deletions else "")


def import_history(args: argparse.Namespace) -> int:
    """``import FILE``: add what is not here yet; whole or not at all.

    The file is read twice, a record at a time: once to check all of it
    (a bad file writes nothing, not even a new empty history), once to merge
    it in one transaction.
    """
    from stretch_coach.history import transfer

    path = Path(args.file)
    transfer.check_file(path)
    with _open_store() as store:
        result = store.merge_records(transfer.iter_file(path))
    print(
        f"Imported {path}: "
        + _record_counts(
            result.sessions_added,
            result.cramps_added,
            result.checkins_added,
            result.deletions_added,
        )
        + " added, "
        f"{result.sessions_updated + result.cramps_updated + result.checkins_updated} updated, "
        f"{result.unchanged} already here."
        + (
            f" Programs followed: {result.follows_added} added, {result.follows_updated} updated."
            if result.follows_added or result.follows_updated
            else ""
        )
        + (
            f" Trials: {result.trials_added} added, {result.trials_updated} updated."
            if result.trials_added or result.trials_updated
            else ""
        )
    )
    return 0


# -- shared ----------------------------------------------------------------


def _json_indent(output: str | None) -> int | None:
    """Indent JSON for a person at a terminal; write it compactly (and faster) otherwise."""
    return 2 if output is None and sys.stdout.isatty() else None


def _print_json(value: object) -> None:
    import json

    print(json.dumps(value, indent=_json_indent(None), ensure_ascii=False))


def _open_store(*, create: bool = True) -> HistoryStore:
    """Open the history; tell the user (on stderr) if a damaged file was set aside."""
    from stretch_coach.history.store import HistoryStore

    store = HistoryStore.open(create=create)
    if store.notice:
        print(f"stretch-coach: {store.notice}", file=sys.stderr)
    return store


def _output(
    target: str, option: str, noun: str, suffixes: tuple[str, ...], suggest: str = ""
) -> Path:
    """A file to write, refused (as every command refuses it) if it would replace the
    history, the settings or a routine, or if its name does not say what it holds."""
    from stretch_coach.outputs import check_output

    return check_output(target, option=option, noun=noun, suffixes=suffixes, suggest=suggest)


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all, readable by the user only (health data)."""
    from stretch_coach.outputs import atomic_output

    try:
        with atomic_output(path, newline="") as out:
            out.write(text)
    except OSError as err:
        raise UserError(f"cannot write {path}: {_reason(err)}") from None


def _reason(err: OSError) -> str:
    import errno

    if err.errno == errno.ENOSPC:
        return "no space left on the disk; nothing was written"
    return err.strerror or str(err)
