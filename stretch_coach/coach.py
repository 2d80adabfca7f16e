"""One way to a session: a library entry, the saved settings and the command line.

Both front-ends (the Textual coach and the plain runner) start sessions
through here, so they cannot disagree about what a session is:

* **Which settings apply.** The command line beats the saved settings, which
  beat the defaults (:data:`~stretch_coach.settings.PRECEDENCE`,
  :class:`Overrides`, :func:`effective`). The saved
  settings are read once, at start; the command line's choices are for this
  run only and never saved.
* **What is played.** The routine's timeline with the get-ready setting
  (:func:`session_timeline`); a routine too long to lay out is a
  :class:`~stretch_coach.errors.UserError`, not a traceback.
* **Who listens.** :func:`prepare_session` makes the session and attaches,
  in this order, the cue log (first: it must not depend on the others), the
  player (cue sounds and the voice) and the history recorder. A front-end
  adds its own view after that and starts the session.

Nothing here imports Textual.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stretch_coach.audio.base import NullPlayer, Player
from stretch_coach.audio.session_player import SessionPlayer, make_player
from stretch_coach.engine.audio_link import AudioLink
from stretch_coach.engine.events import StepEnded
from stretch_coach.engine.session import Session, voice_lines
from stretch_coach.errors import UserError
from stretch_coach.settings import Settings
from stretch_coach.timeline import Timeline, TimelineTooLong, timeline_for

if TYPE_CHECKING:
    from datetime import datetime

    from stretch_coach.engine.clock import Clock
    from stretch_coach.engine.cue_log import CueLog
    from stretch_coach.history.recorder import CountTally, HistoryRecorder
    from stretch_coach.routine.library import Entry

#: Makes a player: ``(choice, on_problem, ring) -> Player`` (tests pass a recording one).
PlayerFactory = Callable[[str, Callable[[str], None], Callable[[], None] | None], Player]


@dataclass(frozen=True)
class Overrides:
    """What the command line chose for this run only; ``None`` where it said nothing.

    Attributes:
        audio: ``--audio``.
        voice: ``False`` for ``--no-voice``.
    """

    audio: str | None = None
    voice: bool | None = None

    @classmethod
    def from_args(cls, args: Any) -> Overrides:
        """The overrides in a parsed command line (absent options are ``None``)."""
        audio = getattr(args, "audio", None) or None
        voice = getattr(args, "voice", None)
        if getattr(args, "no_voice", False):
            voice = False
        return cls(audio=audio, voice=voice if isinstance(voice, bool) else None)

    def apply(self, settings: Settings) -> Settings:
        """``settings`` with the command line's choices on top (the command line wins)."""
        return replace(
            settings,
            audio=self.audio if self.audio is not None else settings.audio,
            voice=self.voice if self.voice is not None else settings.voice,
        )


def effective(settings: Settings, overrides: Overrides | None = None) -> Settings:
    """The settings a run uses: the command line over the saved settings over the defaults."""
    return overrides.apply(settings) if overrides is not None else settings


def session_timeline(entry: Entry, prepare: float | None, name: str | None = None) -> Timeline:
    """The timeline a session of ``entry`` plays, with the get-ready setting ``prepare``.

    Args:
        entry: a valid library entry.
        prepare: the saved get-ready time (``None``: each routine's own).
        name: how the user named the routine, for the message (default: its file).

    Raises:
        UserError: the routine is too long to lay out.
        RoutineError: the entry is invalid.
    """
    try:
        return timeline_for(entry, prepare)
    except TimelineTooLong as err:
        raise UserError(f"{name or entry.shown}: {err}") from None


def open_cue_log(path: str | None, library: Sequence[str | Path] = ()) -> CueLog | None:
    """Open ``--cue-log FILE`` (``None`` without one).

    The log is written line by line as cues fire (a killed session keeps
    its log), so it cannot be written aside and renamed: the path is checked
    first, by the guard of every output, and one that names the history, the
    settings, a routine or anything but a regular file is refused before
    anything is opened.

    Raises:
        UserError: the path is refused, or the file cannot be written.
    """
    if not path:
        return None
    from stretch_coach.engine.cue_log import CueLog
    from stretch_coach.outputs import check_output

    target = check_output(path, option="--cue-log", noun="the cue log", library=library)
    try:
        return CueLog.open(target)
    except OSError as err:
        raise UserError(f"--cue-log {path}: {err.strerror or err}") from None


def new_player(
    choice: str,
    on_problem: Callable[[str], None],
    ring: Callable[[], None] | None = None,
    *,
    voice: bool = True,
    factory: PlayerFactory | None = None,
) -> Player:
    """The player for an audio choice; one that cannot start is reported and plays nothing.

    May block briefly while it looks for a backend: a UI calls it from a thread.

    Args:
        choice: the audio choice (``none`` plays nothing at all).
        on_problem: told once, with one line, when sound is not what was asked for.
        ring: rings the bell (default: the terminal's).
        voice: make a voice too (without one nothing can be spoken later).
        factory: makes the player instead of the audio package (tests).
    """
    try:
        if factory is not None:
            return factory(choice, on_problem, ring)
        return make_player(choice, on_problem, ring, voice=voice)
    except Exception as err:
        on_problem(f"Sound is off: the {choice!r} player could not start ({err}).")
        return NullPlayer("unavailable")


def session_player(
    settings: Settings,
    on_problem: Callable[[str], None],
    ring: Callable[[], None] | None = None,
    *,
    factory: PlayerFactory | None = None,
) -> SessionPlayer:
    """The player for a run with ``settings`` (already :func:`effective`).

    With ``audio = "none"`` nothing is played; with ``voice = false`` no voice
    is even made, so nothing is spoken.
    """
    inner = new_player(settings.audio, on_problem, ring, voice=settings.voice, factory=factory)
    return SessionPlayer(inner, voice=settings.voice)


@dataclass
class PreparedSession:
    """A session ready to start, with its listeners attached.

    Attributes:
        entry: the routine's library entry.
        timeline: what it plays.
        session: the session (not started).
        player: the player its cues and voice go to.
        tally: whether it counts and the time spent, as it plays, by the
            history's rules (what the summary and the plain runner say).
        recorder: its history recorder, if it is recorded.
    """

    entry: Entry
    timeline: Timeline
    session: Session
    player: SessionPlayer
    tally: CountTally
    recorder: HistoryRecorder | None = None

    @property
    def title(self) -> str:
        """The routine's title."""
        return self.entry.title

    @property
    def caution(self) -> tuple[str, ...]:
        """The routine's "stop if..." lines: its own, then its includes' (each once)."""
        from stretch_coach.routine.library import cautions_of

        return cautions_of(self.entry)

    def close(self) -> None:
        """Let the recorder finish (a session cut short is written as interrupted)."""
        if self.recorder is not None:
            self.recorder.close()


def prepare_session(
    entry: Entry,
    timeline: Timeline,
    *,
    clock: Clock,
    player: SessionPlayer,
    cue_log: CueLog | None = None,
    record: bool = True,
    on_audio_problem: Callable[[str], None] | None = None,
    on_history_problem: Callable[[str], None] | None = None,
    now: Callable[[], datetime] | None = None,
) -> PreparedSession:
    """A session of ``timeline`` with its listeners: cue log, player, history recorder.

    Args:
        entry: the routine's library entry (the history keeps its id, title and hash).
        timeline: from :func:`session_timeline`.
        clock: the engine's clock.
        player: from :func:`session_player` (its voice switch is the session's).
        cue_log: ``--cue-log``'s log, written first.
        record: record the session in the history.
        on_audio_problem: told once when the player fails (it may be called
            from a player's thread).
        on_history_problem: told once when the history cannot be written
            (from the recorder's thread).
        now: the wall clock the history records by (default: the local clock).
    """
    from stretch_coach.engine.hearing import speech_plan_for
    from stretch_coach.history.recorder import CountTally

    # The voice (and the captions) by a plan that keeps clear of the tones; at
    # the finish it praises only a session that counts.
    def counts(steps_ended: Sequence[StepEnded]) -> bool:
        tally = CountTally(timeline.total, timeline.untimed_steps)
        for ended in steps_ended:
            tally(ended)
        return tally.counts

    session = Session(
        timeline, clock, speech=speech_plan_for(player, timeline), finish_counts=counts
    )
    if cue_log is not None:
        session.add_listener(cue_log)  # first: the log must not depend on the others
    session.add_listener(AudioLink(player, on_problem=on_audio_problem))
    tally = CountTally(timeline.total, timeline.untimed_steps)
    session.add_listener(tally)
    recorder = None
    if record:
        from stretch_coach.history.recorder import HistoryRecorder, RoutineRecord

        recorder = HistoryRecorder(
            RoutineRecord.of_timeline(entry, timeline),
            on_notice=on_history_problem or (lambda message: None),
            **({"now": now} if now is not None else {}),
        )
        session.add_listener(recorder)
    if player.voice:
        player.prerender(voice_lines(timeline))  # in the background: no phrase starts late
    return PreparedSession(entry, timeline, session, player, tally, recorder)
