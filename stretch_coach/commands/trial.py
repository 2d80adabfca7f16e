"""``trial start|status|result|stop``: a personal trial of the bedtime routine.

Nights are given by chance to "routine" or "rest" (see
:mod:`stretch_coach.history.trial`); the result compares them by arm, with
the nights as done beside it. Nothing here diagnoses: the caution before a
trial says, in the seed pages' words, when to see a doctor whatever the trial.
"""

from __future__ import annotations

import argparse
from typing import Any

from stretch_coach.errors import UserError


def register(subparsers: Any, shared: argparse.ArgumentParser) -> None:
    """Add ``trial`` and its actions."""
    trial = subparsers.add_parser(
        "trial",
        help="a personal trial: nights given by chance to a routine or rest",
        description="Does your bedtime routine help your nights? A trial gives each night by "
        "chance to 'routine' or 'rest' (one of each in every two nights) and compares them. "
        "It never replaces seeing a doctor, and a rest night never means stopping anything "
        "your doctor advised.",
    )
    trial.set_defaults(handler=_without_action)
    actions = trial.add_subparsers(title="actions", metavar="ACTION")

    start = actions.add_parser(
        "start",
        help="start a trial from tonight",
        description="Start a trial from tonight (from 03:00, the coming evening's night; it "
        "says which): each night is drawn by chance, in blocks of two, from the seed (kept in "
        "your history, so the nights are the same on any machine).",
    )
    start.add_argument("--weeks", metavar="N", required=True, help="how long: 1 to 52 weeks")
    start.add_argument("--seed", metavar="N", help="draw the nights from this seed (default: any)")
    start.set_defaults(handler=trial_start)

    status = actions.add_parser(
        "status",
        help="which tonight is",
        description="Which tonight is, routine or rest, named by its evening's date (from "
        "03:00 tonight is the coming evening's night); a stopped or ended trial says so, never "
        "what to do tonight.",
    )
    status.add_argument("--json", action="store_true", help="print JSON")
    status.set_defaults(handler=trial_status)

    result = actions.add_parser(
        "result",
        parents=[shared],
        help="what the trial's nights show",
        description="The trial's known nights by their arm, with the nights as done beside "
        "them, a 95% interval and an exact permutation test, and what it can and cannot show.",
    )
    result.add_argument("--json", action="store_true", help="print JSON")
    result.set_defaults(handler=trial_result)

    stop = actions.add_parser(
        "stop",
        help="stop the trial (at any time)",
        description="Stop the trial: the nights before tonight stay in it, and its result can "
        "still be read; tonight and later nights are no longer trial nights.",
    )
    stop.set_defaults(handler=trial_stop)


def _without_action(args: argparse.Namespace) -> int:
    raise UserError("trial: say what to do: start, status, result or stop")


def _whole(text: str, option: str, low: int, high: int) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise UserError(f"{option} {text!r}: not a whole number; give {low} to {high}") from None
    if not low <= value <= high:
        raise UserError(f"{option} {value}: out of range; give {low} to {high}")
    return value


def trial_start(args: argparse.Namespace) -> int:
    """``trial start --weeks N [--seed N]``."""
    import secrets

    from stretch_coach.commands.history import _open_store
    from stretch_coach.history import redflags, times
    from stretch_coach.history.nights import tonight
    from stretch_coach.history.trial import (
        MAX_SEED,
        MAX_WEEKS,
        caution,
        status_words,
        trial_nights,
    )

    weeks = _whole(args.weeks, "--weeks", 1, MAX_WEEKS)
    seed = _whole(args.seed, "--seed", 0, MAX_SEED) if args.seed else secrets.randbelow(2**32)
    now = times.now()
    first = tonight(now)
    with _open_store() as store:
        latest = store.latest_trial()
        if latest is not None and latest.running(first):
            raise UserError(
                f"a trial is already running (from the night of {latest.first_night} to "
                f"{latest.last_night}); `stretch-coach trial stop` ends it first"
            )
        for line in caution(list(redflags.ADVICE.values())):
            print(line)
        trial = store.start_trial(seed, first, trial_nights(weeks))
    print()
    print(
        f"Started a trial of {trial.nights} nights, from tonight, the night of "
        f"{trial.first_night}, to the night of {trial.last_night} (seed {trial.seed}: the "
        "same seed gives the same nights)."
    )
    print(status_words(trial, first))
    return 0


def trial_status(args: argparse.Namespace) -> int:
    """``trial status [--json]``: which tonight is."""
    import json

    from stretch_coach.commands.history import _open_store
    from stretch_coach.history import times
    from stretch_coach.history.nights import tonight
    from stretch_coach.history.trial import status_words

    night = tonight(times.now())
    with _open_store(create=False) as store:
        trial = store.latest_trial()
    if args.json:
        arm = trial.tonight_arm(night) if trial else None
        print(
            json.dumps(
                {
                    "trial": trial.to_json() if trial else None,
                    "tonight": night.isoformat(),
                    "arm": arm,
                    "night_number": (night - trial.first_night).days + 1 if arm and trial else None,
                    "running": bool(trial and trial.running(night)),
                },
                indent=2,
            )
        )
        return 0
    if trial is None:
        print("No trial. `stretch-coach trial start --weeks 4` starts one.")
        return 0
    print(status_words(trial, night))
    return 0


def trial_result(args: argparse.Namespace) -> int:
    """``trial result [--json]``: the trial's nights by arm and as done."""
    import json

    from stretch_coach.commands.history import _excluded_routines, _open_store, _tell_unreadable
    from stretch_coach.history import times
    from stretch_coach.history.trial import analyse, last_ended

    now = times.now()
    excluded = _excluded_routines(args)
    with _open_store(create=False) as store:
        trial = store.latest_trial()
        if trial is None:
            if args.json:
                print(json.dumps({"trial": None}))
            else:
                print("No trial. `stretch-coach trial start --weeks 4` starts one.")
            return 0
        nights = store.nights(since=trial.first_night, excluded_routines=excluded)
        _tell_unreadable(store)
    result = analyse(trial, nights, last_ended(now))
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
        return 0
    if trial.last_night < trial.first_night:
        print(f"The trial was stopped before its first night (the night of {trial.first_night}).")
        return 0
    if result.through < trial.first_night:
        print(f"No trial night has ended yet (the first is the night of {trial.first_night}).")
        return 0
    for line in result.lines():
        print(line)
    return 0


def trial_stop(args: argparse.Namespace) -> int:
    """``trial stop``: end the running trial; the nights before tonight stay in it."""
    from stretch_coach.commands.history import _open_store
    from stretch_coach.history import times
    from stretch_coach.history.nights import tonight
    from stretch_coach.history.trial import status_words, stop_from

    now = times.now()
    with _open_store(create=False) as store:
        trial = store.latest_trial()
        if trial is None or not trial.running(tonight(now)):
            print("No trial is running.")
            return 0
        stopped = store.stop_trial(trial, stop_from(trial, now))
    print(status_words(stopped, tonight(now)))
    return 0
