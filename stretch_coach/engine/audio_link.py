"""Connects a session's events to a player: cue sounds, voice lines, silence on pause.

The player is anything with the shape of :class:`~stretch_coach.audio.base.Player`;
its calls return at once (sound is played elsewhere), so the
timeline never waits for audio.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from stretch_coach.audio.base import Player
from stretch_coach.engine.events import CueFired, Ended, Event, Paused, Say, StepEnded

logger = logging.getLogger(__name__)


class AudioLink:
    """A session listener that plays cues and speaks voice lines.

    A player that raises is reported once through ``on_problem`` (or the log)
    and the session carries on: a sound that cannot be played must never stop
    the routine.

    Args:
        player: the player to use.
        voice: speak :class:`~stretch_coach.engine.events.Say` lines (the
            session already leaves them out for routines with voice off).
        on_problem: told once, with one line, when the player fails.
    """

    def __init__(
        self,
        player: Player,
        *,
        voice: bool = True,
        on_problem: Callable[[str], None] | None = None,
    ) -> None:
        self.player = player
        self.voice = voice
        self.on_problem = on_problem
        self._reported = False
        self._last_at: float | None = None  # the offset of the last tone played

    def __call__(self, event: Event) -> None:
        """Act on one session event."""
        try:
            if isinstance(event, CueFired):
                # A silent cue still happened (it is logged and shown), it
                # just has nothing to play.
                if not event.cue.sound.silent:
                    # Tones due at the same instant play back to back, in order.
                    follow = getattr(self.player, "follow", None)
                    if follow is not None and self._last_at == event.cue.at:
                        follow()
                    self._last_at = event.cue.at
                    self.player.play(event.cue.sound)
            elif isinstance(event, Say):
                if self.voice:
                    self.player.say(event.text)
            elif isinstance(event, StepEnded) and (event.skipped or not event.step.kind.timed):
                # The person has moved on: what the voice still had to say
                # about that step is stale (the tones are left alone).
                hush = getattr(self.player, "hush", None) or getattr(
                    getattr(self.player, "voice", None), "stop", None
                )
                if callable(hush):
                    hush()
            elif isinstance(event, Paused) or (
                isinstance(event, Ended) and event.status == "stopped"
            ):
                # A routine played to its end keeps its last sounds (the end
                # chime, the finish, "Well done"): only a pause or a stop silences.
                self.player.stop()
        except Exception as err:
            if self._reported:
                return
            self._reported = True
            logger.debug("the player failed", exc_info=True)
            if self.on_problem is not None:
                self.on_problem(f"sound failed ({err}); carrying on without it")
