"""``list``, ``show``, ``validate`` and ``schema``: the routine library from the command line.

None of these import Textual; ``list`` costs little more than importing PyYAML.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    shared: argparse.ArgumentParser,
) -> None:
    p = subparsers.add_parser(
        "list",
        parents=[shared],
        help="list the routines in the library",
        description="List the routines in the library. The totals include your saved "
        "get-ready time, if you set one; --json gives each routine as written.",
    )
    p.add_argument(
        "--json", action="store_true", help="print JSON instead of a table (routines as written)"
    )
    p.set_defaults(handler=cmd_list)

    p = subparsers.add_parser(
        "show",
        parents=[shared],
        help="show a routine's steps, times, total and cues",
        description="Show a routine's steps, times and total. The times include your saved "
        "get-ready time, if you set one; --json gives the routine as written.",
    )
    p.add_argument("routine", metavar="ROUTINE", help="an id from the library or a routine file")
    p.add_argument(
        "--json", action="store_true", help="print the whole timeline as JSON (as written)"
    )
    p.add_argument("--full", action="store_true", help="also print every step's instructions")
    p.set_defaults(handler=cmd_show)

    p = subparsers.add_parser(
        "validate",
        parents=[shared],
        help="check routine files or folders (exit 2 if any is bad)",
        description="Check routine files or folders: every problem, located, and exit 2 if "
        "any file is invalid. Warnings (keys that do nothing, a long title, a sound that is "
        "not a WAV or cannot be heard) are printed too, and leave the exit code 0.",
    )
    p.add_argument("paths", metavar="PATH", nargs="+", type=Path, help="a routine file or a folder")
    p.set_defaults(handler=cmd_validate)

    p = subparsers.add_parser("schema", help="print the JSON Schema of the routine format")
    p.set_defaults(handler=cmd_schema)


def _saved_prepare() -> float | None:
    """The saved get-ready time (``None``: each routine's own).

    A bad settings file is the defaults, said in one line on standard error
    (the listing itself stays on standard output).
    """
    import sys

    from stretch_coach.settings import load_settings

    settings, warning = load_settings()
    if warning:
        print(f"stretch-coach: {warning}", file=sys.stderr)
    return settings.prepare


def _entry_summary(entry: Any, prepare: float | None = None) -> dict[str, Any]:
    """One routine as ``list`` shows it; totals with the get-ready time ``prepare``."""
    from stretch_coach.timeline import plan_total

    out: dict[str, Any] = {
        "id": entry.id,
        "title": entry.title,
        "kind": "routine",
        "origin": entry.origin,
        "path": str(entry.path),
        "valid": entry.valid,
    }
    if entry.valid:
        total, untimed = plan_total(entry, prepare)
        routine = entry.routine
        out.update(
            summary=routine.summary,
            tags=list(routine.tags),
            total_seconds=total,
            untimed_steps=untimed,
        )
    else:
        out["error"] = str(entry.problems[0])
    return out


def cmd_list(args: argparse.Namespace) -> int:
    from stretch_coach import paths
    from stretch_coach.routine.library import default_library
    from stretch_coach.words import plural, total_text

    library = default_library(args.library)
    # For the person, the totals they will play; for programs, the routines as written.
    prepare = None if args.json else _saved_prepare()
    from stretch_coach.commands.program import program_row

    rows = [_entry_summary(e, prepare) for e in library.entries]
    rows += [program_row(p) for p in library.programs]
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    width = max((len(r["id"]) for r in rows), default=2)
    for row in rows:
        if row["valid"] and row["kind"] == "program":
            print(f"{row['id']:<{width}}  {row['title']} ({row['length']})")
        elif row["valid"]:
            total = total_text(row["total_seconds"], row["untimed_steps"])
            tags = f"  [{', '.join(row['tags'])}]" if row["tags"] else ""
            print(f"{row['id']:<{width}}  {row['title']} ({total}){tags}")
        else:
            print(f"{row['id']:<{width}}  INVALID  {row['error']}")
    invalid = sum(1 for r in rows if not r["valid"])
    note = f", {invalid} invalid" if invalid else ""
    programs = len(library.programs)
    what = plural(len(rows), "routine")
    if programs:
        what = f"{plural(len(rows) - programs, 'routine')} and {plural(programs, 'program')}"
    print(f"\n{what}{note}. Your own routines go in {paths.user_routines_dir()}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from stretch_coach.coach import session_timeline
    from stretch_coach.routine.durations import format_seconds
    from stretch_coach.routine.library import cautions_of, default_library
    from stretch_coach.routine.stages import ProgramEntry
    from stretch_coach.words import step_work, total_text

    entry = default_library(args.library).find_any(args.routine)
    if isinstance(entry, ProgramEntry):
        from stretch_coach.commands.program import show_program

        return show_program(entry, as_json=args.json)
    # For the person, the times they will play; for programs, the routine as written.
    timeline = session_timeline(entry, None if args.json else _saved_prepare(), args.routine)
    cautions = cautions_of(entry)
    routine = entry.routine
    assert routine is not None
    if args.json:
        doc = {
            "id": routine.id,
            "title": routine.title,
            "urgent": routine.urgent,
            "cautions": list(cautions),
            "total_seconds": timeline.total,
            "untimed_steps": timeline.untimed_steps,
            "segments": [s.to_json() for s in timeline.segments],
            "cues": [c.to_json() for c in timeline.cues],
            "prompts": [
                {"at": p.at, "say": p.say, "segment": p.segment, "step": p.step}
                for p in timeline.prompts
            ],
        }
        print(json.dumps(doc, indent=2, ensure_ascii=False))
        return 0
    out = [f"{routine.title}  ({routine.id})"]
    if routine.summary:
        out.append(routine.summary)
    for line in cautions:
        out.append(f"  Caution: {line}")
    out.append("")
    for index, planned in enumerate(timeline.steps):
        length = timeline.step_length(index)
        when = format_seconds(length) if length is not None else "self-paced"
        out.append(f"{index + 1:>3}. {planned.name} - {step_work(planned)}  [{when}]")
        if getattr(args, "full", False):
            out.extend(_full_lines(planned.step))
    out.append("")
    out.append(f"Total: {total_text(timeline.total, timeline.untimed_steps)}")
    if routine.source:
        out.append(f"Source: {routine.source}")
    print("\n".join(out))
    return 0


def _full_lines(step: Any) -> list[str]:
    """A step's instructions (and picture) for ``show --full``, indented under it."""
    lines = []
    if step.instructions:
        lines += [f"       {line}" for line in step.instructions.strip().splitlines()]
    if step.image is not None:
        lines.append(f"       picture: {step.image.name}")
    return lines


def cmd_validate(args: argparse.Namespace) -> int:
    from stretch_coach.errors import UserError
    from stretch_coach.routine.library import Library, default_library
    from stretch_coach.words import plural

    for path in args.paths:
        if not path.exists():
            raise UserError(f"{path}: no such file or folder")
    fallback = default_library(args.library)
    library = Library.from_paths(args.paths, fallback=fallback)
    if not library.all_entries():
        raise UserError(f"no routine files (*.yaml, *.yml) in {', '.join(map(str, args.paths))}")
    every = library.all_entries()
    bad = [e for e in every if not e.valid]
    for entry in bad:
        for problem in entry.problems:
            print(problem, file=sys.stderr)
    good = len(every) - len(bad)
    _warn_about_room(e for e in library.entries if e.valid)
    _lint(e for e in library.entries if e.valid)
    if bad:
        # Name the files as they are: routines, programs, or files when both.
        kinds = {_kind_of(entry) for entry in every}
        kind = kinds.pop() if len(kinds) == 1 else "file"
        print(f"{len(bad)} of {plural(len(every), kind)} invalid", file=sys.stderr)
        return 2
    programs = sum(1 for p in library.programs if p.valid)
    if programs:
        print(f"ok: {plural(good - programs, 'routine')} and {plural(programs, 'program')} valid")
        return 0
    print(f"ok: {plural(good, 'routine')} valid")
    return 0


def _kind_of(entry: Any) -> str:
    """``program`` or ``routine``: what a file is, even when it is invalid (an invalid
    program is listed among the routines; the loader said what it read)."""
    from stretch_coach.routine.stages import ProgramEntry

    return "program" if isinstance(entry, ProgramEntry) or entry.program_file else "routine"


def _warn_about_room(entries: Any) -> None:
    """Warn (without failing) where a routine leaves the voice no room to name a step."""
    import functools

    from stretch_coach.audio.wavs import sound_seconds
    from stretch_coach.engine.speech import room_warnings
    from stretch_coach.timeline import TimelineTooLong, timeline_for

    # Each sound's length read once for the whole run (a library's routines
    # play the same few shipped sounds), not once a routine.
    lengths = functools.lru_cache(maxsize=None)(sound_seconds)
    for entry in entries:
        try:
            timeline = timeline_for(entry)
        except TimelineTooLong:
            continue
        for index, message in room_warnings(timeline, lengths):
            planned = timeline.steps[index]
            own = entry.routine is not None and planned.routine_id == entry.routine.id
            where = f"{entry.path}:{planned.step.line}" if own else f"{entry.path}"
            inside = "" if own else f" (in included {planned.routine_id!r})"
            print(f"{where}: warning{inside}: {message}", file=sys.stderr)


def _lint(entries: Any) -> None:
    """Warn (without failing) about what a valid file says that will not do what it means."""
    from stretch_coach.routine.lint import lint_routine, warning_line

    for entry in entries:
        for warning in lint_routine(entry.routine, entry.shown):
            print(warning_line(warning), file=sys.stderr)


def cmd_schema(args: argparse.Namespace) -> int:
    from stretch_coach.routine.spec import json_schema

    print(json.dumps(json_schema(), indent=2))
    return 0
