"""Command-line entry point.

Each sub-command lives in its own module under :mod:`stretch_coach.commands`
and registers itself with :func:`register`; this file only wires them up,
handles errors and exit codes. Nothing here imports Textual: the TUI is
imported only by the commands that open it, so ``stretch-coach list`` starts
about as fast as importing PyYAML.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from types import SimpleNamespace
from typing import TYPE_CHECKING, cast

from stretch_coach import __version__
from stretch_coach.errors import EXIT_BAD_INPUT, EXIT_INTERRUPTED, UserError
from stretch_coach.routine.errors import RoutineError

#: The environment variable ``--data-dir`` sets (see :mod:`stretch_coach.paths`).
DATA_DIR_ENV = "STRETCH_COACH_DATA_DIR"
#: Where the settings are (see :mod:`stretch_coach.paths`).
CONFIG_DIR_ENV = "STRETCH_COACH_CONFIG_DIR"

if TYPE_CHECKING:
    import argparse

#: The modules that add sub-commands, in the order ``--help`` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "stretch_coach.commands.library",
    "stretch_coach.commands.run",
    "stretch_coach.commands.history",
    "stretch_coach.commands.practitioner",
    "stretch_coach.commands.program",
    "stretch_coach.commands.trial",
)


def library_options() -> argparse.ArgumentParser:
    """Where things are (``--library``, ``--data-dir``): before any command, and after every one.

    The same options go on the program's parser, every command's and every
    action's (``diary add``), so ``stretch-coach --data-dir DIR history`` and
    ``stretch-coach history --data-dir DIR`` are the same.
    """
    import argparse

    parent = argparse.ArgumentParser(add_help=False)
    _add_place_options(parent)
    return parent


def _add_place_options(parent: argparse.ArgumentParser) -> None:
    import argparse

    parent.add_argument(
        "--library",
        metavar="DIR",
        action="append",
        default=argparse.SUPPRESS,
        help="also read routines from DIR (repeatable; also STRETCH_COACH_LIBRARY, "
        f"a {os.pathsep!r}-separated list)",
    )
    parent.add_argument(
        "--data-dir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="keep the history, the diary and your own routines in DIR (the same as "
        "STRETCH_COACH_DATA_DIR): one folder per patient keeps patients apart",
    )


def _everywhere(parser: argparse.ArgumentParser) -> None:
    """Give every command and action below ``parser`` the options of :func:`library_options`.

    Commands that do not read the library (``diary``, ``history``, ``export``)
    are registered without them; they still take ``--data-dir`` (and
    ``--library``, which they do not need) after their name, as every other
    command does, rather than an error about an invalid choice.
    """
    import argparse

    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        for command in dict.fromkeys(action.choices.values()):  # an alias is the same parser
            if "--data-dir" not in command._option_string_actions:
                _add_place_options(command)
            _everywhere(command)


def coach_options() -> argparse.ArgumentParser:
    """Options of the coach opened without a command (``run`` has its own)."""
    import argparse

    from stretch_coach.settings import AUDIO_CHOICES

    parent = argparse.ArgumentParser(add_help=False)
    # SUPPRESS keeps a sub-command's defaults from overwriting these (and vice versa).
    parent.add_argument(
        "--audio",
        choices=AUDIO_CHOICES,
        default=argparse.SUPPRESS,
        help="how cues sound, for this run only (default: the saved setting, else auto)",
    )
    parent.add_argument(
        "--no-voice",
        action="store_true",
        default=argparse.SUPPRESS,
        help="do not speak, for this run only (default: the saved setting, else speak)",
    )
    return parent


def command_parser_class() -> type[argparse.ArgumentParser]:
    """A parser class that is an error, with its own usage, for any argument it does not know."""
    import argparse

    class CommandParser(argparse.ArgumentParser):
        def parse_known_args(  # type: ignore[override]
            self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
        ) -> tuple[argparse.Namespace, list[str]]:
            parsed, extras = super().parse_known_args(args, namespace)
            if extras:
                self.error(f"unrecognized arguments: {' '.join(extras)}")
            return parsed, extras

    return CommandParser


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, with every registered sub-command."""
    import argparse

    from stretch_coach.settings import PRECEDENCE

    parser = argparse.ArgumentParser(
        prog="stretch-coach",
        description="A guided stretching coach: timed holds, reps and audio cues. "
        "With no command, opens the routine library.",
        epilog=f"Settings: {PRECEDENCE} The saved get-ready time applies to sessions and "
        "to the totals shown to you, not to --json output.",
        parents=[library_options(), coach_options()],
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.set_defaults(handler=None)
    # Each command's parser refuses what it does not know itself, so the error
    # comes with that command's usage, not the program's (its own sub-commands
    # are of the same class, so `diary add --bogus` gets `diary add`'s).
    subparsers = parser.add_subparsers(
        title="commands", metavar="COMMAND", parser_class=command_parser_class()
    )
    shared = library_options()
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers, shared)
    _everywhere(parser)
    return parser


def _open_library_tui(args: argparse.Namespace) -> int:
    from stretch_coach.commands.run import open_tui

    return open_tui(args, routine=None)


def _parse(argv: list[str]) -> argparse.Namespace:
    """Parse the command line; without a command, skip building every command's parser.

    Opening the coach is the most common start and the one people wait for,
    so it does not pay for the parsers of commands it will not run; with no
    arguments at all, not even for importing argparse.
    """
    if not argv:
        return cast("argparse.Namespace", SimpleNamespace(handler=None))
    import argparse

    if not {"-h", "--help", "--version"} & set(argv):
        quick = argparse.ArgumentParser(
            prog="stretch-coach", add_help=False, parents=[library_options(), coach_options()]
        )
        args, rest = quick.parse_known_args(argv)
        if not rest:
            args.handler = None
            return args
    return build_parser().parse_args(argv)


#: Options that parsers leave unset unless given (so one given before a command is not
#: undone by the command's own default), and their values when not given.
_UNSET_DEFAULTS: tuple[tuple[str, object], ...] = (
    ("library", list),
    ("audio", None),
    ("no_voice", False),
)


def _check_folders(data_dir: str | None) -> None:
    """Refuse a data or config folder that is a file (or lies inside one), for every command.

    Otherwise a file given as ``--data-dir`` reads as an empty history ("No
    sessions recorded yet") and every write fails later, deep inside.

    Args:
        data_dir: ``--data-dir`` as given on the command line, if it was.

    Raises:
        UserError: naming the folder as it was given, and the fix.
    """
    from stretch_coach import paths

    for folder, variable, option in (
        (paths.data_dir(), DATA_DIR_ENV, data_dir),
        (paths.config_dir(), CONFIG_DIR_ENV, None),
    ):
        for place in (folder, *folder.parents):
            if not place.exists():
                continue
            if place.is_dir():
                break
            if option is not None:
                source = f"--data-dir {option}"
            elif os.environ.get(variable, "").strip():
                source = f"{variable}={os.environ[variable]}"
            else:
                source = str(folder)
            what = "is a file" if place == folder else f"is inside the file {place}"
            raise UserError(f"{source}: {what}, not a folder; give a folder (made if missing)")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the process exit code."""
    args = _parse(list(sys.argv[1:] if argv is None else argv))
    # Options given before the command or after it (or not at all) are found
    # under the same names: every parser leaves them unset unless given.
    for name, default in _UNSET_DEFAULTS:
        if not hasattr(args, name):
            setattr(args, name, default() if callable(default) else default)
    data_dir = getattr(args, "data_dir", None)
    if data_dir:
        # As the environment variable: every part of the coach (and any process
        # it starts) then finds the data in the same place.
        os.environ[DATA_DIR_ENV] = os.path.abspath(os.path.expanduser(data_dir))
    handler = args.handler or _open_library_tui
    try:
        _check_folders(data_dir)
        return int(handler(args) or 0)
    except RoutineError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        return EXIT_BAD_INPUT
    except UserError as err:
        print(f"stretch-coach: {err.message}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("stretch-coach: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # `stretch-coach list | head`: the reader went away; that is fine.
        sys.stderr.close()
        return 0
