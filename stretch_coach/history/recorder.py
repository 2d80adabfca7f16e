"""Record a session in the history as it plays: a listener on the engine's events.

Writes go through one background thread, in order, so a disk that is slow to
sync never delays a cue; each write is its own commit, so a crash or ``kill -9``
loses at most the step in progress (the session then reads as not finished).
A history that cannot be opened or written is reported once, and the session
goes on unrecorded: stretching matters more than the record of it.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stretch_coach.engine import events as ev
from stretch_coach.errors import UserError
from stretch_coach.history import stats, times
from stretch_coach.timeline import step_length

if TYPE_CHECKING:
    from stretch_coach.history.model import Ending
    from stretch_coach.timeline import Timeline


@dataclass(frozen=True)
class RoutineRecord:
    """What the history keeps about the routine being played (not the routine itself)."""

    id: str
    title: str
    content_hash: str
    planned_seconds: float  #: the timed length of the whole routine
    #: How many self-paced steps it has (``None``: not known; the session then
    #: counts by its share of steps done, as records made before this was kept).
    planned_self_paced: int | None = None
    #: Played from a program: its id, the week and the stage (from 1).
    program: tuple[str, int, int] | None = None

    @classmethod
    def of(
        cls, entry: Any, planned_seconds: float, planned_self_paced: int | None = None
    ) -> RoutineRecord:
        """From a library entry (its file's bytes give the hash; a program's stage
        entry says its program, week and stage)."""
        from stretch_coach.history.store import content_hash

        try:
            digest = content_hash(Path(entry.path))
        except OSError:
            digest = ""
        ref = getattr(entry, "program", None)
        program = (ref.program_id, ref.week, ref.stage) if ref is not None else None
        return cls(entry.id, entry.title, digest, planned_seconds, planned_self_paced, program)

    @classmethod
    def of_timeline(cls, entry: Any, timeline: Timeline) -> RoutineRecord:
        """From a library entry and the timeline being played (its timed length and
        self-paced steps, so the session can be judged by :func:`stats.counts`)."""
        return cls.of(entry, timeline.total, timeline.untimed_steps)


class CountTally:
    """A session listener that tells, as it plays, whether the session counts.

    It applies :func:`stretch_coach.history.stats.counts` to the steps ended so
    far, as the history will when it reads the record back; a summary screen
    can ask it (``You skipped most of this routine, so it isn't counted``)
    without waiting for the write.

    Args:
        planned_timed_seconds: the routine's timed length (``Timeline.total``).
        planned_self_paced: its self-paced steps (``Timeline.untimed_steps``).
    """

    def __init__(self, planned_timed_seconds: float, planned_self_paced: int) -> None:
        self.planned_timed_seconds = planned_timed_seconds
        self.planned_self_paced = planned_self_paced
        #: Per step index: (self-paced, planned seconds, seconds so far, latest outcome done).
        self._steps: dict[int, tuple[bool, float, float, bool]] = {}

    def __call__(self, event: ev.Event) -> None:
        if isinstance(event, ev.StepEnded):
            self_paced = not event.step.kind.timed
            planned = 0.0 if self_paced else (step_length(event.step) or 0.0)
            seconds = self._steps.get(event.index, (self_paced, planned, 0.0, False))[2]
            self._steps[event.index] = (
                self_paced,
                planned,
                seconds + event.seconds,
                not event.skipped,
            )

    @property
    def seconds(self) -> float:
        """Time spent so far: the active seconds of every step ended, skipped ones too.

        The history's ``done_seconds`` for the same session, so the summary,
        the plain runner and the history all show one figure.
        """
        return sum(s for _, _, s, _ in self._steps.values())

    @property
    def counts(self) -> bool:
        """Whether the session, as far as it went, counts."""
        steps = self._steps.values()
        return stats.counts(
            planned_timed_seconds=self.planned_timed_seconds,
            timed_seconds_done=sum(min(s, p) for paced, p, s, _ in steps if not paced),
            planned_self_paced=self.planned_self_paced,
            self_paced_done=sum(1 for paced, _, _, done in steps if paced and done),
        )


class HistoryRecorder:
    """A session listener that writes the session to a :class:`HistoryStore`.

    Args:
        routine: what is being played.
        on_notice: called (from the writer thread) at most once per kind of
            notice: a damaged history kept aside, or a history that cannot be
            written. Callers hop to their own thread to show it.
        open_store: makes the store (default: ``HistoryStore.open()``, the
            user's history); called on the writer thread.
        now: the wall clock each record's time is read from, as the event
            happens (default: the local clock); tests give a fixed one.
    """

    def __init__(
        self,
        routine: RoutineRecord,
        *,
        on_notice: Callable[[str], None] = lambda message: None,
        open_store: Callable[[], Any] | None = None,
        now: Callable[[], datetime] = times.now,
    ) -> None:
        self.routine = routine
        self._now = now
        self._on_notice = on_notice
        self._open_store = open_store or _default_store
        self._jobs: queue.Queue[tuple[str, tuple[Any, ...]] | None] = queue.Queue()
        self._started = False
        self._ended = False
        self._how: Ending | None = None
        #: Set once the ending is written (``_written``) or writing has failed.
        self._settled = threading.Event()
        self._written = False
        #: Repetitions counted with ``c`` so far, kept with the session at its end.
        self.reps_counted = 0
        #: The session's number in the history, once its start is written.
        self.session_id: int | None = None
        self._thread = threading.Thread(target=self._work, name="history-writer", daemon=True)
        self._thread.start()

    # -- the listener -------------------------------------------------------------

    def __call__(self, event: ev.Event) -> None:
        if isinstance(event, ev.RepCounted):
            self.reps_counted += 1
        if isinstance(event, ev.StepStarted) and not self._started:
            self._started = True
            self._jobs.put(("start", (self._now(),)))
        elif isinstance(event, ev.StepEnded) and self._started:
            kind = "skipped" if event.skipped else "done"
            self_paced = not event.step.kind.timed
            planned = None if self_paced else step_length(event.step)
            self._jobs.put(
                (
                    kind,
                    (event.index, event.step.name, event.seconds, self._now(), planned, self_paced),
                )
            )
        elif isinstance(event, ev.Ended) and self._started and not self._ended:
            self._ended = True
            self._jobs.put(("finish", (self._how or event.status, self._now())))

    def interrupted(self) -> None:
        """Mark the ending as an interruption (Ctrl+C, a signal), not the user's stop."""
        self._how = "interrupted"

    def close(self, timeout: float = 5.0) -> None:
        """Write what is queued (a session that never ended is marked interrupted).

        Waits up to ``timeout`` for the writes; call it when the program is
        about to exit, not on a UI's event loop. A session that ended needs no
        close: the writer finishes by itself after the ending.
        """
        if self._started and not self._ended:
            self._ended = True
            self._jobs.put(("finish", ("interrupted", self._now())))
        self._jobs.put(None)
        self._thread.join(timeout)

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` for the session's ending to be written; whether it was.

        Returns at once for a session that was never started, or whose
        history could not be written. Call it off the UI's loop (a worker thread).
        """
        if not self._started:
            return False
        self._settled.wait(timeout)
        return self._written

    # -- the writer thread ----------------------------------------------------------

    def _work(self) -> None:
        store = None
        record = None
        failed = False
        while (job := self._jobs.get()) is not None:
            if failed:
                continue
            name, args = job
            try:
                if store is None:
                    store = self._open_store()
                    if getattr(store, "notice", None):
                        self._on_notice(store.notice)
                if name == "start":
                    r = self.routine
                    record = store.start_session(
                        r.id,
                        r.title,
                        r.content_hash,
                        r.planned_seconds,
                        started_at=args[0],
                        planned_self_paced=r.planned_self_paced,
                        **({"program": r.program} if r.program is not None else {}),
                    )
                    self.session_id = getattr(record, "id", None)
                elif record is None:
                    continue
                elif name in ("done", "skipped"):
                    index, step_name, seconds, at, planned, self_paced = args
                    # The kind is only said when the session knows its self-paced steps:
                    # the two together are what the counting rule reads.
                    known = self.routine.planned_self_paced is not None
                    report = record.step_done if name == "done" else record.step_skipped
                    report(
                        index,
                        step_name,
                        seconds,
                        at=at,
                        planned=planned if known else None,
                        self_paced=self_paced if known else None,
                    )
                elif name == "finish":
                    record.finish(args[0], ended_at=args[1])
                    if self.reps_counted and hasattr(store, "count_reps"):
                        store.count_reps(record.id, self.reps_counted)
                    self._written = True
                    self._settled.set()
                    break  # nothing follows an ending: the thread ends on its own
            except Exception as err:
                failed = True
                self._settled.set()
                detail = err.message if isinstance(err, UserError) else str(err)
                self._on_notice(f"This session is not being recorded in your history: {detail}")
        if store is not None:
            with contextlib.suppress(Exception):  # closing is best effort; the data is committed
                store.close()


def _default_store() -> Any:
    from stretch_coach.history.store import HistoryStore

    return HistoryStore.open()
