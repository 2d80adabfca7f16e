"""The asyncio driver on the real clock, and the audio link, with a recording player."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest

from stretch_coach.audio.testing import RecordingPlayer
from stretch_coach.engine import events as ev
from stretch_coach.engine.audio_link import AudioLink
from stretch_coach.engine.clock import FakeClock, MonotonicClock
from stretch_coach.engine.driver import AsyncDriver
from stretch_coach.engine.session import Session
from stretch_coach.engine.speech import plan_speech
from stretch_coach.routine.model import Sound
from stretch_coach.timeline import Timeline

#: About three seconds of every timed kind, with a silent cue and a custom tick.
SHORT = """\
title: Short
defaults:
  prepare: 0.2s
cues:
  rep: none
steps:
  - name: Calf hold
    hold: 0.4s
    reps: 2
    rest: 0.1s
    sides: [left, right]
    switch: 0.3s
  - name: Heel raises
    reps: 3
    tempo: 0.25s
  - name: March
    duration: 0.5s
    prompts: [{at: 0.2, say: Knees up}]
"""


def _cues_into(fired: list[ev.CueFired]) -> Callable[[ev.Event], None]:
    def listen(event: ev.Event) -> None:
        if isinstance(event, ev.CueFired):
            fired.append(event)

    return listen


async def test_a_real_clock_routine_fires_every_cue_in_order_and_never_early(
    make_timeline: Callable[..., Timeline],
) -> None:
    timeline = make_timeline(SHORT)
    assert 2.5 < timeline.total < 4.5
    clock = MonotonicClock()
    player = RecordingPlayer(clock.now)
    fired: list[ev.CueFired] = []
    session = Session(
        timeline,
        clock,
        listeners=[_cues_into(fired), AudioLink(player)],
        speech=plan_speech(timeline),
    )
    driver = AsyncDriver(session, clock)
    started = clock.now()
    session.start()
    await asyncio.wait_for(driver.run(), timeout=timeline.total + 5)
    assert session.status == "finished"
    assert [f.cue for f in fired] == list(timeline.cues)
    lateness = [f.t - f.cue.at for f in fired]
    assert min(lateness) >= -1e-6  # never early
    assert max(lateness) < 0.25  # generous: CI machines are busy
    # The player heard every sounding cue, in order, never before its time.
    sounding = [c for c in timeline.cues if not c.sound.silent]
    plays = [h for h in player.heard if h.kind == "play"]
    assert [h.what for h in plays] == [str(c.sound) for c in sounding]
    assert all(h.at - started >= c.at - 1e-6 for h, c in zip(plays, sounding, strict=True))
    assert any(c.sound.silent for c in timeline.cues)  # the rep cues were silenced
    # Parts this short leave no room to speak between tones: only the first
    # line (before the first tone) and the last are said.
    assert player.said == ["Calf hold, left side", "Well done"]
    assert player.stops == 0  # played to its end: the last sounds are not cut off


async def test_commands_wake_the_driver_and_stop_ends_it(
    make_timeline: Callable[..., Timeline],
) -> None:
    timeline = make_timeline("title: T\nsteps:\n  - name: Hold\n    hold: 30s\n    prepare: 0\n")
    clock = MonotonicClock()
    session = Session(timeline, clock)
    driver = AsyncDriver(session, clock)
    task = asyncio.create_task(driver.run())
    await asyncio.sleep(0)  # the driver waits: the session is not started
    session.start()
    await asyncio.sleep(0.05)
    session.pause()
    await asyncio.sleep(0.05)
    assert not task.done()
    session.resume()
    began = time.monotonic()
    session.stop()
    await asyncio.wait_for(task, timeout=1.0)
    assert time.monotonic() - began < 0.5  # woken at once, not at its next deadline
    assert session.status == "stopped"


async def test_a_skip_wakes_the_driver_for_the_new_deadline(
    make_timeline: Callable[..., Timeline],
) -> None:
    # Sleeping toward a deadline 1 s away, the driver must re-plan at once
    # when a skip brings a cue much nearer.
    timeline = make_timeline(
        "title: T\ndefaults:\n  prepare: 0\nsteps:\n"
        "  - name: Long\n    hold: 60s\n  - name: Short\n    hold: 0.3s\n"
    )
    clock = MonotonicClock()
    fired: list[ev.CueFired] = []
    session = Session(timeline, clock, listeners=[_cues_into(fired)])
    driver = AsyncDriver(session, clock)
    session.start()
    task = asyncio.create_task(driver.run())
    await asyncio.sleep(0.1)
    session.next_step()
    await asyncio.wait_for(task, timeout=2.0)
    end = [f for f in fired if f.cue.event == "end" and f.cue.step == 1]
    assert end and end[0].t - end[0].cue.at < 0.2


# -- the audio link ---------------------------------------------------------------------


@pytest.fixture
def play_with(play: Callable[..., None]) -> Callable[[Timeline, AudioLink], Session]:
    def run(timeline: Timeline, link: AudioLink) -> Session:
        clock = FakeClock()
        session = Session(timeline, clock, listeners=[link], speech=plan_speech(timeline))
        play(session, clock)
        return session

    return run


def test_the_audio_link_plays_sounding_cues_and_speaks(
    make_timeline: Callable[..., Timeline], play_with: Callable[..., Session]
) -> None:
    timeline = make_timeline(SHORT)
    player = RecordingPlayer(FakeClock().now)
    play_with(timeline, AudioLink(player))
    assert player.sounds == [str(c.sound) for c in timeline.cues if not c.sound.silent]
    assert player.said == ["Calf hold, left side", "Well done"]
    assert player.stops == 0


def test_no_voice_means_no_speech(
    make_timeline: Callable[..., Timeline], play_with: Callable[..., Session]
) -> None:
    player = RecordingPlayer(FakeClock().now)
    play_with(make_timeline(SHORT), AudioLink(player, voice=False))
    assert player.said == [] and player.sounds


def test_pausing_and_ending_silence_the_player(make_timeline: Callable[..., Timeline]) -> None:
    timeline = make_timeline(SHORT)
    player = RecordingPlayer(FakeClock().now)
    session = Session(timeline, FakeClock(), listeners=[AudioLink(player)])
    session.start()
    session.pause()
    assert player.stops == 1
    session.stop()
    assert player.stops == 2


def test_a_finished_routine_is_not_silenced(
    make_timeline: Callable[..., Timeline], play_with: Callable[..., Session]
) -> None:
    # The end chime, the finish and "Well done" are started last: a stop on
    # Ended("finished") would cut them (issue 10), so there is none.
    player = RecordingPlayer(FakeClock().now)
    play_with(make_timeline(SHORT), AudioLink(player))
    assert player.stops == 0
    assert player.played[-2:] == ["chime", "finish"]


def test_a_failing_player_is_reported_once_and_the_session_goes_on(
    make_timeline: Callable[..., Timeline], play_with: Callable[..., Session]
) -> None:
    class Broken(RecordingPlayer):
        def play(self, sound: Sound) -> None:
            raise RuntimeError("no such device")

    problems: list[str] = []
    session = play_with(
        make_timeline(SHORT), AudioLink(Broken(FakeClock().now), on_problem=problems.append)
    )
    assert session.status == "finished"
    assert len(problems) == 1 and "no such device" in problems[0]
