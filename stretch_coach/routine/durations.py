"""Durations as the format writes them: ``30``, ``2.5``, ``45s``, ``1m30s``, ``1:30``...

The text forms are described by one regular expression, :data:`DURATION_PATTERN`,
which the loader parses with and the JSON Schema publishes, so the two cannot
drift apart.
"""

from __future__ import annotations

import functools
import math
import re

#: Longest single duration the format allows (1 hour).
MAX_DURATION = 3600.0

_NUM = r"[0-9]+(?:\.[0-9]+)?"
#: Units: ``h``; ``m`` or ``min``; ``s`` or ``sec``, each at most once, largest first.
_UNITS = (
    rf"(?:({_NUM}) *h *)?"
    rf"(?:({_NUM}) *(?:min|m) *)?"
    rf"(?:({_NUM}) *(?:sec|s) *)?"
)
#: Every text form of a duration, anchored; ECMA-262 compatible for JSON Schema.
DURATION_PATTERN = (
    rf"^ *(?:{_NUM}"  # a bare number of seconds written as text
    rf"|[0-9]+:[0-5][0-9](?:\.[0-9]+)?"  # m:ss
    rf"|(?=[0-9]){_UNITS}"  # 1h, 2m, 45s, 1m30s, 1 min 30 s
    r") *$"
)

# Each part of a text duration within the 1 hour limit: seconds up to 3600,
# minutes up to 60, hours up to 1 (leading zeros allowed).
_FRACTION = r"(?:\.[0-9]+)?"
_MAX_S = (
    rf"0*(?:[0-9]{{1,3}}{_FRACTION}|[0-2][0-9]{{3}}{_FRACTION}"
    rf"|3[0-5][0-9]{{2}}{_FRACTION}|3600(?:\.0+)?)"
)
_MAX_M = rf"0*(?:[0-5]?[0-9]{_FRACTION}|60(?:\.0+)?)"
_MAX_H = rf"0*(?:{_FRACTION}|1(?:\.0+)?)"
#: For the JSON Schema, beside :data:`DURATION_PATTERN`: refuses a text duration
#: any part of which passes the 1 hour limit (``2h``, ``61m``, ``3601s``, ``61:00``).
#: A sum of parts (``1h 30m``) is beyond a regular expression's reach:
#: ``stretch-coach validate`` refuses it.
DURATION_LIMIT_PATTERN = (
    rf"^ *(?:{_MAX_S}"
    rf"|0*[0-5]?[0-9]:[0-5][0-9]{_FRACTION}|0*60:00(?:\.0+)?"
    rf"|(?=[0-9])(?:{_MAX_H} *h *)?(?:{_MAX_M} *(?:min|m) *)?(?:{_MAX_S} *(?:sec|s) *)?"
    r") *$"
)
# Compiled on first use (re keeps them), not on import: the coach's start-up
# only formats durations.
_UNITS_PATTERN = rf"^ *{_UNITS}$"
_COLON_PATTERN = r"^ *([0-9]+):([0-5][0-9](?:\.[0-9]+)?) *$"

HINT = "write seconds (30, 2.5) or text such as 45s, 2m, 1m30s, '1 min 30 s', 1h or 1:30"


class DurationError(ValueError):
    """A value that is not a duration of the format."""


def parse_duration(value: object, maximum: float = MAX_DURATION) -> float:
    """Return the duration ``value`` stands for, in seconds.

    Args:
        value: a YAML scalar: an int, a float or a string.
        maximum: the longest allowed (the format's 1 hour for routine steps;
            a cramp diary entry may allow more).

    Raises:
        DurationError: if ``value`` is not a duration, is negative, is not finite
            or is longer than one hour. The message says how to write one.
    """
    if isinstance(value, bool) or value is None:
        raise DurationError(f"expected a duration, got {_describe(value)}; {HINT}")
    if isinstance(value, int):
        # Compared as a whole number first: a 400-digit one cannot become a float.
        seconds = float(value) if abs(value) <= 10**15 else math.inf if value > 0 else -math.inf
    elif isinstance(value, float):
        seconds = value
        if not math.isfinite(seconds):
            raise DurationError(f"must be a finite number of seconds; {HINT}")
    elif isinstance(value, str):
        seconds = _parse_text(value)
    else:
        raise DurationError(f"expected a duration, got {_describe(value)}; {HINT}")
    if seconds < 0:
        raise DurationError("must not be negative")
    if seconds > maximum:
        limit = "the 1 hour limit" if maximum == MAX_DURATION else format_seconds(maximum)
        # An absurd length is named as written, not as 10**400 seconds in hours.
        if seconds <= 10**9:
            what = format_seconds(seconds)
        else:
            what = repr(shorten(value)) if isinstance(value, str) else f"{shorten(value)} s"
        raise DurationError(f"{what} is longer than {limit}")
    return seconds


def shorten(value: object, limit: int = 24) -> str:
    """``value`` as text, cut in the middle when longer than ``limit`` characters."""
    text = str(value)
    if len(text) <= limit:
        return text
    half = (limit - 1) // 2
    return f"{text[:half]}…{text[-half:]}"


@functools.lru_cache(maxsize=1024)  # a library writes the same few durations many times
def _parse_text(text: str) -> float:
    # float() of digits never overflows (a huge value becomes inf), and the
    # minutes of m:ss are read as a float too, so a 400-digit duration in any
    # form is simply "longer than the 1 hour limit".
    if not re.match(DURATION_PATTERN, text) or not text.strip():
        raise DurationError(f"{shorten(text)!r} is not a duration; {HINT}")
    colon = re.match(_COLON_PATTERN, text)
    if colon:
        return float(colon.group(1)) * 60 + float(colon.group(2))
    units = re.match(_UNITS_PATTERN, text)
    if units and any(units.groups()):
        hours, minutes, secs = (float(g) if g else 0.0 for g in units.groups())
        return hours * 3600 + minutes * 60 + secs
    return float(text)


def _describe(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def format_seconds(seconds: float) -> str:
    """Format seconds for people: ``45 s``, ``2 min``, ``1 min 30 s``, ``1 h 5 min``."""
    if seconds < 60:
        text = f"{seconds:.1f}".rstrip("0").rstrip(".")
        return f"{text} s"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    parts = []
    if hours:
        parts.append(f"{hours} h")
    if minutes:
        parts.append(f"{minutes} min")
    if secs:
        parts.append(f"{secs} s")
    return " ".join(parts)


def format_clock(seconds: float) -> str:
    """Format seconds as a clock, ``m:ss`` or ``h:mm:ss``, rounding up.

    Rounding up means a countdown shows ``0:01`` until the very end, as people
    expect, and never ``0:00`` while time is left.
    """
    whole = max(0, math.ceil(seconds - 1e-9))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
