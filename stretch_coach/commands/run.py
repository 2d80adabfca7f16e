"""``stretch-coach run ROUTINE``: placeholder until the session engine lands."""

from __future__ import annotations

import argparse

from stretch_coach.errors import UserError


def register(subparsers: argparse._SubParsersAction, shared: argparse.ArgumentParser) -> None:
    p = subparsers.add_parser("run", parents=[shared], help="play a routine")
    p.add_argument("routine", metavar="ROUTINE", help="an id from the library or a routine file")
    p.set_defaults(handler=lambda args: open_tui(args, args.routine))


def open_tui(args: argparse.Namespace, routine: str | None) -> int:
    raise UserError("the coach's screens are not built yet", exit_code=1)
