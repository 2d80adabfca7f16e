"""``stretch-coach run ROUTINE``: play a routine in the coach's screens, or ``--plain`` as text."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    shared: argparse.ArgumentParser,
) -> None:
    import argparse

    from stretch_coach.settings import AUDIO_CHOICES, PRECEDENCE

    p = subparsers.add_parser(
        "run",
        parents=[shared],
        help="play a routine",
        description="Play a routine: timed holds, reps and audio cues. Opens the coach's "
        "screens, or with --plain writes one line per phase (for screen readers and logs).",
        epilog=f"{PRECEDENCE} Both ways of running use your saved audio, voice and get-ready time.",
    )
    p.add_argument("routine", metavar="ROUTINE", help="an id from the library or a routine file")
    p.add_argument(
        "--plain",
        action="store_true",
        help="plain text instead of the full screen: one line per phase, a live countdown "
        "only on a terminal; keys: space pause, n next, b back, r restart, Enter done, "
        "c count a rep, q quit",
    )
    p.add_argument(
        "--audio",
        choices=AUDIO_CHOICES,
        # Unset unless given, so `stretch-coach --audio none run X` is not undone by a
        # default here (the CLI fills in None and False when neither gives one).
        default=argparse.SUPPRESS,
        help="how cues sound, for this run only: auto (a sound player, else the terminal "
        "bell), playsound3, bell or none (default: the saved setting, else auto)",
    )
    p.add_argument(
        "--no-voice",
        action="store_true",
        default=argparse.SUPPRESS,
        help="do not speak step names and prompts, for this run only "
        "(default: the saved setting, else speak)",
    )
    p.add_argument(
        "--cue-log",
        metavar="FILE",
        help="write one JSON line per cue fired to FILE (planned and measured times)",
    )
    p.set_defaults(handler=cmd_run)


def cmd_run(args: argparse.Namespace) -> int:
    """Play ``args.routine``: as text with ``--plain``, else in the coach's screens."""
    if args.plain:
        from stretch_coach.plain import run_plain

        return run_plain(args)
    return open_tui(args, args.routine)


def open_tui(args: argparse.Namespace, routine: str | None) -> int:
    """Open the Textual coach (the library when ``routine`` is ``None``)."""
    from stretch_coach.tui.app import run_app

    return run_app(args, routine)
