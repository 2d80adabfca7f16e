"""The asyncio driver on the real clock, and the audio link, with a recording player."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

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


class RecordingPlayer:
    """A player that only writes down what it was asked to do, and when."""

    name = "recording"

    def __init__(self, clock: MonotonicClock | FakeClock) -> None:
        self.clock = clock
        self.played: list[tuple[float, Sound]] = []
        self.said: list[str] = []
        self.stops = 0
        self.closed = False

    def play(self, sound: Sound) -> None:
        self.played.append((self.clock.now(), sound))

    def say(self, text: str) -> None:
        self.said.append(text)

    def stop(self) -> None:
        self.stops += 1

    def close(self) -> None:
        self.closed = True


#: What REAL's run says: its parts leave no room to speak between tones
#: (the 4.3 s hold's countdown is 1 s apart), so only the first line, before
#: the first tone, and the last.
SAID_REAL = ["Calf hold, left side", "Well done"]

#: SHORT, then a hold long enough (4 s or more) for its 3-2-1 countdown, at
#: offsets that are not whole seconds after the hold's start (1.3, 2.3, 3.3 s).
REAL = (
    SHORT
    + """\
  - name: Last hold
    hold: 4.3s
    prepare: 0
"""
)


async def _floor(offsets: list[float]) -> list[float]:
    """Bare asyncio sleeping to each offset: the lateness this loop allows, in this run."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    lateness = []
    for at in offsets:
        await asyncio.sleep(max(start + at - loop.time(), 0.0))
        lateness.append(loop.time() - start - at)
    return lateness


async def test_a_real_clock_routine_fires_every_cue_in_order_and_never_early(
    make_timeline: Callable[..., Timeline],
) -> None:
    timeline = make_timeline(REAL)
    last = timeline.segments[-1]
    assert (last.name, last.duration, last.end) == ("Last hold", 4.3, timeline.total)
    countdown = [c.at - last.start for c in timeline.cues if c.event == "countdown"]
    assert countdown == pytest.approx([1.3, 2.3, 3.3])
    clock = MonotonicClock()
    player = RecordingPlayer(clock)
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
    # The floor runs beside the driver on the same loop, so a busy machine
    # delays both alike: the driver may be no later than the floor allowed
    # plus a margin far below the 0.7 s a scheduler that missed the
    # countdown's deadlines (waking once a second) would be late.
    floor, _ = await asyncio.wait_for(
        asyncio.gather(_floor([c.at for c in timeline.cues]), driver.run()),
        timeout=timeline.total + 10,
    )
    assert session.status == "finished"
    assert [f.cue for f in fired] == list(timeline.cues)
    lateness = [f.t - f.cue.at for f in fired]
    assert min(lateness) >= -1e-6  # never early
    assert max(lateness) <= max(floor) + 0.1
    # The player heard every sounding cue, in order, never before its time.
    sounding = [c for c in timeline.cues if not c.sound.silent]
    assert [s for _, s in player.played] == [c.sound for c in sounding]
    assert all(
        at - started >= c.at - 1e-6 for (at, _), c in zip(player.played, sounding, strict=False)
    )
    assert any(c.sound.silent for c in timeline.cues)  # the rep cues were silenced
    assert player.said == SAID_REAL
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
    session.stop()
    # Woken by the stop itself, not by its timer (a deadline up to 1 s away):
    # the driver ends within a few turns of the loop, which take no clock time.
    for _ in range(5):
        await asyncio.sleep(0)
    assert task.done()
    await task
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
    # The floor sleeps the 0.3 s hold beside it on the same loop: a busy
    # machine delays both alike. A driver still sleeping toward its old
    # deadline would be about 0.6 s later than the floor.
    floor = await _floor([0.3])
    await asyncio.wait_for(task, timeout=5.0)
    end = [f for f in fired if f.cue.event == "end" and f.cue.step == 1]
    assert len(end) == 1
    assert end[0].t - end[0].cue.at <= floor[0] + 0.1


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
    player = RecordingPlayer(FakeClock())
    play_with(timeline, AudioLink(player))
    assert [s for _, s in player.played] == [c.sound for c in timeline.cues if not c.sound.silent]
    assert player.said == ["Calf hold, left side", "Well done"]
    assert player.stops == 0


def test_no_voice_means_no_speech(
    make_timeline: Callable[..., Timeline], play_with: Callable[..., Session]
) -> None:
    player = RecordingPlayer(FakeClock())
    timeline = make_timeline(SHORT)
    play_with(timeline, AudioLink(player, voice=False))
    assert player.said == []
    assert [s for _, s in player.played] == [c.sound for c in timeline.cues if not c.sound.silent]


def test_pausing_and_ending_silence_the_player(make_timeline: Callable[..., Timeline]) -> None:
    timeline = make_timeline(SHORT)
    player = RecordingPlayer(FakeClock())
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
    player = RecordingPlayer(FakeClock())
    play_with(make_timeline(SHORT), AudioLink(player))
    assert player.stops == 0
    assert [s.name for _, s in player.played][-2:] == ["chime", "finish"]


def test_a_failing_player_is_reported_once_and_the_session_goes_on(
    make_timeline: Callable[..., Timeline], play_with: Callable[..., Session]
) -> None:
    class Broken(RecordingPlayer):
        def play(self, sound: Sound) -> None:
            raise RuntimeError("no such device")

    problems: list[str] = []
    session = play_with(
        make_timeline(SHORT), AudioLink(Broken(FakeClock()), on_problem=problems.append)
    )
    assert session.status == "finished"
    assert len(problems) == 1 and "no such device" in problems[0]
