"""Programs from the command line: how ``list`` and ``show`` give one, and
``follow``, ``unfollow`` and ``today``.

A program's totals come from the one timeline function
(:func:`stretch_coach.timeline.plan_total`), over its stage's routine with
the changes applied; the person's saved get-ready time applies only when a
session plays, so these are the program as written.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stretch_coach.routine.stages import ProgramEntry, StagePlan


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    shared: argparse.ArgumentParser,
) -> None:
    p = subparsers.add_parser(
        "follow",
        parents=[shared],
        help="follow a program from a start day",
        description="Follow a program: its week 1 is the start day and the six days after "
        "it. Kept in your history (and in its export).",
    )
    p.add_argument("program", metavar="PROGRAM", help="a program's id or file")
    p.add_argument(
        "--start",
        metavar="YYYY-MM-DD",
        help="the program's first day (default: today)",
    )
    p.set_defaults(handler=cmd_follow)

    p = subparsers.add_parser(
        "unfollow",
        parents=[shared],
        help="stop following a program",
        description="Stop following a program. Sessions already played stay in your history.",
    )
    p.add_argument("program", metavar="PROGRAM", help="a program's id")
    p.set_defaults(handler=cmd_unfollow)

    p = subparsers.add_parser(
        "today",
        parents=[shared],
        help="what the programs you follow ask of you today",
        description="For every program you follow: the week, the stage, the routine with its "
        "changes, its total, and how many sessions are due and done today and this week. "
        "A day runs from 03:00 to 03:00, so a session at 00:30 counts for the evening before.",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="ask about another day (default: today)")
    p.set_defaults(handler=cmd_today)

    p = subparsers.add_parser(
        "remind",
        parents=[shared],
        help="a daily desktop reminder of what is due",
        description="Remind you every day (or on the days given) of what the programs you "
        "follow ask: on Linux with a systemd user instance, a user timer that runs "
        "'stretch-coach notify'; elsewhere, the crontab line to add.",
    )
    when = p.add_mutually_exclusive_group(required=True)
    when.add_argument("--at", metavar="HH:MM", help="the time of day, e.g. 21:30")
    when.add_argument("--off", action="store_true", help="remove the reminder")
    p.add_argument("--days", metavar="mon,tue,...", help="only on these days (default: every day)")
    p.add_argument(
        "--print",
        action="store_true",
        dest="print_only",
        help="show what would be installed, without installing it",
    )
    p.set_defaults(handler=cmd_remind)

    p = subparsers.add_parser(
        "notify",
        parents=[shared],
        help="a desktop notification if a session is due (what the reminder runs)",
    )
    p.set_defaults(handler=cmd_notify)


# -- list and show ---------------------------------------------------------------------


def length_text(entry: ProgramEntry) -> str:
    """``program: 4 weeks, daily``."""
    assert entry.program is not None
    weeks = entry.program.weeks
    return f"program: {weeks} week{'s' if weeks != 1 else ''}, {entry.program.schedule.text}"


def program_row(entry: ProgramEntry) -> dict[str, Any]:
    """A program as ``list`` (and ``list --json``) shows it."""
    out: dict[str, Any] = {
        "id": entry.id,
        "title": entry.title,
        "kind": "program",
        "origin": entry.origin,
        "path": str(entry.path),
        "valid": entry.valid,
    }
    if entry.valid:
        assert entry.program is not None
        out.update(
            weeks=entry.program.weeks,
            schedule=entry.program.schedule.text,
            after=entry.program.after,
            summary=entry.program.summary,
            tags=list(entry.program.tags),
            length=length_text(entry),
        )
    else:
        out["error"] = str(entry.problems[0])
    return out


def stage_total(stage: StagePlan) -> tuple[float, int]:
    """A stage's timed total and self-paced steps, by the routine's timeline with its changes."""
    from stretch_coach.timeline import plan_total

    return plan_total(stage.entry)


def stage_json(stage: StagePlan) -> dict[str, Any]:
    """One stage as ``show --json`` gives it."""
    from stretch_coach.routine.program import changes_json

    total, untimed = stage_total(stage)
    return {
        "weeks": [stage.first_week, stage.last_week],
        "routine": stage.routine.id,
        "changes": changes_json(stage.stage.changes),
        "total_seconds": total,
        "untimed_steps": untimed,
    }


def program_json(entry: ProgramEntry) -> dict[str, Any]:
    """A valid program as ``show --json`` gives it."""
    program = entry.program
    assert program is not None
    return {
        "id": program.id,
        "title": program.title,
        "kind": "program",
        "schedule": program.schedule.text,
        "after": program.after,
        "cautions": list(program.caution),
        "stages": [stage_json(stage) for stage in entry.stages],
    }


def weeks_text(stage: StagePlan) -> str:
    """``week 1`` or ``weeks 3-4``."""
    if stage.first_week == stage.last_week:
        return f"week {stage.first_week}"
    return f"weeks {stage.first_week}-{stage.last_week}"


def show_program(entry: ProgramEntry, *, as_json: bool) -> int:
    """``stretch-coach show PROGRAM``."""
    from stretch_coach.routine.stages import changes_text
    from stretch_coach.words import total_text

    if as_json:
        print(json.dumps(program_json(entry), indent=2, ensure_ascii=False))
        return 0
    program = entry.program
    assert program is not None
    after = (
        "then the last stage goes on" if program.after == "keep" else "then the program is complete"
    )
    out = [f"{program.title}  ({program.id})"]
    if program.summary:
        out.append(program.summary)
    out.append(f"{length_text(entry).capitalize()}; {after}.")
    for line in program.caution:
        out.append(f"  Caution: {line}")
    out.append("")
    for stage in entry.stages:
        total, untimed = stage_total(stage)
        out.append(
            f"Stage {stage.number}, {weeks_text(stage)}: {stage.routine.title} "
            f"({stage.routine.id}), {total_text(total, untimed)}"
        )
        out.append(f"    changes: {changes_text(stage)}")
    if program.source:
        out.append("")
        out.append(f"Source: {program.source}")
    print("\n".join(out))
    return 0


# -- follow, unfollow, today -------------------------------------------------------------


def cmd_follow(args: argparse.Namespace) -> int:
    from stretch_coach import agenda
    from stretch_coach.routine.library import default_library
    from stretch_coach.routine.stages import find_program

    library = default_library(args.library)
    entry = find_program(library, args.program)
    if library.get_program(entry.id) is not entry:
        # A program file from elsewhere: what is followed is an id, which `today`,
        # the coach and the reports look up in the library, and would not find.
        from stretch_coach.errors import UserError

        raise UserError(
            f"{args.program}: not in your library, so 'today' and the coach could not find "
            f"it; install it first (stretch-coach install {args.program}), "
            f"then follow {entry.id!r}"
        )
    start = agenda.parse_start(args.start) if args.start else agenda.program_day(agenda.now())
    agenda.follow(entry.id, start)
    print(f"Following {entry.title} ({entry.id}) from {start.isoformat()}.")
    return 0


def cmd_unfollow(args: argparse.Namespace) -> int:
    from stretch_coach import agenda

    if not agenda.unfollow(args.program):
        from stretch_coach.errors import UserError

        raise UserError(
            f"you do not follow {args.program!r}; 'stretch-coach today' lists what you follow"
        )
    print(f"No longer following {args.program}.")
    return 0


def cmd_today(args: argparse.Namespace) -> int:
    from stretch_coach import agenda
    from stretch_coach.routine.library import default_library
    from stretch_coach.words import total_text

    day = agenda.parse_day_option(args.date) if args.date else agenda.program_day(agenda.now())
    import sys

    missing: list[str] = []
    items = agenda.today(default_library(args.library), day, missing=missing)
    for program_id in missing:
        print(
            f"stretch-coach: you follow {program_id!r}, which is not in the library or is "
            f"invalid ('stretch-coach validate' says why; 'unfollow {program_id}' stops it)",
            file=sys.stderr,
        )
    if args.json:
        print(json.dumps([item.to_json() for item in items], indent=2, ensure_ascii=False))
        return 0
    # The personal trial's night, for today only (another --date asks about programs).
    trial_line = agenda.trial_tonight(agenda.now()) if not args.date else None
    if trial_line:
        print(trial_line)
    if not items:
        print("You follow no program. 'stretch-coach follow PROGRAM' starts one.")
        return 0
    for item in items:
        print(item.headline())
        if item.stage is not None and item.status == "active":
            total = total_text(item.total_seconds, item.untimed_steps)
            print(f"    {item.routine_title} ({item.routine}), {total}")
            print(f"    changes: {item.changes}")
            print(
                f"    today: {item.done_today} of {item.due_today} done; "
                f"this week: {item.done_this_week} of {item.due_this_week} done"
            )
    return 0


# -- reminders ---------------------------------------------------------------------------------


def cmd_remind(args: argparse.Namespace) -> int:
    import os
    import shutil
    import sys

    from stretch_coach import reminders

    if args.off:
        if args.print_only:
            print(f"would remove {reminders.unit_dir() / reminders.UNIT_NAME}.timer and .service")
            return 0
        if reminders.has_systemd_user():
            removed = reminders.remove()
            print("Reminder removed." if removed else "There was no reminder to remove.")
        else:
            print("Remove the stretch-coach line from your crontab ('crontab -e').")
        return 0
    when = reminders.parse_when(args.at, args.days)
    program = shutil.which("stretch-coach") or os.path.abspath(sys.argv[0])
    argv = reminders.command_line(program, os.environ.get("STRETCH_COACH_DATA_DIR"), args.library)
    systemd = reminders.has_systemd_user()
    if args.print_only:
        if systemd:
            folder = reminders.unit_dir()
            print(f"# {folder / reminders.UNIT_NAME}.service")
            print(reminders.service_unit(argv))
            print(f"# {folder / reminders.UNIT_NAME}.timer")
            print(reminders.timer_unit(when), end="")
        else:
            print(reminders.crontab_line(when, argv))
        return 0
    if not systemd:
        print("No systemd user instance here: add this line to your crontab ('crontab -e'):")
        print(reminders.crontab_line(when, argv))
        return 0
    files = reminders.install(when, argv)
    print(f"Reminder set: {reminders.on_calendar(when)}; units in {files[0].parent}.")
    return 0


def cmd_notify(args: argparse.Namespace) -> int:
    from stretch_coach import agenda, reminders
    from stretch_coach.routine.library import default_library

    items = agenda.today(default_library(args.library), agenda.program_day(agenda.now()))
    text = reminders.message(items)
    if text is not None:
        reminders.notify(text)
    return 0
