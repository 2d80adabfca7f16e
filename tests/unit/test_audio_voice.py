"""The voice: cached rendering off the caller's thread, one phrase at a time, a small queue."""

from __future__ import annotations

import math
import shutil
import struct
import threading
import wave
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from stretch_coach.audio import BellPlayer, FallbackPlayer, Voice, find_renderer
from stretch_coach.audio.player import NullPlayer
from stretch_coach.audio.testing import wait_until
from stretch_coach.audio.voice import espeak_renderer


def wait_for(condition: Callable[[], object], timeout: float = 5.0, what: str = "") -> None:
    """Poll ``condition`` until it is true; fail at the deadline."""
    if not wait_until(condition, timeout):
        pytest.fail(f"timed out waiting for {what or condition}")


def _tiny_wav(path: Path) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(22_050)
        out.writeframes(b"\0\0" * 100)


class FakeRenderer:
    """Writes a tiny WAV per phrase and records which phrases, on which thread."""

    name = "fake"

    def __init__(self, key: str = "fake-1") -> None:
        self.key = key
        self.rendered: list[str] = []
        self.threads: set[int] = set()
        self.gate = threading.Event()
        self.gate.set()

    def render(self, text: str, out: Path) -> None:
        self.threads.add(threading.get_ident())
        assert self.gate.wait(5)
        self.rendered.append(text)
        _tiny_wav(out)


class FakePlayback:
    """A phrase 'playing' until the test finishes or stops it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.done = threading.Event()
        self.stopped = False

    def wait(self, timeout: float) -> bool:
        return self.done.wait(timeout)

    def stop(self) -> None:
        self.stopped = True
        self.done.set()


class SpeechChannel:
    """A fake play_file: records every playback and checks one plays at a time."""

    def __init__(self) -> None:
        self.playbacks: list[FakePlayback] = []
        self.overlapped = False

    def __call__(self, path: Path) -> FakePlayback:
        assert path.is_file()
        if any(not p.done.is_set() for p in self.playbacks):
            self.overlapped = True
        playback = FakePlayback(path)
        self.playbacks.append(playback)
        return playback

    @property
    def current(self) -> FakePlayback:
        return self.playbacks[-1]


@pytest.fixture
def channel() -> SpeechChannel:
    return SpeechChannel()


@pytest.fixture
def renderer() -> FakeRenderer:
    return FakeRenderer()


@pytest.fixture
def voice(channel: SpeechChannel, renderer: FakeRenderer, tmp_path: Path) -> Iterator[Voice]:
    v = Voice(channel, renderer=renderer, cache=tmp_path / "speech")
    yield v
    v.close()


def _spoken(voice: Voice, channel: SpeechChannel, texts: list[str]) -> list[str]:
    by_path = {voice.cache_path(t): t for t in texts}
    return [by_path[p.path] for p in channel.playbacks]


def test_phrases_are_rendered_once_into_the_cache(
    voice: Voice, channel: SpeechChannel, renderer: FakeRenderer, tmp_path: Path
) -> None:
    voice.say("Hold the stretch")
    wait_for(lambda: len(channel.playbacks) == 1, what="the phrase to play")
    path = voice.cache_path("Hold the stretch")
    assert path.parent == tmp_path / "speech" and path.suffix == ".wav"
    assert channel.current.path == path and path.is_file()
    channel.current.done.set()
    voice.say("Hold the stretch")
    wait_for(lambda: len(channel.playbacks) == 2, what="the phrase to play again")
    assert renderer.rendered == ["Hold the stretch"]
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary files left


def test_the_cache_is_keyed_by_engine_settings(channel: SpeechChannel, tmp_path: Path) -> None:
    one = Voice(channel, renderer=FakeRenderer("fake -s 140"), cache=tmp_path)
    two = Voice(channel, renderer=FakeRenderer("fake -s 175"), cache=tmp_path)
    assert one.cache_path("Relax") != two.cache_path("Relax")
    assert one.cache_path("Relax") != one.cache_path("Relax now")


def test_rendering_happens_off_the_callers_thread(
    voice: Voice, channel: SpeechChannel, renderer: FakeRenderer
) -> None:
    renderer.gate.clear()  # rendering blocks until the test lets it go
    # say() returns while rendering is still held back: were it to wait for
    # the rendering, the caller's thread would still be in it.
    caller = threading.Thread(target=voice.say, args=("Switch sides",))
    caller.start()
    caller.join(timeout=10)
    stuck = caller.is_alive()
    if stuck:
        renderer.gate.set()  # let it go, so the test ends
    assert not stuck, "say() waited for the rendering"
    wait_for(lambda: renderer.threads, what="rendering to begin")
    assert caller.ident not in renderer.threads
    assert channel.playbacks == []
    renderer.gate.set()
    wait_for(lambda: channel.playbacks, what="the phrase to play")


def test_prerender_warms_the_cache(voice: Voice, renderer: FakeRenderer) -> None:
    texts = ["Calf stretch", "Switch sides", "Calf stretch", "  ", "Relax"]
    assert voice.prerender(texts).result(timeout=5) == 3
    assert sorted(renderer.rendered) == ["Calf stretch", "Relax", "Switch sides"]
    assert all(voice.cache_path(t).is_file() for t in renderer.rendered)
    assert voice.prerender(texts).result(timeout=5) == 0  # all cached already


def test_one_phrase_at_a_time_and_stale_ones_are_dropped(
    voice: Voice, channel: SpeechChannel
) -> None:
    texts = ["one", "two", "three", "four", "five"]
    voice.say("one")
    wait_for(lambda: len(channel.playbacks) == 1, what="one to play")
    for text in texts[1:]:
        voice.say(text)  # "two" is dropped: only three may wait
    for count in (2, 3, 4):
        channel.current.done.set()
        wait_for(lambda: len(channel.playbacks) == count, what=f"phrase {count}")  # noqa: B023
    channel.current.done.set()
    assert _spoken(voice, channel, texts) == ["one", "three", "four", "five"]
    assert voice.dropped == 1
    assert not channel.overlapped


def test_stop_silences_the_phrase_and_forgets_the_queue(
    voice: Voice, channel: SpeechChannel
) -> None:
    texts = ["one", "two", "six"]
    voice.say("one")
    wait_for(lambda: len(channel.playbacks) == 1, what="one to play")
    voice.say("two")
    voice.stop()
    wait_for(lambda: channel.current.stopped, what="one to stop")
    voice.say("six")
    wait_for(lambda: len(channel.playbacks) == 2, what="six to play")
    assert _spoken(voice, channel, texts) == ["one", "six"]


def test_without_a_speech_engine_say_does_nothing(channel: SpeechChannel, tmp_path: Path) -> None:
    voice = Voice(channel, renderer=None, cache=tmp_path)
    assert not voice.available
    voice.say("Hello")
    assert voice.prerender(["Hello"]).result(timeout=1) == 0
    voice.close()
    assert channel.playbacks == []
    assert list(tmp_path.iterdir()) == []


def test_find_renderer_prefers_espeak_ng(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}")
    found = find_renderer()
    assert found is not None and found.name == "espeak-ng"
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert find_renderer() is None


def test_players_say_through_their_voice(voice: Voice, channel: SpeechChannel) -> None:
    assert NullPlayer().voice is None
    NullPlayer().say("nobody hears this")
    player = FallbackPlayer(lambda report: NullPlayer(), BellPlayer(lambda: None), print)
    player.voice = voice
    player.say("Breathe out")
    wait_for(lambda: channel.playbacks, what="the phrase to play")
    player.stop()
    wait_for(lambda: channel.current.stopped, what="the phrase to stop")


def test_espeak_ng_renders_real_speech(
    tmp_path: Path, require: Callable[[bool, str], None]
) -> None:
    require(shutil.which("espeak-ng") is not None, "espeak-ng")
    voice = Voice(lambda path: None, renderer=espeak_renderer(), cache=tmp_path)
    assert voice.prerender(["-Switch sides and hold"]).result(timeout=30) == 1
    with wave.open(str(voice.cache_path("-Switch sides and hold")), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth()) == (1, 2)
        seconds = wav.getnframes() / wav.getframerate()
        frames = wav.readframes(wav.getnframes())
    samples = struct.unpack(f"<{len(frames) // 2}h", frames)
    rms = math.sqrt(sum(s * s for s in samples) / len(samples))
    assert 0.8 < seconds < 5.0
    assert rms > 0.02 * 32768, f"speech RMS {rms:.0f} is too quiet"
