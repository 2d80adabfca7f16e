"""Issue 10: every cue is heard, the last ones too, and the voice never talks over a tone.

Sessions play on a fake clock through the audio link into a recording player
that knows how long each sound and phrase lasts, and tells when each would
have been heard.
"""

from __future__ import annotations

import asyncio
import io
import itertools
import json
import struct
import threading
import wave
from collections.abc import Callable
from pathlib import Path

import pytest

from stretch_coach.audio.testing import Interval, RecordingPlayer
from stretch_coach.audio.wavs import TAIL, sound_seconds, trim_trailing_silence, wav_seconds
from stretch_coach.engine.audio_link import AudioLink
from stretch_coach.engine.clock import FakeClock
from stretch_coach.engine.cue_log import CueLog
from stretch_coach.engine.hearing import (
    MOMENT,
    NO_SPEECH_ENGINE,
    drain,
    phrase_seconds,
    ready,
    sounds_after_end,
    voice_notice,
)
from stretch_coach.engine.session import Session
from stretch_coach.engine.speech import (
    AFTER_TONE,
    GUARD,
    LEAD_GUARD,
    estimate_seconds,
    plan_speech,
    tone_intervals,
)
from stretch_coach.routine.library import default_library
from stretch_coach.timeline import Timeline, timeline_for

BUNDLED = ["bedtime-calf-stretch", "cool-down", "pre-bed", "easy-cycling", "cramp-now"]


def bundled(name: str) -> Timeline:
    return timeline_for(default_library([]).find(name))


def hear(
    timeline: Timeline, *, wait: float = 30.0
) -> tuple[Session, RecordingPlayer, list[Interval]]:
    """Play ``timeline`` to its end; a self-paced step is done after ``wait`` seconds."""
    clock = FakeClock(500.0)
    player = RecordingPlayer(
        clock.now, sound_seconds=sound_seconds, phrase_seconds=estimate_seconds
    )
    plan = plan_speech(timeline)
    session = Session(timeline, clock, listeners=[AudioLink(player)], speech=plan)
    session.start()
    while not session.ended:
        deadline = session.next_deadline()
        if deadline is None:
            clock.advance(wait)
            session.done()
            continue
        clock.set(deadline)
        session.update()
    return (
        session,
        player,
        [
            Interval(i.kind, i.what, i.start - 500.0, i.end - 500.0, i.cut)
            for i in player.heard_as()
        ],
    )


@pytest.mark.parametrize("name", BUNDLED)
def test_no_phrase_is_heard_while_a_tone_plays(name: str) -> None:
    _session, _player, heard = hear(bundled(name))
    tones = [i for i in heard if i.kind == "play"]
    phrases = [i for i in heard if i.kind == "say"]
    assert phrases and tones
    for phrase in phrases:
        assert not phrase.cut, f"{phrase.what!r} was cut short by a tone"
        clash = [t.what for t in tones if t.overlaps(phrase)]
        assert clash == [], f"{phrase.what!r} plays over {clash}"


@pytest.mark.parametrize("name", BUNDLED)
def test_every_cue_sound_starts_in_order_the_last_ones_too(name: str) -> None:
    timeline = bundled(name)
    session, player, heard = hear(timeline)
    assert session.status == "finished"
    audible = [c for c in timeline.cues if not c.sound.silent]
    assert player.sounds == [str(c.sound) for c in audible]
    assert player.sounds[-2:] in (["chime", "finish"], ["beep", "finish"])
    # Each tone is heard when its cue fires, or right after the one before at
    # the same instant (as planned): never together, never dropped, never stopped.
    tones = [i for i in heard if i.kind == "play"]
    fired = [h.at - 500.0 for h in player.heard if h.kind == "play"]
    planned = tone_intervals(timeline, sound_seconds)
    assert len(tones) == len(fired) == len(planned) == len(audible)
    for tone, at, cue, (start, end) in zip(tones, fired, audible, planned, strict=True):
        assert tone.start - at == pytest.approx(start - cue.at, abs=1e-6)
        assert tone.end - tone.start == pytest.approx(end - start)
        assert not tone.cut
    assert all(a.end <= b.start + 1e-6 for a, b in itertools.pairwise(tones))
    if timeline.total > 0:  # a timed routine ends with its end chime and finish at one instant
        assert any(start > cue.at for cue, (start, _e) in zip(audible, planned, strict=True))
    assert [h.kind for h in player.heard].count("stop") == 0


def test_the_routines_end_chime_and_finish_play_back_to_back_then_well_done() -> None:
    timeline = bundled("bedtime-calf-stretch")
    _session, _player, heard = hear(timeline)
    total = timeline.total
    last = heard[-3:]
    chime, finish = sound_seconds_of("chime"), sound_seconds_of("finish")
    assert [(i.kind, i.what) for i in last] == [
        ("play", "chime"),
        ("play", "finish"),
        ("say", "Well done"),
    ]
    # The tones are planned on the timed axis; the first step's lead-in shifts them all.
    assert last[0].start - total == pytest.approx(_session.speech.lead[0])
    assert last[1].start == pytest.approx(last[0].start + chime)
    assert last[2].start == pytest.approx(last[1].start + finish)


def sound_seconds_of(name: str) -> float:
    from stretch_coach.routine.model import Sound

    return sound_seconds(Sound(name))


def test_the_first_step_is_named_before_its_first_tone() -> None:
    timeline = bundled("bedtime-calf-stretch")
    plan = plan_speech(timeline)
    first = plan.phrases[0]
    assert (first.text, first.kind) == ("Wall calf stretch, left side", "step")
    assert first.at == pytest.approx(-LEAD_GUARD - first.length)
    assert plan.lead == {0: pytest.approx(LEAD_GUARD + first.length)}
    _session, _player, heard = hear(timeline)
    assert heard[0].kind == "say" and heard[1].kind == "play"
    assert heard[0].end <= heard[1].start - LEAD_GUARD + 1e-9


def test_steps_and_sides_are_always_spoken_and_phrases_keep_clear_of_tones() -> None:
    timeline = bundled("bedtime-calf-stretch")
    plan = plan_speech(timeline)
    assert [(p.text, p.kind) for p in plan.phrases] == [
        ("Wall calf stretch, left side", "step"),
        ("Right side", "side"),  # in the switch pause, after the end chime and switch
        ("Heel drops. Hold the rail, and lower your heels slowly.", "step"),  # its say
        ("Well done", "finish"),
    ]
    for phrase in plan.phrases:
        for start, end in plan.tones:
            assert phrase.end + GUARD <= start + 1e-9 or end + AFTER_TONE <= phrase.at + 1e-9
    assert plan.shortfalls == ()


def test_instructions_are_spoken_only_where_a_gap_holds_them(
    make_timeline: Callable[..., Timeline],
) -> None:
    text = "Hands on the wall, one foot back, heel down, lean forward."
    long_ready = make_timeline(
        f"title: T\nsteps:\n  - name: Wall\n    instructions: {text}\n    hold: 10s\n"
        "    prepare: 15s\n"
    )
    short_ready = make_timeline(
        f"title: T\nsteps:\n  - name: Wall\n    instructions: {text}\n    hold: 10s\n"
    )
    said_long = [(p.text, p.kind) for p in plan_speech(long_ready).phrases]
    said_short = [(p.text, p.kind) for p in plan_speech(short_ready).phrases]
    assert said_long == [("Wall", "step"), (text, "instructions"), ("Well done", "finish")]
    assert said_short == [("Wall", "step"), ("Well done", "finish")]  # shown, not said


def test_a_step_with_no_room_is_said_late_and_its_author_is_warned(
    make_timeline: Callable[..., Timeline],
) -> None:
    timeline = make_timeline(
        "title: T\nsteps:\n  - name: One\n    hold: 10s\n"
        "  - name: Calf self-massage with both hands\n    hold: 20s\n"
    )
    plan = plan_speech(timeline)
    late = [p for p in plan.phrases if p.step == 1]
    assert [p.text for p in late] == ["Calf self-massage with both hands"]
    work = timeline.segments[late[0].target + 1]  # the hold after the get-ready
    assert late[0].at >= work.start  # after the go, not over a tone
    [short] = plan.shortfalls
    assert short.step == 1 and short.spoken_late
    assert "give it a longer prepare, or a rest before it" in short.message("Calf")


def test_a_rest_step_before_gives_the_next_step_room(
    make_timeline: Callable[..., Timeline],
) -> None:
    timeline = make_timeline(
        "title: T\nsteps:\n  - name: One\n    hold: 10s\n  - rest: 10s\n"
        "  - name: Calf self-massage with both hands\n    hold: 20s\n"
    )
    plan = plan_speech(timeline)
    line = next(p for p in plan.phrases if p.step == 2)
    rest = timeline.segments[line.segment]
    assert rest.kind == "rest" and line.at < timeline.segments[line.target].start
    assert plan.shortfalls == ()


def test_a_jump_says_the_step_again_before_its_first_tone() -> None:
    timeline = bundled("pre-bed")
    clock = FakeClock(0.0)
    player = RecordingPlayer(clock.now)
    session = Session(timeline, clock, listeners=[AudioLink(player)], speech=plan_speech(timeline))
    session.start()
    session.next_step()  # easy cycling -> heel walking (self-paced)
    player.clear()
    session.next_step()  # -> the wall stretch, whose name needs a lead-in
    # The voice leads in at once; the get-ready's first tone follows.
    assert [(h.kind, h.what) for h in player.heard] == [("say", "Wall calf stretch, left side")]
    clock.advance(session.speech.lead[3] - 0.01)
    session.update()
    assert len(player.heard) == 1
    clock.advance(0.01)
    session.update()
    assert [(h.kind, h.what) for h in player.heard] == [
        ("say", "Wall calf stretch, left side"),
        ("play", "beep"),
    ]


def test_the_cue_log_records_every_phrase(make_timeline: Callable[..., Timeline]) -> None:
    timeline = bundled("bedtime-calf-stretch")
    stream = io.StringIO()
    clock = FakeClock(0.0)
    plan = plan_speech(timeline)
    session = Session(timeline, clock, listeners=[CueLog(stream)], speech=plan)
    session.start()
    while not session.ended:
        deadline = session.next_deadline()
        assert deadline is not None
        clock.set(deadline)
        session.update()
    records = [json.loads(line) for line in stream.getvalue().splitlines()]
    said = [r for r in records if r["event"] == "say"]
    assert [set(r) for r in said] == [{"event", "at", "t", "text", "length"}] * 4
    assert [(r["text"], r["at"], r["length"]) for r in said] == [
        (p.text, round(p.at, 4), round(p.length, 4)) for p in plan.phrases
    ]
    # Said when planned (the finish line: handed over at the end, heard after the tones).
    assert all(r["t"] == pytest.approx(r["at"], abs=1e-3) for r in said[:-1])
    assert said[-1]["t"] == pytest.approx(timeline.total, abs=1e-3)
    assert said[-1]["at"] > timeline.total


def test_sounds_after_end_bounds_the_wait() -> None:
    timeline = bundled("bedtime-calf-stretch")
    tones_only = sounds_after_end(timeline)
    assert tones_only == pytest.approx(sound_seconds_of("chime") + sound_seconds_of("finish"))
    plan = plan_speech(timeline)
    assert sounds_after_end(timeline, plan) == pytest.approx(
        tones_only + GUARD + estimate_seconds("Well done")
    )


class Busy:
    """A player busy until a fake time."""

    def __init__(self, clock: FakeClock, until: float) -> None:
        self.clock, self.until = clock, until

    @property
    def busy(self) -> bool:
        return self.clock.now() < self.until


async def test_drain_waits_for_the_last_sounds_but_no_longer_than_bounded() -> None:
    clock = FakeClock(0.0)

    def tick() -> float:
        clock.advance(0.01)  # each look at the time moves it on
        return clock.now()

    assert await drain(Busy(clock, 1.0), 2.0 + MOMENT, poll=0, clock=tick)
    assert 1.0 <= clock.now() < 1.1
    assert not await drain(Busy(clock, 100.0), 2.0, poll=0, clock=tick)
    assert clock.now() < 3.5
    assert await drain(object(), 5.0)  # a bell: nothing to wait for
    await asyncio.sleep(0)


def test_voice_notice_names_espeak_ng_once_wanted(monkeypatch: pytest.MonkeyPatch) -> None:
    import stretch_coach.audio.voice as voice

    monkeypatch.setattr(voice, "find_renderer", lambda: None)
    assert voice_notice(None, wanted=True) == NO_SPEECH_ENGINE
    assert "espeak-ng" in NO_SPEECH_ENGINE
    assert voice_notice(None, wanted=False) is None


def _wav(path: Path, samples: list[int], rate: int = 22_050) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(struct.pack(f"<{len(samples)}h", *samples))


def test_rendered_speech_loses_its_trailing_silence_and_is_measured(tmp_path: Path) -> None:
    # 0.5 s of "voice", then the 0.4 s of silence espeak-ng pads a phrase with.
    phrase = tmp_path / "phrase.wav"
    _wav(phrase, [3000 if i % 2 else -3000 for i in range(11_025)] + [0] * 8820)
    assert wav_seconds(phrase) == pytest.approx(0.9)
    trim_trailing_silence(phrase)
    assert wav_seconds(phrase) == pytest.approx(0.5 + TAIL, abs=1 / 22_050)
    # The plan measures a rendered phrase; one not rendered yet is estimated.
    measure = phrase_seconds(lambda text: phrase if text == "Right side" else tmp_path / "none.wav")
    assert measure("Right side") == pytest.approx(0.55, abs=1e-3)
    assert measure("Left side") == estimate_seconds("Left side")


async def test_the_runner_waits_for_its_player_before_the_first_cue() -> None:
    class Starting:
        def __init__(self) -> None:
            self.ready = threading.Event()

    player = Starting()
    waiting = asyncio.ensure_future(ready(player, 5.0))
    await asyncio.sleep(0)
    assert not waiting.done()
    player.ready.set()
    assert await waiting is True
    assert await ready(Starting(), 0.01) is False  # bounded
    assert await ready(object()) is True  # nothing to wait for
