"""``--cue-log FILE``: one JSON line per cue fired, for checking timing from outside.

Each line is ``{"event", "at", "t", "step", "name", "side", "rep", "set",
"phase", "sound"}`` (``phase``: the phase that begins, in a step with
``phases``, else null): ``at`` is the planned offset and ``t`` the measured position on
the timed axis when the cue fired (seconds, rounded to 0.1 ms), so ``t - at``
is the lateness. Every cue the timeline defines is logged when it fires,
whatever the audio backend and silent ones too. Each line is flushed as it is
written, so a session that is killed keeps its log. Each phrase the voice
is given is logged too, as ``{"event": "say", "at", "t", "text", "length"}``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO

from stretch_coach.engine.events import CueFired, Event, Say


def cue_record(event: CueFired) -> dict[str, Any]:
    """The JSON object logged for a fired cue."""
    cue = event.cue
    return {
        "event": cue.event,
        "at": round(cue.at, 4),
        "t": round(event.t, 4),
        "step": cue.step,
        "name": cue.name,
        "side": cue.side,
        "rep": cue.rep,
        "set": cue.set,
        "phase": cue.phase,
        "sound": str(cue.sound),
    }


def say_record(event: Say) -> dict[str, Any]:
    """The JSON object logged for a phrase handed to the voice (``"event": "say"``).

    ``at`` is where the speech plan put its start, ``t`` where the session
    was when it handed it to the voice, ``length`` its planned length (s).
    """
    return {
        "event": "say",
        "at": round(event.at, 4),
        "t": round(event.t, 4),
        "text": event.text,
        "length": round(event.length, 4),
    }


class CueLog:
    """A session listener writing fired cues as JSON lines.

    Args:
        stream: an open text stream; the log does not close it unless it
            opened it (see :meth:`open`).
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._owned = False

    @classmethod
    def open(cls, path: str | Path) -> CueLog:
        """Create (or truncate) ``path`` and log to it.

        Raises:
            OSError: if the file cannot be created.
        """
        log = cls(open(path, "w", encoding="utf-8"))  # noqa: SIM115 - closed by close()
        log._owned = True
        return log

    def __call__(self, event: Event) -> None:
        """Log ``event`` if it is a fired cue or a phrase handed to the voice."""
        if isinstance(event, CueFired):
            self.stream.write(json.dumps(cue_record(event)) + "\n")
            self.stream.flush()
        elif isinstance(event, Say):
            self.stream.write(json.dumps(say_record(event)) + "\n")
            self.stream.flush()

    def close(self) -> None:
        """Close the file if this log opened it."""
        if self._owned:
            self.stream.close()
