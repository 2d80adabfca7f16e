"""What a front-end does so that everything is heard: speech planned, last sounds waited for.

* :func:`speech_plan_for` makes the session's speech plan with each phrase's
  real length where its WAV is already rendered (else estimated from text).
* :func:`prepare_speech` renders the phrases first (bounded), then plans.
* :func:`sounds_after_end` and :func:`drain` let a runner wait, at most the
  last sounds' length plus a moment, for them to finish before it exits.
* :func:`voice_notice` says once, when voice is wanted and no speech engine
  exists, how to get one.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any, Final

from stretch_coach.engine.speech import (
    SpeechPlan,
    estimate_seconds,
    plan_speech,
    speech_texts,
    tone_intervals,
)
from stretch_coach.timeline import Timeline

#: Added to the last sounds' length when waiting for them: a player starts late
#: by a few tens of milliseconds, and a device drains its buffer.
MOMENT: Final = 0.5
#: Longest a runner waits for the phrases to be rendered before the first tone.
RENDER_WAIT: Final = 5.0
#: Longest a runner waits for its player to be ready before the first tone.
READY_WAIT: Final = 5.0
#: What the voice says instead of "Voice on." and silence.
NO_SPEECH_ENGINE: Final = (
    "Voice: no speech engine found, so nothing will be spoken (the words are shown). "
    "To hear step names, install espeak-ng (e.g. sudo apt install espeak-ng)."
)


def _voice_of(player: Any) -> Any:
    """The player's :class:`~stretch_coach.audio.voice.Voice`, through wrappers, or ``None``."""
    from stretch_coach.audio.voice import Voice

    for candidate in (player, getattr(player, "inner", None)):
        voice = getattr(candidate, "voice", None)
        if isinstance(voice, Voice):
            return voice
    return None


def phrase_seconds(cache_path: Callable[[str], Path] | None) -> Callable[[str], float]:
    """How long a phrase lasts: its rendered WAV's length if cached, else an estimate."""
    from stretch_coach.audio.wavs import wav_seconds

    def seconds(text: str) -> float:
        if cache_path is not None:
            measured = wav_seconds(cache_path(text.strip()))  # the name the voice renders to
            if measured is not None:
                return measured
        return estimate_seconds(text)

    return seconds


def can_speak(player: Any) -> bool:
    """Whether ``player`` has a voice with a speech engine."""
    voice = _voice_of(player)
    return voice is not None and bool(voice.available)


def speech_plan_for(player: Any, timeline: Timeline) -> SpeechPlan:
    """The speech plan for ``timeline``, with phrase lengths measured where the player can."""
    voice = _voice_of(player)
    cache_path = voice.cache_path if voice is not None and voice.available else None
    return plan_speech(
        timeline, phrase_seconds=phrase_seconds(cache_path), lead_in=cache_path is not None
    )


async def prepare_speech(
    player: Any, timeline: Timeline, *, wait: float = RENDER_WAIT
) -> SpeechPlan:
    """Render every phrase (waiting at most ``wait`` seconds), then plan with their lengths."""
    voice = _voice_of(player)
    if voice is not None and voice.available:
        rendered: Future[int] = voice.prerender(speech_texts(timeline))
        # Past the wait, plan with estimates for what is not rendered yet.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.wrap_future(rendered), timeout=wait)
    return speech_plan_for(player, timeline)


def sounds_after_end(timeline: Timeline, plan: SpeechPlan | None = None) -> float:
    """Seconds of sound (the last tones, and phrases) after the routine's planned end."""
    from stretch_coach.audio.wavs import sound_seconds

    ends = [end for _start, end in tone_intervals(timeline, sound_seconds)]
    tail = max(0.0, max(ends, default=0.0) - timeline.total)
    return max(tail, plan.tail if plan is not None else 0.0)


async def ready(player: Any, within: float = READY_WAIT) -> bool:
    """Wait (at most ``within`` seconds) until ``player`` has found its sound program.

    Started before, the first cue would wait behind the player's start-up
    and could be dropped as too late: every cue with a sound must be heard.
    """
    for candidate in (player, getattr(player, "primary", None), getattr(player, "inner", None)):
        event = getattr(candidate, "ready", None)
        if isinstance(event, threading.Event):
            return await asyncio.to_thread(event.wait, within)
    return True


async def drain(
    player: Any,
    within: float,
    *,
    poll: float = 0.02,
    clock: Callable[[], float] = time.monotonic,
) -> bool:
    """Wait until ``player`` has nothing left to play, or ``within`` seconds have passed.

    A player without a ``busy`` property (a bell, nothing) has nothing to wait for.

    Returns:
        Whether the player fell silent in time.
    """
    deadline = clock() + within
    while getattr(player, "busy", False):
        if clock() >= deadline:
            return False
        # The players report from their own threads and offer nothing to await.
        await asyncio.sleep(poll)
    return True


def voice_notice(player: Any = None, *, wanted: bool = True) -> str | None:
    """:data:`NO_SPEECH_ENGINE` when voice is wanted and this machine cannot speak."""
    if not wanted:
        return None
    voice = _voice_of(player) if player is not None else None
    if voice is not None:
        return None if voice.available else NO_SPEECH_ENGINE
    from stretch_coach.audio.voice import find_renderer

    return NO_SPEECH_ENGINE if find_renderer() is None else None
