"""Times as the history stores them and as people read them.

An instant is stored as UTC ISO-8601 text in one fixed layout
(``2024-05-01T00:13:00+00:00``), so text order is time order, together with
the UTC offset in minutes in effect where it was recorded. The offset keeps
the local wall-clock time: a cramp logged at 02:13 is shown at 02:13, and
counted on that calendar day, even after the person has changed time zone or
the clocks have changed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from functools import lru_cache

from stretch_coach.history.errors import EntryError

_WHEN_HINT = "write it as 2024-05-01T02:30 (ISO 8601), optionally with an offset such as +02:00"
_DAY_HINT = "write it as 2024-05-01 (ISO 8601)"
#: Clocks differ a little between devices; a time this far ahead is still "now".
_FUTURE_SLACK = timedelta(minutes=5)


#: Dates before this year are taken for a typing mistake (and the first years
#: of the calendar cannot be turned into UTC in every time zone).
EARLIEST_YEAR = 1900


def now() -> datetime:
    """The current time, aware, in the local time zone."""
    return datetime.now().astimezone()


def aware(moment: datetime) -> datetime:
    """``moment`` with a time zone: a naive time is taken as local time on its own date."""
    return moment if moment.tzinfo is not None else moment.astimezone()


def stamp(moment: datetime) -> tuple[str, int]:
    """Split a moment into what the database stores.

    Args:
        moment: an aware time, or a naive one meaning local time.

    Returns:
        The UTC text and the UTC offset in whole minutes.
    """
    moment = aware(moment)
    offset = moment.utcoffset() or timedelta(0)
    return utc_text(moment), int(offset.total_seconds() // 60)


def utc_text(moment: datetime) -> str:
    """The stored text of ``moment``: UTC, to the second, with ``+00:00``."""
    return aware(moment).astimezone(UTC).isoformat(timespec="seconds")


def change_stamp(moment: datetime | None = None) -> str:
    """When a record changed: UTC to the microsecond, always six digits, so that
    text order is time order and edits within one second still come in order.

    Args:
        moment: the time; default now.
    """
    return aware(moment or now()).astimezone(UTC).isoformat(timespec="microseconds")


def local(text: str, offset_minutes: int) -> datetime:
    """A stored instant back as the wall-clock time where it was recorded."""
    return datetime.fromisoformat(text).astimezone(_zone(offset_minutes))


@lru_cache(maxsize=64)
def _zone(offset_minutes: int) -> timezone:
    return timezone(timedelta(minutes=offset_minutes))


def parse_when(text: str, *, field: str = "when", current: datetime | None = None) -> datetime:
    """Read a date and time a person typed, such as ``2024-05-01T02:30`` or ``2024-05-01 02:30``.

    Args:
        text: ISO 8601 date and time; without an offset it means local time.
        field: how to name the value in messages.
        current: the time "now" is taken to be (for tests); default: the clock.

    Returns:
        An aware datetime.

    Raises:
        EntryError: if ``text`` is not a date and time, has no time of day,
            or lies in the future.
    """
    cleaned = text.strip()
    if not cleaned:
        raise EntryError(field, f"no date and time given; {_WHEN_HINT}")
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        raise EntryError(field, f"{text!r} is not a date and time; {_WHEN_HINT}") from None
    if "T" not in cleaned.upper() and " " not in cleaned:
        raise EntryError(field, f"{text!r} has no time of day; {_WHEN_HINT}")
    return check_moment(moment, field=field, text=text, current=current)


def check_moment(
    moment: datetime, *, field: str, text: str | None = None, current: datetime | None = None
) -> datetime:
    """The one rule for a recorded time, whether typed (``diary add``) or imported.

    It must exist in UTC (what the history stores), lie in or after
    :data:`EARLIEST_YEAR`, and not in the future (a few minutes of clock
    difference allowed): a time in the year 9999 would otherwise win every
    later merge.

    Args:
        moment: the time; a naive one means local time.
        field: how to name the value in messages.
        text: the value as given, for messages (default: ``moment`` in ISO 8601).
        current: the time "now" is taken to be (for tests); default: the clock.

    Returns:
        ``moment``, aware.

    Raises:
        EntryError: saying which rule it breaks.
    """
    shown = repr(text) if text is not None else repr(moment.isoformat())
    try:
        moment = aware(moment)
        moment.astimezone(UTC)  # what the history stores: must exist in UTC too
    except (ValueError, OverflowError):
        raise EntryError(
            field, f"{shown} is out of the range of dates this program keeps"
        ) from None
    if moment.year < EARLIEST_YEAR:
        raise EntryError(field, f"{shown} is before {EARLIEST_YEAR}; check the year")
    if moment - (current or now()) > _FUTURE_SLACK:
        raise EntryError(field, f"{moment:%Y-%m-%d %H:%M} is in the future; give when it happened")
    return moment


def parse_day(text: str, *, field: str = "since", current: date | None = None) -> date:
    """Read a calendar date such as ``2024-05-01`` (a date-time is accepted; its date is used).

    Raises:
        EntryError: if ``text`` is not a date or lies in the future.
    """
    cleaned = text.strip()
    try:
        day = (
            date.fromisoformat(cleaned)
            if len(cleaned) <= 10
            else aware(datetime.fromisoformat(cleaned)).date()
        )
    except ValueError:
        raise EntryError(field, f"{text!r} is not a date; {_DAY_HINT}") from None
    except OverflowError:
        raise EntryError(
            field, f"{text!r} is out of the range of dates this program keeps"
        ) from None
    if day.year < EARLIEST_YEAR:
        raise EntryError(field, f"{text!r} is before {EARLIEST_YEAR}; check the year")
    if day > (current or now().date()):
        raise EntryError(field, f"{day.isoformat()} is in the future; give a day up to today")
    return day


def day_start(day: date) -> datetime:
    """Local midnight at the start of ``day``, aware."""
    return datetime.combine(day, datetime.min.time()).astimezone()


def week_start(day: date) -> date:
    """The Monday of ``day``'s week (ISO weeks start on Monday)."""
    return day - timedelta(days=day.weekday())
