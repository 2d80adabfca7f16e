"""A history to look at: sessions and diary entries written into the hermetic data folder."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone
from typing import Any

from stretch_coach.history import nights
from stretch_coach.history.model import Cramp
from stretch_coach.history.store import HistoryStore

#: The tests' time zone, also set as the process's local one by the ``zone``
#: fixture: the diary form reads a time without an offset as local time, and
#: days are counted in local time, so the pictures must not depend on where
#: the tests run.
ZONE = timezone(timedelta(hours=2))
POSIX_ZONE = "XST-2"  # UTC+2 with no daylight saving; needs no tz database
#: The tests' "now": a Wednesday evening, before the night's stretch.
NOW = datetime(2024, 6, 12, 21, 30, tzinfo=ZONE)
TODAY = NOW.date()


def fixed_now() -> datetime:
    return NOW


def add_session(
    store: HistoryStore,
    day: date,
    how: str = "finished",
    *,
    title: str = "Bedtime calf stretch",
    at: str = "22:05",
    steps: int = 3,
) -> None:
    """One session on ``day``: ``steps`` steps of a minute, ended ``how`` (or left in progress)."""
    hour, minute = map(int, at.split(":"))
    started = datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE)
    record = store.start_session(
        "bedtime-calf-stretch", title, "sha256:test", 185.0, started_at=started
    )
    for index in range(steps):
        record.step_done(index, f"Step {index + 1}", 60.0)
    if how != "in_progress":
        record.finish(how, ended_at=started + timedelta(minutes=steps))  # type: ignore[arg-type]


def add_cramp(store: HistoryStore, at: datetime, **fields: Any) -> Cramp:
    return store.add_cramp(Cramp(at=at, **fields))


def populate(store: HistoryStore, today: date = TODAY, weeks: int = 14, seed: int = 3) -> None:
    """Stretching most evenings (more often lately), cramps fewer as it goes on."""
    rng = random.Random(seed)
    first = today - timedelta(weeks=weeks)
    day = first
    while day < today:
        progress = (day - first).days / (today - first).days
        if rng.random() < 0.35 + 0.55 * progress:
            how = "finished" if rng.random() < 0.9 else "stopped"
            add_session(store, day, how, at=f"{21 + rng.randint(0, 1)}:{rng.randint(0, 59):02d}")
            if rng.random() < 0.12:
                add_session(store, day, "finished", title="Easy cool-down", at="07:40")
        if rng.random() < 0.45 - 0.35 * progress:
            at = datetime(
                day.year, day.month, day.day, rng.randint(1, 5), rng.randint(0, 59), tzinfo=ZONE
            )
            add_cramp(
                store,
                at,
                duration_seconds=float(rng.randint(30, 300)),
                severity=rng.randint(2, 8),
                leg=rng.choice(("left", "right")),
                muscle="calf",
                woke=True,
            )
        day += timedelta(days=1)
    # The last few days in a row, so there is a streak; yesterday's stopped early too.
    for back in range(1, 6):
        add_session(store, today - timedelta(days=back), "finished", at="22:15")
    # The morning check-ins of the last three weeks: quiet nights are known too.
    cramp_nights = {nights.night_of(cramp.at) for cramp in store.cramps()}
    for back in range(1, 22):
        night = today - timedelta(days=back)
        if night not in cramp_nights:
            store.check_in(night)


def open_history() -> HistoryStore:
    """The hermetic user history (created if needed)."""
    return HistoryStore.open()
