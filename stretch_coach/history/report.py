"""The doctor-visit report: what the diary and the sessions show, in one summary.

It answers what the seeds say a doctor will ask (when the cramps happen,
since when, how often, with what other symptoms), lists the signs the seeds
name as reasons to see a doctor, the routines done and how regularly, and
cramps per week before and after regular stretching began.

:func:`build` gathers everything into one JSON-ready dict (the ``json``
format is exactly that dict); the other formats are drawn from it, so they
cannot disagree.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Collection, Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from stretch_coach import __version__
from stretch_coach.history import redflags, stats, times
from stretch_coach.history.diary import LEGS, MUSCLES, SYMPTOMS
from stretch_coach.history.insight import Comparison
from stretch_coach.history.model import Cramp, RoutineTotals, cramp_to_json

if TYPE_CHECKING:
    from stretch_coach.history.store import HistoryStore

FORMAT_NAME = "stretch-coach-report"
FORMAT_VERSION = 1
#: Parts of the day by local hour: key, words, first hour, last hour + 1 (night wraps midnight).
DAY_PARTS: tuple[tuple[str, str, int, int], ...] = (
    ("night", "at night (22:00-06:00)", 22, 6),
    ("morning", "in the morning (06:00-12:00)", 6, 12),
    ("afternoon", "in the afternoon (12:00-18:00)", 12, 18),
    ("evening", "in the evening (18:00-22:00)", 18, 22),
)
RECENT_DAYS = 28
#: How the report says which nights it compares (the rules of history.nights).
NIGHTS_RULE = (
    "a night runs from 18:00 to 12:00 the next day; it is known when a cramp was logged in it "
    "or a morning check-in recorded none; a routine counts as before it when one at least half "
    "done started between 16:00 and 03:00, before the night's first cramp (routines for the "
    "moment and daytime advice do not count)"
)


def build(
    store: HistoryStore,
    *,
    since: date | None = None,
    current: datetime | None = None,
    excluded_routines: Collection[str] = (),
    person: str | None = None,
) -> dict[str, Any]:
    """Gather the report for the period from ``since`` (default: the first record) to now.

    Args:
        store: the history to read.
        since: the first day of the period.
        current: the time "now" is taken to be (for tests).
        excluded_routines: ids of routines that are not a routine before the
            night (see :func:`stretch_coach.history.nights.excluded_routines`).
        person: whose report it is (``--for``), named on the page and in the
            JSON as ``person``; ``None`` leaves the name out.
    """
    current = current or times.now()
    today = current.date()
    cramps = store.cramps(since=since, until=current)
    days = {day: a for day, a in store.activity_days(since=since).items() if day <= today}
    # The first record: a day holding only the mark of the next morning's cramp is not one.
    start = since or min(
        (day for day, a in days.items() if a.sessions or a.cramps or a.checked_in), default=today
    )
    first_ever = store.first_cramp()
    done = stats.done_days(days)
    began = stats.regular_start(done)
    data: dict[str, Any] = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "generated_at": current.isoformat(timespec="seconds"),
        "generated_by": f"stretch-coach {__version__}",
        "period": {
            "since": start.isoformat(),
            "until": today.isoformat(),
            "days": (today - start).days + 1,
        },
        "cramps_summary": _cramps_summary(cramps, first_ever, since, today),
        "red_flags": [
            {
                "sign": s.kind,
                "advice": s.advice,
                "seen": s.seen,
                "last_seen": s.last.isoformat() if s.last else None,
            }
            for s in redflags.period_signs(cramps)
        ],
        "routines": _routines(store.routine_totals(since=since), done, start, today),
        "regular_stretching": _comparison(cramps, began, since, today),
        "nights": _nights(store.insight(since=since, excluded_routines=excluded_routines)),
        "weeks": [
            {
                "week": w.start.isoformat(),
                "cramps": w.cramps,
                "sessions": w.sessions,
                "days_stretched": w.days_stretched,
            }
            for w in stats.weeks(days, start, today)
        ],
        "cramps": [
            {**cramp_to_json(c), "signs": [s.kind for s in redflags.entry_signs(c)]} for c in cramps
        ],
    }
    if person:
        data["person"] = person
    return data


def _cramps_summary(
    cramps: Sequence[Cramp], first_ever: Cramp | None, since: date | None, today: date
) -> dict[str, Any]:
    hours = Counter(c.at.hour for c in cramps)
    # Rates count from when the diary was kept: the period's start if given, else the first entry.
    days_logged = (today - (since or (cramps[0].day if cramps else today))).days + 1
    recent = [c for c in cramps if (today - c.day).days < RECENT_DAYS]
    recent_days = min(RECENT_DAYS, days_logged)
    severities = [c.severity for c in cramps if c.severity is not None]
    durations = [c.duration_seconds for c in cramps if c.duration_seconds is not None]
    return {
        "count": len(cramps),
        "first_logged": first_ever.at.isoformat() if first_ever else None,
        "first_in_period": cramps[0].at.isoformat() if cramps else None,
        "last_in_period": cramps[-1].at.isoformat() if cramps else None,
        "days": days_logged,
        "per_week": round(stats.per_week(len(cramps), days_logged), 2),
        "last_4_weeks": {
            "count": len(recent),
            "days": recent_days,
            "per_week": round(stats.per_week(len(recent), recent_days), 2),
        },
        "woke": sum(1 for c in cramps if c.woke),
        "times_of_day": {
            key: sum(n for h, n in hours.items() if _in_part(h, first, end))
            for key, _, first, end in DAY_PARTS
        },
        "by_hour": [hours.get(hour, 0) for hour in range(24)],
        "legs": _tally(c.leg for c in cramps if c.leg),
        "muscles": _tally(c.muscle for c in cramps if c.muscle),
        "symptoms": {s: n for s in SYMPTOMS if (n := sum(1 for c in cramps if s in c.symptoms))},
        "severity": {
            "logged": len(severities),
            "average": round(statistics.fmean(severities), 1) if severities else None,
            "highest": max(severities, default=None),
        },
        "duration": {
            "logged": len(durations),
            "median_seconds": statistics.median(durations) if durations else None,
            "longest_seconds": max(durations, default=None),
        },
    }


def _routines(
    totals: Sequence[RoutineTotals], done: set[date], start: date, today: date
) -> dict[str, Any]:
    recent = stats.adherence(done, max(start, today - timedelta(days=RECENT_DAYS - 1)), today)
    return {
        "sessions": sum(t.sessions for t in totals),
        "finished": sum(t.finished for t in totals),
        "counted": sum(t.counted for t in totals),
        "days_with_routine": len(done),
        "days": (today - start).days + 1,
        "current_streak": stats.current_streak(done, today),
        "longest_streak": stats.longest_streak(done),
        "last_4_weeks": {"days_done": recent.days_done, "days": recent.days},
        "by_routine": [
            {
                "routine_id": t.routine_id,
                "title": t.title,
                "sessions": t.sessions,
                "finished": t.finished,
                "counted": t.counted,
                "minutes": round(t.done_seconds / 60, 1),
                "first": t.first_day.isoformat(),
                "last": t.last_day.isoformat(),
            }
            for t in totals
        ],
    }


def _comparison(
    cramps: Sequence[Cramp], began: date | None, since: date | None, today: date
) -> dict[str, Any]:
    rule = (
        f"a routine at least half done on {stats.REGULAR_DAYS} or more days "
        f"within {stats.REGULAR_WINDOW_DAYS}"
    )
    result: dict[str, Any] = {
        "began": began.isoformat() if began else None,
        "rule": rule,
        "before": None,
        "after": None,
    }
    if began is None:
        result["note"] = f"Regular stretching ({rule}) has not begun in this period."
        return result
    diary_start = since or (cramps[0].day if cramps else began)
    before = _rate(cramps, diary_start, began - timedelta(days=1))
    after = _rate(cramps, began, today)
    result["before"], result["after"] = before, after
    short = [
        name
        for name, side in (("before", before), ("after", after))
        if side["days"] < stats.MIN_COMPARISON_DAYS
    ]
    if not cramps:
        result["note"] = "No cramps were logged in this period, so there is nothing to compare."
    elif short:
        result["note"] = (
            f"Not enough diary data {' or '.join(short)} regular stretching began to compare: "
            f"each side needs at least {stats.MIN_COMPARISON_DAYS} days."
        )
    else:
        result["note"] = (
            f"Before: {before['per_week']:.1f} cramps a week; after: {after['per_week']:.1f} "
            "a week. This counts logged cramps; it does not show what caused a change."
        )
    return result


def _nights(comparison: Comparison) -> dict[str, Any]:
    """The personal comparison (``insight --json``'s fields), with its words and its rule."""
    return {
        **comparison.to_json(),
        "rule": NIGHTS_RULE,
        "summary": comparison.sentence() if comparison.known_nights else None,
    }


def _rate(cramps: Sequence[Cramp], first: date, last: date) -> dict[str, Any]:
    days = max((last - first).days + 1, 0)
    count = sum(1 for c in cramps if first <= c.day <= last)
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "days": days,
        "cramps": count,
        "per_week": round(stats.per_week(count, days), 2),
    }


def _in_part(hour: int, first: int, end: int) -> bool:
    return first <= hour < end if first < end else hour >= first or hour < end


def _tally(values: Any) -> dict[str, int]:
    counts = Counter(values)
    order = {name: i for i, name in enumerate((*LEGS, *MUSCLES))}
    return {k: counts[k] for k in sorted(counts, key=lambda k: order.get(k, 99))}
