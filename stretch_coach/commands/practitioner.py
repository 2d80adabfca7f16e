"""For practitioners: ``handout``, ``pack``, ``install``, ``uninstall``, ``new`` and ``watch``.

A physiotherapist writes a routine (``new``, then ``watch`` while editing),
prints it for the patient (``handout``), and sends it with its sounds and
pictures as one file (``pack``), which the patient installs in one command
(``install``, undone by ``uninstall``). None of these import Textual.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from stretch_coach.errors import EXIT_INTERRUPTED, UserError

#: How often ``watch`` looks at the file, in seconds.
WATCH_INTERVAL = 0.3
HANDOUT_SUFFIXES = (".pdf", ".html", ".htm")


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    shared: argparse.ArgumentParser,
) -> None:
    p = subparsers.add_parser(
        "handout",
        parents=[shared],
        help="a routine on paper for a patient (HTML, or PDF with -o FILE.pdf)",
        description="Write a handout a patient can follow on paper: every step with its "
        "instructions, dose and picture, the cautions, the source, and how to do it with "
        "the coach. Without -o, the HTML page goes to standard output.",
    )
    p.add_argument("routine", metavar="ROUTINE", help="an id from the library or a routine file")
    p.add_argument("-o", "--output", metavar="FILE", type=Path, help="FILE.pdf or FILE.html")
    p.add_argument("--for", dest="patient", metavar="NAME", help="the patient's name")
    p.add_argument("--note", metavar="TEXT", help="a note from you, shown near the top")
    p.set_defaults(handler=cmd_handout)

    p = subparsers.add_parser(
        "pack",
        parents=[shared],
        help="put routines or programs, with the routines, sounds and pictures they need, "
        "in one .zip",
    )
    p.add_argument(
        "routines", metavar="ROUTINE|PROGRAM", nargs="+", help="ids, routine or program files"
    )
    p.add_argument("-o", "--output", metavar="FILE.zip", type=Path, required=True)
    p.add_argument("--author", metavar="NAME", help="who made the pack (kept in its manifest)")
    p.set_defaults(handler=cmd_pack)

    p = subparsers.add_parser(
        "install",
        parents=[shared],
        help="install a pack (.zip), a routine or program file, or a folder into your "
        "routine folder",
    )
    p.add_argument("source", metavar="FILE.zip|FILE.yaml|DIR", type=Path)
    p.add_argument(
        "--replace", action="store_true", help="replace your own routines that have the same ids"
    )
    p.set_defaults(handler=cmd_install)

    p = subparsers.add_parser(
        "uninstall", parents=[shared], help="remove one of your installed routines"
    )
    p.add_argument("routine_id", metavar="ID")
    p.set_defaults(handler=cmd_uninstall)

    p = subparsers.add_parser(
        "new", parents=[shared], help="write a commented starting routine to edit"
    )
    p.add_argument("routine_id", metavar="ID", nargs="?", default="my-routine")
    p.add_argument(
        "-o", "--output", metavar="FILE", type=Path, help="write here (default: your folder)"
    )
    p.set_defaults(handler=cmd_new)

    p = subparsers.add_parser(
        "watch",
        parents=[shared],
        help="check a routine and show it again every time it is saved (Ctrl+C stops)",
    )
    p.add_argument("file", metavar="FILE", type=Path)
    p.add_argument("--full", action="store_true", help="show every step's instructions")
    p.set_defaults(handler=cmd_watch)


# -- handout -------------------------------------------------------------------


def write_output(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` whole or not at all (a temporary file renamed over it).

    ``target`` has passed :func:`stretch_coach.outputs.check_output`.
    """
    folder = target.parent
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=folder)
    # mkstemp makes the file private; a handout or a pack is meant to be shared
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.chmod(tmp, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def cmd_handout(args: argparse.Namespace) -> int:
    from stretch_coach.handout.document import build_handout
    from stretch_coach.handout.html import render_html
    from stretch_coach.outputs import check_output
    from stretch_coach.routine.library import default_library

    target: Path | None = args.output
    if target is not None:
        target = check_output(
            target, option="-o", noun="the handout", suffixes=HANDOUT_SUFFIXES, library=args.library
        )
    entry = default_library(args.library).find(args.routine)
    handout = build_handout(entry, patient=args.patient, note=args.note)
    if target is None:
        sys.stdout.write(render_html(handout))
        return 0
    if target.suffix.lower() == ".pdf":
        from stretch_coach.handout.pdf import render_pdf

        data = render_pdf(handout)
    else:
        data = render_html(handout).encode("utf-8")
    write_output(target, data)
    print(f"wrote {target}")
    return 0


# -- packs ---------------------------------------------------------------------


def cmd_pack(args: argparse.Namespace) -> int:
    from stretch_coach.outputs import check_output
    from stretch_coach.packs import make_pack
    from stretch_coach.routine.library import Entry, default_library
    from stretch_coach.routine.stages import ProgramEntry
    from stretch_coach.words import plural

    target = check_output(
        args.output, option="-o", noun="the pack", suffixes=(".zip",), library=args.library
    )
    library = default_library(args.library)
    found = [library.find_any(ref) for ref in args.routines]
    for entry in found:
        if entry.origin == "bundled":
            raise UserError(
                f"{entry.id!r} comes with stretch-coach: every patient has it already; "
                f"the handout says how to play it (stretch-coach handout {entry.id})"
            )
    entries = [e for e in found if isinstance(e, Entry)]
    programs = [e for e in found if isinstance(e, ProgramEntry)]
    data, manifest = make_pack(library, entries, author=args.author, programs=programs)
    write_output(target, data)
    ids = ", ".join(r["id"] for r in [*manifest["programs"], *manifest["routines"]])
    print(f"wrote {target}: {ids} ({plural(len(manifest['files']), 'file')})")
    if manifest["requires"]:
        print(f"uses routines that come with stretch-coach: {', '.join(manifest['requires'])}")
    print(f"the patient installs it with: stretch-coach install {target.name}")
    return 0


def cmd_install(args: argparse.Namespace) -> int:
    from stretch_coach.commands.program import length_text
    from stretch_coach.packs import install, plan_install
    from stretch_coach.timeline import timeline_for
    from stretch_coach.words import total_text

    plan, _ = plan_install(args.source, args.library, replace=args.replace)
    print(f"Installing into {plan.folder}:")
    for entry in plan.entries:
        assert entry.routine is not None
        timeline = timeline_for(entry)
        print(f"  {entry.id}  {entry.title} ({total_text(timeline.total, timeline.untimed_steps)})")
    for program in plan.programs:
        print(f"  {program.id}  {program.title} ({length_text(program)})")
    for replaced in plan.replaced:
        print(f"  replaces your {replaced.id} ({replaced.shown})")
    kept = install(plan)
    if kept is not None:
        print(f"The files replaced are kept in {kept}")
    if plan.programs:
        follows = " or ".join(f"stretch-coach follow {p.id}" for p in plan.programs)
        print(f"Installed. Follow it with: {follows} ('stretch-coach today' then says what is due)")
        return 0
    plays = " or ".join(f"stretch-coach run {i}" for i in plan.mains)
    print(f"Installed. Play it with: {plays}")
    return 0


def cmd_uninstall(args: argparse.Namespace) -> int:
    from stretch_coach.packs import uninstall

    entry, kept = uninstall(args.routine_id, args.library)
    where = f"its files are kept in {kept}" if kept.is_dir() else f"its file is kept as {kept}"
    print(f"uninstalled {entry.id} ({entry.title}); {where}")
    return 0


# -- new -----------------------------------------------------------------------

NEW_ROUTINE = """\
# A starting routine for stretch-coach. Edit it, then check it with:
#   stretch-coach validate {file}
#   stretch-coach show {file} --full
# (or keep 'stretch-coach watch {file}' open while you edit).
# Every key is explained in docs/routine-format.md.
format: 1
{id_line}title: My routine
summary: One line that says what the routine is for.
tags: [bedtime, calf]
# Where the advice comes from, for your patient and your colleagues.
source: Your clinic's advice sheet
# Shown before the routine starts, and on the handout.
caution:
  - Stop if a stretch causes sharp pain.
defaults:
  prepare: 5s     # the get-ready countdown before each timed step
  switch: 5s      # the pause while changing sides
steps:
  # A hold step: 30 s, twice on each side, 10 s rest between the holds.
  - name: Wall calf stretch
    instructions: >
      Hands on the wall, one foot back, heel down. Lean forward slowly
      until you feel the stretch in your calf.
    hold: 30s
    reps: 2
    rest: 10s
    sides: [left, right]
    # image: pictures/wall-stretch.png   # a picture beside this file, for the handout
  # Paced reps: 10 repetitions of 4 s each, two sets, 1 min between sets.
  - name: Heel raises
    instructions: Rise onto your toes with each sound, then lower slowly.
    reps: 10
    tempo: 4s
    sets: 2
    set_rest: 1m
  # A manual step: done when the person says so.
  - name: Loosen your sheets
    instructions: Keep the covers loose over your feet.
"""


def new_routine_text(routine_id: str, file_name: str, id_line: bool) -> str:
    """The starting routine, with an ``id:`` line when the file name is not the id."""
    return NEW_ROUTINE.format(file=file_name, id_line=f"id: {routine_id}\n" if id_line else "")


def cmd_new(args: argparse.Namespace) -> int:
    import re

    from stretch_coach import paths
    from stretch_coach.outputs import check_output
    from stretch_coach.routine.folders import ROUTINE_SUFFIXES
    from stretch_coach.routine.library import default_library
    from stretch_coach.routine.spec import SLUG_PATTERN

    routine_id: str = args.routine_id
    if not re.match(SLUG_PATTERN, routine_id):
        raise UserError(
            f"{routine_id!r} is not a valid id: use lower-case letters, digits and '-', "
            "e.g. calf-rehab-week-2"
        )
    target: Path | None = args.output
    if target is None:
        taken = default_library(args.library).get(routine_id)
        if taken is not None:
            raise UserError(
                f"id {routine_id!r} is already used by {taken.shown}; "
                "give another: stretch-coach new ID"
            )
        target = paths.ensure_dir(paths.user_routines_dir()) / f"{routine_id}.yaml"
    target = check_output(
        target,
        option="-o" if args.output is not None else "",
        noun="the new routine",
        suffixes=ROUTINE_SUFFIXES,
        library=args.library,
        routine=True,
    )
    text = new_routine_text(routine_id, target.name, id_line=target.stem != routine_id)
    try:
        with open(target, "x", encoding="utf-8") as fh:  # "x": never over a file made meanwhile
            fh.write(text)
    except FileExistsError:
        raise UserError(f"{target}: that file already exists, and is left as it is") from None
    print(f"wrote {target}; edit it, then: stretch-coach show {target} --full")
    return 0


# -- watch ---------------------------------------------------------------------


def _signature(files: list[Path]) -> tuple[tuple[int, int, int] | None, ...]:
    out: list[tuple[int, int, int] | None] = []
    for path in files:
        try:
            st = path.stat()
        except OSError:
            out.append(None)
            continue
        out.append((st.st_mtime_ns, st.st_size, st.st_ino))
    return tuple(out)


def _show_once(args: argparse.Namespace, path: Path) -> list[Path]:
    """Validate and show the file; return the files to watch (it, its includes, sounds)."""
    from stretch_coach.commands.library import cmd_show
    from stretch_coach.routine.errors import RoutineError

    watched = [path, path.parent]
    show_args = argparse.Namespace(
        routine=str(path), json=False, full=args.full, library=args.library
    )
    try:
        cmd_show(show_args)
    except RoutineError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
    except UserError as err:
        print(f"stretch-coach: {err.message}", file=sys.stderr)
    else:
        try:
            from stretch_coach.packs import collect
            from stretch_coach.routine.library import default_library
            from stretch_coach.routine.lint import lint_routine, warning_line

            library = default_library(args.library)
            entry = library.find(str(path))
            if entry.routine is not None:  # validate's warnings too, as the author saves
                for warning in lint_routine(entry.routine, entry.shown):
                    print(warning_line(warning), file=sys.stderr)
            collected = collect(library, [entry])
            watched += [f for files in collected.roots.values() for f in files]
        except (RoutineError, UserError):
            pass
    sys.stdout.flush()
    sys.stderr.flush()
    return watched


def cmd_watch(args: argparse.Namespace) -> int:
    """Show the routine again every time it (or a file it uses) changes, until Ctrl+C."""
    path: Path = args.file
    if not path.exists():
        raise UserError(f"{path}: no such routine file")
    watched: list[Path] = [path]
    last = None
    try:
        deadline = time.monotonic()
        while True:
            now = _signature(watched)
            if now != last:
                print(f"--- {time.strftime('%H:%M:%S')} {path}", flush=True)
                watched = _show_once(args, path)
                last = _signature(watched)
                print(f"--- watching {path}; Ctrl+C stops", flush=True)
            # deadlines from one monotonic clock: a slow check does not stretch the
            # interval, and after a suspend the loop starts again from now
            deadline += WATCH_INTERVAL
            delay = deadline - time.monotonic()
            if delay < -WATCH_INTERVAL:
                deadline, delay = time.monotonic(), 0.0
            time.sleep(max(0.0, delay))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
