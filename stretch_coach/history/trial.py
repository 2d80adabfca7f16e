"""A personal trial: nights assigned by chance to "routine" or "rest", and what they show.

A trial starts with tonight (:func:`stretch_coach.history.nights.tonight`:
in the morning, the coming evening's night) and lasts a whole number of *blocks* of two
nights. In each block one night is "routine" (do the bedtime routine) and
the other "rest" (no bedtime routine that night), in an order drawn by
chance, so the two arms always hold the same number of nights.

The draw is a pure function of the trial's seed (:func:`assignment`): block
``b`` puts "routine" first when ``random.Random(f"{seed}:{b}").random() <
0.5``. A text seed is hashed with SHA-512 by :class:`random.Random`, the same
on every Python 3 build, so the stored seed and first night give the same
nights on any machine, for ever.

The result (:func:`analyse`) compares the known nights of the trial (the
night rules of :mod:`stretch_coach.history.nights`) by their assigned arm,
with the comparison as done beside it, Newcombe's interval for the
difference, and an exact permutation test: under "the routine makes no
difference", every one of the ``2 ** blocks`` ways of swapping the two nights
of each block was as likely as the one drawn. The p-value is the share of
them giving a difference at least as large (either sign) as the one seen.
They are counted exactly, by summing over the blocks one at a time (the same
count as listing every swap, in far fewer steps).

A trial never replaces seeing a doctor, and a "rest" night never means
stopping anything a doctor advised: :func:`caution` says so before it
starts, in the seed pages' words (:data:`stretch_coach.history.redflags.ADVICE`).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction
from typing import Any, Literal

from stretch_coach.history.insight import MIN_NIGHTS, Comparison, compare
from stretch_coach.history.nights import NIGHT_ENDS_HOUR, Night, tonight
from stretch_coach.words import plural

Arm = Literal["routine", "rest"]
ARMS: tuple[Arm, Arm] = ("routine", "rest")
#: The longest trial, in weeks.
MAX_WEEKS = 52
#: The largest seed (SQLite stores a signed 64-bit whole number).
MAX_SEED = 2**63 - 1
#: Up to this many blocks the swaps are counted exactly (always, for a trial of MAX_WEEKS).
MAX_EXACT_BLOCKS = 200

_DAY = timedelta(days=1)


def trial_nights(weeks: int) -> int:
    """How many nights a trial of ``weeks`` weeks has: whole blocks of two (an odd count of
    nights gets one more, so that no block is left half)."""
    nights = 7 * weeks
    return nights + nights % 2


def block_first(seed: int, block: int) -> Arm:
    """The arm of the first night of ``block`` (from 0), drawn from ``seed``."""
    return "routine" if random.Random(f"{seed}:{block}").random() < 0.5 else "rest"


def assignment(seed: int, nights: int) -> list[Arm]:
    """The arm of each of ``nights`` nights (an even number), from ``seed`` alone.

    Each block of two holds one "routine" night and one "rest" night.
    """
    if nights < 0 or nights % 2:
        raise ValueError(f"nights must be an even number from 0, not {nights!r}")
    arms: list[Arm] = []
    for block in range(nights // 2):
        first = block_first(seed, block)
        arms += [first, "rest" if first == "routine" else "routine"]
    return arms


@dataclass(frozen=True)
class Trial:
    """A trial as stored.

    Attributes:
        uuid: its identity across copies of the history.
        seed: the seed the nights are drawn from.
        first_night: its first night (by its evening's date).
        nights: how many nights it was planned for (even).
        stopped_from: if stopped early, the first night no longer in it.
    """

    uuid: str
    seed: int
    first_night: date
    nights: int
    stopped_from: date | None = None

    @property
    def planned_last(self) -> date:
        """The last night it was planned for."""
        return self.first_night + (self.nights - 1) * _DAY

    @property
    def last_night(self) -> date:
        """Its last night: the planned one, or the night before it was stopped."""
        if self.stopped_from is not None:
            return min(self.planned_last, self.stopped_from - _DAY)
        return self.planned_last

    def arms(self) -> dict[date, Arm]:
        """Each night of the trial (up to :attr:`last_night`) with its arm."""
        return {
            self.first_night + index * _DAY: arm
            for index, arm in enumerate(assignment(self.seed, self.nights))
            if self.first_night + index * _DAY <= self.last_night
        }

    def arm(self, night: date) -> Arm | None:
        """The arm of ``night``, or ``None`` outside the trial."""
        if not self.first_night <= night <= self.last_night:
            return None
        index = (night - self.first_night).days
        first = block_first(self.seed, index // 2)
        if index % 2 == 0:
            return first
        return "rest" if first == "routine" else "routine"

    def running(self, tonight: date) -> bool:
        """Whether the trial still has ``tonight`` or a later night ahead (a stopped
        trial never has: stopping ends it for good)."""
        if self.stopped_from is not None:
            return False
        return tonight <= self.last_night

    def tonight_arm(self, tonight: date) -> Arm | None:
        """What the trial asks of ``tonight``: its arm, or ``None`` when it asks nothing
        (no trial night, or the trial was stopped: a stopped trial gives no more orders)."""
        if self.stopped_from is not None:
            return None
        return self.arm(tonight)

    def to_json(self) -> dict[str, Any]:
        """As ``trial status --json`` shows it."""
        return {
            "seed": self.seed,
            "first_night": self.first_night.isoformat(),
            "nights": self.nights,
            "last_night": self.last_night.isoformat(),
            "stopped_from": self.stopped_from.isoformat() if self.stopped_from else None,
        }


def stop_from(trial: Trial, moment: datetime) -> date:
    """The first night no longer in ``trial`` when it is stopped at ``moment``: tonight.

    The nights before tonight stay in it (the one ending in the morning is one
    of them); tonight and every later night are no longer trial nights, so a
    stopped trial never says what to do tonight.
    """
    return max(trial.first_night, tonight(moment))


def last_ended(moment: datetime) -> date:
    """The last night that has ended at ``moment`` (a night ends at 12:00 the next day)."""
    return moment.date() - (_DAY if moment.hour >= NIGHT_ENDS_HOUR else 2 * _DAY)


def _number(trial: Trial, night: date) -> tuple[int, int]:
    return (night - trial.first_night).days + 1, (trial.last_night - trial.first_night).days + 1


def tonight_label(trial: Trial, tonight: date) -> str | None:
    """What ``tonight`` is, shortly (the coach's library shows it): ``Trial night 2 of 28:
    routine``; ``None`` when the trial asks nothing of it (:meth:`Trial.tonight_arm`)."""
    arm = trial.tonight_arm(tonight)
    if arm is None:
        return None
    number, total = _number(trial, tonight)
    return f"Trial night {number} of {total}: {arm}"


def tonight_words(trial: Trial, tonight: date) -> str | None:
    """What ``tonight`` is, in a sentence naming the night by its evening's date (``trial
    status`` and ``today``); ``None`` when the trial asks nothing of it."""
    arm = trial.tonight_arm(tonight)
    if arm is None:
        return None
    number, total = _number(trial, tonight)
    what = (
        "a routine night: do your bedtime routine"
        if arm == "routine"
        else "a rest night: no bedtime routine tonight (keep to anything your doctor advised)"
    )
    return f"Trial night {number} of {total} (the night of {tonight}): tonight is {what}."


def status_words(trial: Trial, tonight: date) -> str:
    """Where ``trial`` stands on ``tonight``, in a sentence (``trial status``).

    Only a trial night of a trial not stopped says what to do tonight
    (:func:`tonight_words`); a stopped or ended trial says so and points to
    its result, and one still to come says from which night it runs.
    """
    words = tonight_words(trial, tonight)
    if words is not None:
        return words
    result = "`stretch-coach trial result` shows what its nights show"
    if trial.stopped_from is not None:
        if trial.last_night < trial.first_night:
            return (
                f"The trial was stopped before its first night (the night of "
                f"{trial.first_night}): no trial night tonight."
            )
        return (
            f"The trial was stopped after the night of {trial.last_night}: no trial night "
            f"tonight; {result}."
        )
    if tonight < trial.first_night:
        return (
            f"The trial runs from the night of {trial.first_night} to the night of "
            f"{trial.last_night}: no trial night tonight."
        )
    return f"The trial ended with the night of {trial.last_night}: {result}."


# -- the result --------------------------------------------------------------------------


@dataclass(frozen=True)
class TrialResult:
    """What a trial's nights show.

    Attributes:
        trial: the trial.
        through: the last night looked at (the trial's last night, or last night).
        assigned: the known nights by assigned arm (``with``: routine, ``without``: rest).
        as_done: the same nights by whether a routine was done before them.
        followed: known nights where what was done matched the arm.
        p_value: the exact permutation test's two-sided p-value (``None``: an arm has
            no known night, or too many blocks to count).
        swaps: how many equally likely assignments the p-value counts over (``2 ** blocks``).
        blocks: the blocks looked at.
    """

    trial: Trial
    through: date
    assigned: Comparison
    as_done: Comparison
    followed: int
    p_value: float | None
    swaps: int
    blocks: int

    def to_json(self) -> dict[str, Any]:
        """As ``trial result --json`` prints it."""
        return {
            "trial": self.trial.to_json(),
            "through": self.through.isoformat(),
            "assigned": _arms_json(self.assigned),
            "as_done": self.as_done.to_json(),
            "followed": self.followed,
            "p_value": None if self.p_value is None else round(self.p_value, 4),
            "permutations": self.swaps,
            "enough": self.assigned.enough,
        }

    def lines(self) -> list[str]:
        """The result in plain words, saying what it can and cannot show."""
        a = self.assigned
        out = [
            f"Trial nights {self.trial.first_night} to {self.through}: "
            f"{a.known_nights} known (a cramp logged, or a check-in).",
            f"Routine nights: {a.with_nights} known, {a.with_cramp} with a cramp.",
            f"Rest nights: {a.without_nights} known, {a.without_cramp} with a cramp.",
        ]
        if a.with_nights and a.without_nights:
            difference, interval = a.difference, a.interval
            assert difference is not None and interval is not None
            p_text = (
                f"exact permutation test p = {self.p_value:.3f} over {self.swaps} swaps"
                f" of the {self.blocks} blocks"
                if self.p_value is not None
                else f"too many blocks ({self.blocks}) to count every swap; no p-value"
            )
            out.append(
                f"Difference {difference:+.2f} (95% interval {interval[0]:.2f} to "
                f"{interval[1]:.2f}; {p_text})."
            )
        if not a.enough:
            out.append(
                f"Too few nights to tell yet ({a.with_nights} routine, {a.without_nights} "
                f"rest; {MIN_NIGHTS} known nights of each are needed)."
            )
        elif self.p_value is not None and self.p_value < 0.05:
            fewer = (a.difference or 0) < 0
            out.append(
                "In this trial, routine nights had "
                + ("fewer" if fewer else "more")
                + " cramps than rest nights, more than chance alone would often give."
            )
        else:
            out.append("In this trial, no clear difference between routine and rest nights.")
        out.append(
            f"As done: {plural(self.as_done.with_nights, 'known night')} with a routine "
            f"before them ({self.as_done.with_cramp} with a cramp), "
            f"{self.as_done.without_nights} without ({self.as_done.without_cramp} with a "
            f"cramp); what was done matched the arm on {self.followed} of "
            f"{plural(a.known_nights, 'known night')}."
        )
        out.append(
            "What it can show: nights were given their arm by chance, so other things that "
            "change from night to night are spread over both arms. What it cannot show: why, "
            "whether it holds for anyone else, or anything about nights not logged; you knew "
            "which night was which, and a few nights can miss a real difference or show one "
            "by chance."
        )
        out.append(CAVEAT)
        return out


#: Said with every result and before every trial starts.
CAVEAT = (
    "This is your own record, not medical advice: a trial never replaces seeing a doctor, "
    "and a rest night never means stopping anything your doctor advised."
)


#: The see-a-doctor sign no diary entry can show: the person judges it.
QUALITY_OF_LIFE = "cramps that affect your quality of life"


def caution(advice: Sequence[str]) -> list[str]:
    """The caution said before a trial starts, with the seed pages' see-a-doctor signs.

    Args:
        advice: the signs in the seed pages' words
            (:data:`stretch_coach.history.redflags.ADVICE`'s values).
    """
    return [
        "Before you start: a trial tests your bedtime routine on your own nights. "
        "It never replaces seeing a doctor.",
        "See a doctor about leg cramps with any of these, trial or not:",
        *(f"  - {sign}" for sign in advice),
        # The one sign the diary cannot see for itself (seed 000, "Diagnosis":
        # "affecting your quality of life, particularly where sleep is affected").
        f"  - {QUALITY_OF_LIFE}",
        "A rest night means no bedtime stretching routine that night and nothing else: never "
        "stop or change a treatment, medicine or exercise your doctor advised. You can stop "
        "the trial at any time with `stretch-coach trial stop`.",
    ]


def analyse(trial: Trial, nights: Mapping[date, Night], through: date) -> TrialResult:
    """Compare the trial's known nights up to ``through`` by arm, and as done.

    Args:
        trial: the trial.
        nights: the known nights (:func:`~stretch_coach.history.nights.known_nights`).
        through: the last night to look at (last night, while the trial runs).
    """
    last = min(trial.last_night, through)
    arms = {night: arm for night, arm in trial.arms().items() if night <= last}
    known = {night: nights[night] for night in arms if night in nights}
    routine = [known[n] for n in known if arms[n] == "routine"]
    rest = [known[n] for n in known if arms[n] == "rest"]
    assigned = Comparison(
        len(routine),
        sum(n.cramp for n in routine),
        len(rest),
        sum(n.cramp for n in rest),
        since=trial.first_night,
    )
    as_done = compare(known.values(), since=trial.first_night)
    followed = sum((arms[n] == "routine") == known[n].routine_before for n in known)
    blocks: list[tuple[bool | None, bool | None]] = []
    ordered = sorted(arms)
    for index in range(0, len(ordered), 2):
        pair = ordered[index : index + 2]
        by_arm = {arms[n]: (known[n].cramp if n in known else None) for n in pair}
        blocks.append((by_arm.get("routine"), by_arm.get("rest")))
    p_value = (
        permutation_p_value(blocks)
        if len(blocks) <= MAX_EXACT_BLOCKS and routine and rest
        else None
    )
    return TrialResult(
        trial, last, assigned, as_done, followed, p_value, 1 << len(blocks), len(blocks)
    )


def _arms_json(comparison: Comparison) -> dict[str, Any]:
    data = comparison.to_json()
    return {
        "known_nights": data["known_nights"],
        "routine": data["with"],
        "rest": data["without"],
        "difference": data["difference"],
        "interval": data["interval"],
        "enough": data["enough"],
    }


Block = tuple[bool | None, bool | None]


def permutation_p_value(blocks: Sequence[Block]) -> float | None:
    """The exact two-sided p-value of the difference in cramp rate, routine minus rest.

    Each block is ``(routine night, rest night)``: ``True`` for a cramp night,
    ``False`` for a quiet one, ``None`` for a night not known. Every one of the
    ``2 ** len(blocks)`` ways of swapping the two nights of each block is
    counted; a swap leaving an arm with no known night counts as at least as
    extreme (so the p-value is never too small).

    Returns:
        The share of swaps with ``|difference| >= |observed|``, or ``None`` when an
        arm has no known night as drawn.
    """
    observed = _difference(blocks)
    if observed is None:
        return None
    # How many swaps give each (known routine nights, routine cramp nights): a
    # block adds its routine side as drawn, or its rest side when swapped.
    ways: dict[tuple[int, int], int] = {(0, 0): 1}
    for routine, rest in blocks:
        kept = (routine is not None, bool(routine))
        swapped = (rest is not None, bool(rest))
        following: dict[tuple[int, int], int] = {}
        for (nights, cramps), count in ways.items():
            for add_nights, add_cramps in (kept, swapped):
                key = (nights + add_nights, cramps + add_cramps)
                following[key] = following.get(key, 0) + count
        ways = following
    total_nights = sum((r is not None) + (s is not None) for r, s in blocks)
    total_cramps = sum(bool(r) + bool(s) for r, s in blocks)
    extreme = 0
    for (nights, cramps), count in ways.items():
        other = total_nights - nights
        if nights == 0 or other == 0:
            extreme += count
            continue
        difference = Fraction(cramps, nights) - Fraction(total_cramps - cramps, other)
        if abs(difference) >= abs(observed):
            extreme += count
    return extreme / (1 << len(blocks))


def _difference(blocks: Sequence[Block]) -> Fraction | None:
    routine = [r for r, _ in blocks if r is not None]
    rest = [s for _, s in blocks if s is not None]
    if not routine or not rest:
        return None
    return Fraction(sum(routine), len(routine)) - Fraction(sum(rest), len(rest))
