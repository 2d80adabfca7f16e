"""Does stretching help *you*? Cramp nights with and without a routine before them.

Over the known nights (:mod:`stretch_coach.history.nights`): how many had a
routine before them and how many of those had a cramp, the same for nights
without, both rates, their difference (with minus without) and a 95%
interval for it: Newcombe's hybrid score interval (his method 10, from two
Wilson score intervals), standard library only.

The words never claim more than the record shows: below
:data:`MIN_NIGHTS` known nights on either side they say it is too early to
tell; otherwise they say what the record shows so far, never what causes
cramps, and never advise stopping a treatment.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from stretch_coach.history.nights import Night

#: Known nights needed on each side before the comparison says anything.
MIN_NIGHTS = 14
#: The normal quantile of a two-sided 95% interval.
Z95 = 1.959963984540054
#: What the comparison adds, whatever it shows: it is the person's own record.
CAVEAT = (
    "This is your own record, not proof of what causes cramps; "
    "keep to the advice your doctor has given you."
)


@dataclass(frozen=True)
class Comparison:
    """Cramp nights with and without a routine before them.

    Attributes:
        with_nights: known nights with a routine before them.
        with_cramp: of those, nights with a cramp.
        without_nights: known nights without.
        without_cramp: of those, nights with a cramp.
        since: the first night looked at, if the period was cut.
    """

    with_nights: int
    with_cramp: int
    without_nights: int
    without_cramp: int
    since: date | None = None

    @property
    def known_nights(self) -> int:
        """Every known night, with or without."""
        return self.with_nights + self.without_nights

    @property
    def enough(self) -> bool:
        """Whether both sides have :data:`MIN_NIGHTS` known nights."""
        return min(self.with_nights, self.without_nights) >= MIN_NIGHTS

    @property
    def rate_with(self) -> float | None:
        """The share of nights after a routine with a cramp (``None`` with no such night)."""
        return self.with_cramp / self.with_nights if self.with_nights else None

    @property
    def rate_without(self) -> float | None:
        """The share of nights without a routine with a cramp (``None`` with no such night)."""
        return self.without_cramp / self.without_nights if self.without_nights else None

    @property
    def difference(self) -> float | None:
        """Cramp rate with minus cramp rate without; ``None`` when either side is empty."""
        if self.rate_with is None or self.rate_without is None:
            return None
        return self.rate_with - self.rate_without

    @property
    def interval(self) -> tuple[float, float] | None:
        """The 95% interval of :attr:`difference` (Newcombe's hybrid score)."""
        if not self.with_nights or not self.without_nights:
            return None
        return newcombe_interval(
            self.with_cramp, self.with_nights, self.without_cramp, self.without_nights
        )

    def to_json(self) -> dict[str, Any]:
        """The comparison as ``insight --json`` prints it (fractions to three decimals)."""
        difference, interval = self.difference, self.interval
        return {
            "known_nights": self.known_nights,
            "with": {"nights": self.with_nights, "cramp_nights": self.with_cramp},
            "without": {"nights": self.without_nights, "cramp_nights": self.without_cramp},
            "difference": None if difference is None else _three(difference),
            "interval": None if interval is None else [_three(interval[0]), _three(interval[1])],
            "enough": self.enough,
        }

    def sentence(self) -> str:
        """The comparison in plain words, claiming no more than the record shows."""
        if not self.enough:
            return (
                f"too few nights to tell yet ({self.with_nights} with, "
                f"{self.without_nights} without); keep logging"
            )
        rate_with, rate_without = self.rate_with, self.rate_without
        difference, interval = self.difference, self.interval
        assert rate_with is not None and rate_without is not None  # enough nights on each side
        assert difference is not None and interval is not None
        low, high = interval
        if high < 0:
            verdict = "nights after a routine had fewer cramps"
        elif low > 0:
            verdict = "nights after a routine had more cramps"
        else:
            verdict = "no clear difference between nights with and without a routine"
        return (
            f"cramps on {_percent(rate_with)} of nights after a routine and "
            f"{_percent(rate_without)} of nights without (difference {_signed(difference)}, "
            f"95% interval {_signed(low)} to {_signed(high)}): on your record so far, {verdict}"
        )


def compare(nights: Iterable[Night], *, since: date | None = None) -> Comparison:
    """Count the known ``nights`` by whether a routine came before them, and by cramps."""
    with_nights = with_cramp = without_nights = without_cramp = 0
    for night in nights:
        if night.routine_before:
            with_nights += 1
            with_cramp += night.cramp
        else:
            without_nights += 1
            without_cramp += night.cramp
    return Comparison(with_nights, with_cramp, without_nights, without_cramp, since=since)


def compare_map(nights: Mapping[date, Night], *, since: date | None = None) -> Comparison:
    """:func:`compare` over the values of :func:`~stretch_coach.history.nights.known_nights`."""
    return compare(nights.values(), since=since)


def wilson_interval(successes: int, trials: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion (``(0, 1)`` for no trials)."""
    if trials <= 0:
        return 0.0, 1.0
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    # At 0 or n successes one end is exactly 0 or 1; rounding must not push it past.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return low, high


def newcombe_interval(
    cramps_a: int, nights_a: int, cramps_b: int, nights_b: int, z: float = Z95
) -> tuple[float, float]:
    """Newcombe's hybrid score interval for ``p_a - p_b`` (his method 10, 1998)."""
    p_a, p_b = cramps_a / nights_a, cramps_b / nights_b
    low_a, high_a = wilson_interval(cramps_a, nights_a, z)
    low_b, high_b = wilson_interval(cramps_b, nights_b, z)
    difference = p_a - p_b
    low = difference - math.sqrt((p_a - low_a) ** 2 + (high_b - p_b) ** 2)
    high = difference + math.sqrt((high_a - p_a) ** 2 + (p_b - low_b) ** 2)
    return max(-1.0, low), min(1.0, high)


def _three(value: float) -> float:
    rounded = round(value, 3)
    return 0.0 if rounded == 0 else rounded  # never -0.0


def _percent(rate: float) -> str:
    return f"{round(rate * 100):d}%"


def _signed(value: float) -> str:
    text = f"{value:.2f}"
    return "0.00" if text == "-0.00" else text
