"""After the first counted session of a day: "Any cramps last night?" on the summary.

The question is optional and blocks nothing: ``d`` opens the diary form, ``n``
records last night as a night without cramps (a check-in: a quiet night is a
record, not a night nobody asked about), and the summary's own keys (Enter, q)
work as before. It is asked once per morning: not again once last night is
known (checked in, or a cramp logged in it). For :data:`GUARD_SECONDS` after
it appears it answers no key: keys pressed as the session ended (``n n n`` to
skip to the end) are not answers, least of all a record of a quiet night.

Whether a session is the day's first counted one (at least half done, the
history's rule) is read from the history, in a worker: today's count of
counted sessions is 1. The session that just ended may still be on its way
to the database (a recorder writes on its own thread), so the worker first
waits for its record to be written; if it is not written (no history, or it
takes too long), the session is not in the count and the question is asked
when today holds no other counted session.
"""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from textual.binding import Binding
from textual.content import Content
from textual.widgets import Static

from stretch_coach.history import nights
from stretch_coach.history.errors import HistoryError
from stretch_coach.tui.records import Now, open_store, wall_clock

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen

    from stretch_coach.engine.clock import Clock
    from stretch_coach.history.store import HistoryStore
    from stretch_coach.settings import MorningAsk


class Written(Protocol):
    """Something that can wait for a session's record to be written (a history recorder)."""

    def wait(self, timeout: float) -> bool: ...


#: How long to wait for the ending of the session just played to be written.
ENDING_WAIT_SECONDS = 2.0
#: How long the question answers no key after it appears, in seconds (of the session's clock).
GUARD_SECONDS = 1.5
QUESTION = "Any cramps last night?"


def first_counted_today(store: HistoryStore, today: date, *, recorded: bool) -> bool:
    """Whether the session that just ended is the first one on ``today`` that counts.

    Args:
        store: the history.
        today: the day to count.
        recorded: whether that session's ending is already in ``store``.
    """
    activity = store.activity_days(since=today).get(today)
    counted = activity.counted if activity is not None else 0
    return counted == (1 if recorded else 0)


def night_known(store: HistoryStore, night: date) -> bool:
    """Whether ``night`` is already known: checked in, or a cramp logged in it."""
    if night in store.checked_in_nights(since=night):
        return True
    return any(nights.night_of(cramp.at) == night for cramp in store.cramps(since=night))


class CheckIn(Static):
    """The question, with its keys; ``d`` logs a cramp, ``n`` puts it away.

    Args:
        now: the wall clock (its date goes into the diary form's *when*).
        clock: the session's monotonic clock, for the guard after the
            question appears (``None``: no guard).
    """

    DEFAULT_CSS = """
    CheckIn {
        margin: 1 0 0 0;
        padding: 0 1;
        border-left: thick $accent;
        background: $accent 10%;
    }
    CheckIn:focus {
        background: $accent 20%;
    }
    CheckIn.-answered {
        border-left: thick $success;
        background: $success 10%;
    }
    """
    BINDINGS: ClassVar[list[Any]] = [
        Binding("d", "log", "Log a cramp"),
        Binding("n", "no", "No cramps"),
    ]

    def __init__(
        self, *, now: Now | None = None, clock: Clock | None = None, on_library: bool = False
    ) -> None:
        #: Asked on the library at the day's first start: the list keeps the focus
        #: (its screen forwards ``n``), and there is no "back to the library".
        self.on_library = on_library
        self._back = "" if on_library else " Enter: back to the library"
        super().__init__(
            Content.assemble(
                (QUESTION, "bold"),
                "\n",
                Content.from_markup(
                    "[b]d[/b] log one in the diary · [b]n[/b] no"
                    if on_library
                    else "[b]d[/b] log one · [b]n[/b] no · [b]Enter[/b] back to the library"
                ),
            ),
            id="check-in",
        )
        self.can_focus = not on_library
        self.now = wall_clock(now)
        self.answered = False
        self.clock = clock
        self._shown_at = clock.now() if clock is not None else 0.0

    def on_mount(self) -> None:
        if self.clock is not None:
            self._shown_at = self.clock.now()
        if not self.on_library:
            self.focus()

    def guarded(self) -> bool:
        """Whether the question is too new to take an answer (a key meant for the session)."""
        return self.clock is not None and self.clock.now() - self._shown_at < GUARD_SECONDS

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("log", "no"):
            return not self.answered
        return True

    def action_log(self) -> None:
        from stretch_coach.tui.screens.diary import open_diary

        if self.guarded():
            return
        today = self.now().date()
        open_diary(
            self.app,
            now=self.now,
            when=f"{today:%Y-%m-%d} ",
            when_hint="add the time, e.g. 02:30",
            on_saved=lambda _saved: self._logged(),
        )

    def _logged(self) -> None:
        self.answered = True
        self.add_class("-answered")
        self.update(Content.assemble(("Logged in the diary.", "bold"), self._back))
        self.screen.refresh_bindings()

    def action_no(self) -> None:
        """Record last night as a night without cramps (in a worker: the write is file I/O)."""
        if self.guarded():
            return
        self.answered = True  # one answer: n again, or d, does nothing while it is written
        self.screen.refresh_bindings()
        night = nights.last_night(self.now())
        self.run_worker(
            partial(self._record_none, night),
            thread=True,
            group="check-in-none",
            exit_on_error=False,
        )

    def _record_none(self, night: date) -> None:
        try:
            with open_store(self.app, create=True) as store:
                store.check_in(night)
        except HistoryError as err:
            self.app.call_from_thread(self._not_recorded, err.message)
            return
        self.app.call_from_thread(self._recorded_none)

    def _recorded_none(self) -> None:
        self.add_class("-answered")
        self.update(Content.assemble(("Recorded: no cramps last night.", "bold"), self._back))

    def _not_recorded(self, reason: str) -> None:
        self.answered = False
        self.screen.refresh_bindings()
        self.app.notify(f"Could not record the check-in: {reason}", severity="error", markup=False)


def offer_check_in(
    app: App[Any],
    summary: Screen[Any],
    now: Now | None = None,
    *,
    recording: Written | None = None,
    clock: Clock | None = None,
) -> None:
    """Add the check-in to ``summary`` if the history says this was the day's
    first counted session (``clock``: the session's, for the guard).

    The history is read in a thread worker, after waiting (up to
    :data:`ENDING_WAIT_SECONDS`) for ``recording``, the session's record, to
    be written. If the history cannot be read there is simply no question (it
    is optional). ``summary`` must have an ``offer(widget)`` method that shows
    the widget.
    """
    today = wall_clock(now)

    def decide() -> None:
        recorded = recording is not None and recording.wait(ENDING_WAIT_SECONDS)
        try:
            with open_store(app, create=False) as store:
                moment = today()
                first = first_counted_today(store, moment.date(), recorded=recorded) and not (
                    night_known(store, nights.last_night(moment))
                )
        except HistoryError:
            return
        if first:
            app.call_from_thread(_offer, summary, today, clock)

    app.run_worker(decide, thread=True, group="check-in", exit_on_error=False)


def offer_morning_check_in(app: App[Any], asked: MorningAsk, now: Now | None = None) -> None:
    """At the day's first start: ask on the library when last night is not known yet.

    Asked once a day (``asked`` keeps the day, written atomically; a file that
    cannot be read or written only means the question may come once more).
    The history is read in a thread worker; if it cannot be read there is no
    question: it is optional and never stops the coach.
    """
    today = wall_clock(now)

    def decide() -> None:
        moment = today()
        day = moment.date()
        if asked.asked_on(day):
            return
        try:
            with open_store(app, create=False) as store:
                known = night_known(store, nights.last_night(moment))
        except HistoryError:
            return
        if known:
            return
        asked.mark(day)
        app.call_from_thread(_offer_on_library, app, today)

    app.run_worker(decide, thread=True, group="check-in", exit_on_error=False)


def _offer_on_library(app: App[Any], now: Now) -> None:
    screen = app.screen
    offer = getattr(screen, "offer", None)
    if offer is not None and screen.is_attached and not screen.query(CheckIn):
        offer(CheckIn(now=now, on_library=True))


def _offer(summary: Any, now: Now, clock: Clock | None) -> None:
    if summary.is_attached and summary.app.screen is summary and not summary.query(CheckIn):
        summary.offer(CheckIn(now=now, clock=clock))
