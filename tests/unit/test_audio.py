"""The players: backend choice, failure and fallback, the bell, stop(), and a real aplay.

Most tests drive the real playsound3 with stand-in programs: a shell script
named ``aplay`` (or ``ffplay``) on a temporary PATH that logs what it is asked
to play and then exits 0, exits 1, or keeps playing until it is killed.
"""

from __future__ import annotations

import math
import os
import shutil
import stat
import struct
import subprocess
import sys
import threading
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from stretch_coach.audio import (
    BellPlayer,
    FallbackPlayer,
    NullPlayer,
    Playsound3Player,
    TerminalBell,
    UnknownSoundError,
    Voice,
    available_backends,
    make_player,
    sound_file,
)
from stretch_coach.audio.backend import NO_PLAYER
from stretch_coach.audio.base import BasePlayer
from stretch_coach.audio.sounds import shipped_sound_file
from stretch_coach.audio.testing import RecordingPlayer, wait_until
from stretch_coach.resources import bundled_sounds_dir
from stretch_coach.routine.model import Sound

pytestmark = pytest.mark.skipif(os.name == "nt", reason="stand-in players are shell scripts")

GO = Sound("go")
TICK = Sound("tick")
SILENT = Sound("none")
REQUIRE_TOOLS = os.environ.get("STRETCH_COACH_REQUIRE_TOOLS") == "1"


def wait_for(condition: Callable[[], object], timeout: float = 5.0, what: str = "") -> None:
    """Poll ``condition`` until it is true; fail at the deadline."""
    if not wait_until(condition, timeout):
        pytest.fail(f"timed out waiting for {what or condition}")


def require_tool(name: str) -> str:
    """The path of a system tool, or skip (fail where CI installed the tools)."""
    path = shutil.which(name)
    if path is None:
        if REQUIRE_TOOLS:
            pytest.fail(f"{name} is required (STRETCH_COACH_REQUIRE_TOOLS=1) but not on PATH")
        pytest.skip(f"{name} is not installed")
    return path


@dataclass
class FakeBin:
    """A PATH folder of stand-in sound programs."""

    dir: Path
    log: Path
    problems: list[str] = field(default_factory=list)

    def program(self, name: str, *, probe: str = "exit 0", play: str = "exit 0") -> None:
        """Add a program: it logs each file, then runs ``probe`` or ``play`` (shell)."""
        script = self.dir / name
        script.write_text(
            "#!/bin/sh\n"
            '[ "$1" = "--version" ] || [ "$1" = "-version" ] && exit 0\n'
            "for file; do :; done\n"  # the file is the last argument
            f'echo "{name} $file" >> "{self.log}"\n'
            'case "$file" in\n'
            f"  *stretch-coach-probe*) {probe} ;;\n"
            f"  *) {play} ;;\n"
            "esac\n"
        )
        script.chmod(script.stat().st_mode | stat.S_IXUSR)

    def played(self) -> list[str]:
        """What the programs were asked to play: ``"PROGRAM NAME"``, probes as ``probe``."""
        if not self.log.exists():
            return []
        out = []
        for line in self.log.read_text().splitlines():
            program, file = line.split(" ", 1)
            name = "probe" if "stretch-coach-probe" in file else Path(file).stem
            out.append(f"{program} {name}")
        return out


@pytest.fixture
def fake_bin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeBin:
    # playsound3 runs its backends' programs when first imported: do that with
    # the real PATH, before the stand-ins take over.
    import playsound3  # noqa: F401

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    # sh and sleep must still be found; the real sound programs must not.
    for tool in ("sh", "sleep", "cat"):
        real = shutil.which(tool)
        assert real, tool
        (bin_dir / tool).symlink_to(real)
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.delenv("PLAYSOUND3_BACKEND", raising=False)
    return FakeBin(bin_dir, tmp_path / "played.log")


@pytest.fixture(autouse=True)
def _hermetic_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRETCH_COACH_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def players() -> Iterator[list[BasePlayer]]:
    """Players to close after the test, so no stand-in keeps running."""
    made: list[BasePlayer] = []
    yield made
    for player in made:
        player.close()


def sync(player: Playsound3Player) -> None:
    """Wait until the worker has handled everything queued before this call.

    start_file() goes through the same queue as play() and blocks until the
    worker reaches it, so once the tick it starts has ended, whatever came
    before it has been started (or dropped) too.
    """
    handle = player.start_file(shipped_sound_file("tick"))
    assert handle is not None and handle.wait(5)
    wait_for(lambda: player.live_count == 0, what="every sound to end")


# Import hygiene


def test_audio_modules_import_neither_textual_nor_playsound3() -> None:
    code = (
        "import sys\n"
        "import stretch_coach.audio, stretch_coach.audio.player, stretch_coach.audio.backend\n"
        "import stretch_coach.audio.sounds\n"
        "import stretch_coach.audio.voice, stretch_coach.audio.testing\n"
        "bad = [m for m in ('textual', 'playsound3') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


# Sounds


def test_sound_file_resolves_shipped_silent_and_routine_sounds(tmp_path: Path) -> None:
    assert sound_file(GO) == bundled_sounds_dir() / "go.wav"
    assert sound_file(GO).is_file()  # type: ignore[union-attr]
    assert sound_file(SILENT) is None
    own = tmp_path / "bell.wav"
    assert sound_file(Sound("bell.wav", own)) == own
    with pytest.raises(UnknownSoundError, match="boing"):
        sound_file(Sound("boing"))


# Choosing a backend


def test_no_program_means_no_backend(fake_bin: FakeBin) -> None:
    assert available_backends() == []


def test_backends_found_on_path_in_order_of_preference(fake_bin: FakeBin) -> None:
    fake_bin.program("ffplay")
    fake_bin.program("aplay")
    assert available_backends() == ["alsa", "ffplay"]


def test_backends_follow_shutil_which(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PLAYSOUND3_BACKEND", raising=False)
    monkeypatch.setattr(
        shutil, "which", lambda name: "/opt/bin/gst-play-1.0" if name == "gst-play-1.0" else None
    )
    assert available_backends() == ["gstreamer"]


def test_playsound3_backend_variable_wins(
    fake_bin: FakeBin, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_bin.program("aplay")
    monkeypatch.setenv("PLAYSOUND3_BACKEND", "FFplay")
    assert available_backends() == ["ffplay"]


@pytest.mark.parametrize("choice", ["auto", "playsound3"])
def test_without_a_program_the_bell_rings_and_the_user_is_told(
    fake_bin: FakeBin, choice: str
) -> None:
    problems: list[str] = []
    player = make_player(choice, problems.append, ring=lambda: None)
    assert isinstance(player, BellPlayer)
    assert problems == [f"{NO_PLAYER}; using the terminal bell"]


def test_auto_uses_playsound3_when_a_program_exists(fake_bin: FakeBin, players: list) -> None:
    fake_bin.program("aplay")
    problems: list[str] = []
    player = make_player("auto", problems.append, ring=lambda: None, voice=False)
    players.append(player)
    assert isinstance(player, FallbackPlayer)
    assert isinstance(player.active, Playsound3Player)
    assert player.name == "playsound3 (aplay)"
    assert player.primary.ready.wait(5)  # type: ignore[attr-defined]
    assert fake_bin.played() == ["aplay probe"]
    assert problems == []
    assert player.voice is None


def test_bell_and_none_need_no_program(fake_bin: FakeBin) -> None:
    problems: list[str] = []
    assert isinstance(make_player("bell", problems.append), BellPlayer)
    assert isinstance(make_player("none", problems.append), NullPlayer)
    assert problems == []
    with pytest.raises(ValueError, match="loud"):
        make_player("loud", problems.append)


def test_probe_skips_a_backend_that_fails(fake_bin: FakeBin, players: list) -> None:
    fake_bin.program("aplay", probe="exit 1")
    fake_bin.program("ffplay")
    player = Playsound3Player(fake_bin.problems.append)
    players.append(player)
    assert player.ready.wait(5)
    assert player.name == "playsound3 (ffplay)"
    player.play(GO)
    sync(player)
    played = fake_bin.played()
    assert played[:2] == ["aplay probe", "ffplay probe"]
    assert sorted(played[2:]) == ["ffplay go", "ffplay tick"]  # they overlap
    assert fake_bin.problems == []


def test_aplay_starts_without_a_preexec_fn_and_reads_no_terminal(
    fake_bin: FakeBin, players: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    # playsound3 starts its programs with a preexec_fn, which makes subprocess
    # fork() the whole coach (10-40 ms a cue in the TUI) instead of vfork():
    # the player starts aplay itself, and its input is not the keyboard's.
    fake_bin.program("aplay")
    started: list[tuple[list[str], dict[str, object]]] = []

    class Spy(subprocess.Popen):  # type: ignore[type-arg]
        def __init__(self, args: list[str], **kwargs: object) -> None:
            started.append((list(args), kwargs))
            super().__init__(args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(subprocess, "Popen", Spy)
    player = Playsound3Player(fake_bin.problems.append, ["alsa"])
    players.append(player)
    player.play(GO)
    sync(player)
    assert fake_bin.played() == ["aplay probe", "aplay go", "aplay tick"]
    aplay = str(fake_bin.dir / "aplay")
    assert [(args[:2], Path(args[-1]).stem[:20]) for args, _ in started] == [
        ([aplay, "--quiet"], "stretch-coach-probe-"),
        ([aplay, "--quiet"], "go"),
        ([aplay, "--quiet"], "tick"),
    ]
    for _, kwargs in started:
        assert "preexec_fn" not in kwargs
        assert kwargs["stdin"] == subprocess.DEVNULL
    assert fake_bin.problems == []


# Failure and fallback


def test_a_player_failing_its_probe_falls_back_to_the_bell(
    fake_bin: FakeBin, players: list
) -> None:
    fake_bin.program("aplay", probe="exit 1", play="exit 1")
    rings: list[float] = []
    player = make_player("auto", fake_bin.problems.append, ring=lambda: rings.append(1))
    players.append(player)
    wait_for(lambda: fake_bin.problems, what="the problem report")
    assert fake_bin.problems == [
        "Sound player aplay failed (exit status 1); using the terminal bell"
    ]
    assert player.name == "bell"
    player.play(GO)
    assert rings == [1]
    assert fake_bin.played() == ["aplay probe"]


def test_a_player_failing_mid_session_is_reported_once(
    fake_bin: FakeBin, players: list, tmp_path: Path
) -> None:
    release = tmp_path / "release"
    fake_bin.program("aplay", play=f'while [ ! -e "{release}" ]; do sleep 0.01; done; exit 2')
    rings: list[int] = []
    started: list[str] = []
    bell = BellPlayer(lambda: rings.append(1), min_interval=0)
    player = FallbackPlayer(
        lambda report: Playsound3Player(report, on_started=started.append), bell,
        fake_bin.problems.append,
    )  # fmt: skip
    players.append(player)
    primary = player.primary
    assert isinstance(primary, Playsound3Player) and primary.ready.wait(5)
    for sound in (GO, TICK, GO):
        player.play(sound)
    wait_for(lambda: primary.live_count == 3, what="three sounds playing")
    release.touch()  # all three fail
    wait_for(lambda: primary.live_count == 0, what="three failures")
    assert fake_bin.problems == [
        "Sound player aplay failed (exit status 2); using the terminal bell"
    ]
    assert player.switched and player.name == "bell"
    player.play(TICK)
    assert rings == [1]


def test_a_failing_routine_sound_is_not_the_players_fault(
    fake_bin: FakeBin, players: list, tmp_path: Path
) -> None:
    fake_bin.program("aplay", play='case "$file" in *own*) exit 1 ;; esac')
    own = tmp_path / "own.wav"
    own.write_bytes(shipped_sound_file("beep").read_bytes())
    started: list[str] = []
    player = Playsound3Player(fake_bin.problems.append, on_started=started.append)
    players.append(player)
    player.play(Sound("own.wav", own))
    player.play(Sound("own.wav", tmp_path / "missing.wav"))  # gone since the routine loaded
    wait_for(lambda: started and player.live_count == 0, what="the routine sound to end")
    player.play(GO)
    sync(player)
    played = fake_bin.played()
    assert played[:2] == ["aplay probe", "aplay own"]
    assert sorted(played[2:]) == ["aplay go", "aplay tick"]  # they overlap
    assert fake_bin.problems == [] and not player.failed


def test_playsound3_failing_to_import_is_reported(
    fake_bin: FakeBin, monkeypatch: pytest.MonkeyPatch, players: list
) -> None:
    fake_bin.program("aplay")
    # playsound3 runs "gst-play-1.0 --version" at import and lets a non-zero
    # exit escape as CalledProcessError. Import it afresh with such a program.
    broken = fake_bin.dir / "gst-play-1.0"
    broken.write_text("#!/bin/sh\nexit 1\n")
    broken.chmod(0o755)
    for module in [m for m in sys.modules if m.split(".")[0] == "playsound3"]:
        monkeypatch.delitem(sys.modules, module)
    rings: list[int] = []
    player = make_player("playsound3", fake_bin.problems.append, ring=lambda: rings.append(1))
    players.append(player)
    wait_for(lambda: fake_bin.problems, what="the problem report")
    [message] = fake_bin.problems
    assert message.startswith("playsound3 could not start (CalledProcessError: ")
    assert message.endswith("; using the terminal bell")
    player.play(GO)
    assert rings == [1]
    assert fake_bin.played() == []


# stop(), silence, lateness


def test_play_returns_at_once_and_stop_kills_the_player(
    fake_bin: FakeBin, players: list, tmp_path: Path
) -> None:
    pid_file = tmp_path / "pid"
    fake_bin.program("aplay", play=f'echo $$ > "{pid_file}"; exec sleep 30')
    started = threading.Event()
    player = Playsound3Player(fake_bin.problems.append, on_started=lambda _: started.set())
    players.append(player)
    player.play(GO)  # the program runs for 30 s: this returns while it plays
    assert started.wait(5)
    wait_for(lambda: pid_file.exists() and pid_file.read_text().strip(), what="the pid")
    pid = int(pid_file.read_text())
    assert player.live_count == 1

    player.stop()

    def gone() -> bool:
        try:
            os.kill(pid, 0)  # succeeds until the worker has reaped it
        except ProcessLookupError:
            return True
        return False

    wait_for(gone, what="the player process to end")
    wait_for(lambda: player.live_count == 0, what="the worker to reap it")
    assert fake_bin.problems == []  # being stopped is not a failure
    assert not player.failed


def test_stop_drops_sounds_not_yet_started(
    fake_bin: FakeBin, players: list, tmp_path: Path
) -> None:
    release = tmp_path / "release"
    fake_bin.program("aplay", probe=f'while [ ! -e "{release}" ]; do sleep 0.01; done')
    player = Playsound3Player(fake_bin.problems.append)
    players.append(player)
    wait_for(lambda: fake_bin.played() == ["aplay probe"], what="the probe to start")
    player.play(GO)  # waits behind the probe
    player.stop()
    release.touch()
    sync(player)
    assert fake_bin.played() == ["aplay probe", "aplay tick"]


def test_cues_too_late_to_be_useful_are_dropped(
    fake_bin: FakeBin, players: list, tmp_path: Path
) -> None:
    release = tmp_path / "release"
    fake_bin.program("aplay", probe=f'while [ ! -e "{release}" ]; do sleep 0.01; done')
    now = [0.0]
    player = Playsound3Player(fake_bin.problems.append, max_delay=0.5, clock=lambda: now[0])
    players.append(player)
    wait_for(lambda: fake_bin.played() == ["aplay probe"], what="the probe to start")
    player.play(GO)
    now[0] = 0.4
    player.play(TICK)
    now[0] = 0.6  # go has waited 0.6 s, tick 0.2 s
    release.touch()
    wait_for(lambda: fake_bin.played() == ["aplay probe", "aplay tick"], what="the tick")
    now[0] = 10.0  # the tick has ended, so sync()'s own sound need not wait for it
    sync(player)
    assert fake_bin.played() == ["aplay probe", "aplay tick", "aplay tick"]


def test_a_silent_sound_plays_nothing(fake_bin: FakeBin, players: list) -> None:
    fake_bin.program("aplay")
    rings: list[int] = []
    player = Playsound3Player(fake_bin.problems.append)
    players.append(player)
    player.play(SILENT)
    sync(player)
    assert fake_bin.played() == ["aplay probe", "aplay tick"]
    BellPlayer(lambda: rings.append(1)).play(SILENT)
    NullPlayer().play(GO)
    assert rings == []


# The bell


def test_bell_rings_at_most_once_per_interval() -> None:
    now = [0.0]
    rings: list[float] = []
    bell = BellPlayer(lambda: rings.append(now[0]), min_interval=0.3, clock=lambda: now[0])
    for t in (0.0, 0.1, 0.29, 0.31, 0.5, 0.62, 2.0):
        now[0] = t
        bell.play(TICK)
    assert rings == [0.0, 0.31, 0.62, 2.0]
    assert bell.name == "bell"


def test_a_broken_bell_does_not_break_the_session() -> None:
    def ring() -> None:
        raise OSError("no terminal")

    BellPlayer(ring).play(GO)


def test_terminal_bell_without_a_terminal_is_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_tty(*args: object) -> int:
        raise OSError("no controlling terminal")

    monkeypatch.setattr(os, "open", no_tty)
    monkeypatch.setattr(sys, "stderr", None)
    bell = TerminalBell()
    bell()
    bell.close()


# The recording player


def test_recording_player_records_with_the_given_clock() -> None:
    now = [10.0]
    player = RecordingPlayer(clock=lambda: now[0])
    player.play(GO)
    now[0] = 11.5
    player.play(SILENT)
    player.say("Switch sides")
    player.stop()
    assert [(h.at, h.kind, h.what) for h in player.heard] == [
        (10.0, "play", "go"),
        (11.5, "play", "none"),
        (11.5, "say", "Switch sides"),
        (11.5, "stop", ""),
    ]
    assert player.sounds == ["go"]
    assert player.said == ["Switch sides"]


# A real player, heard through ALSA's file plugin


def _read_wav(path: Path) -> tuple[int, int, list[int]]:
    with wave.open(str(path), "rb") as wav:
        assert wav.getsampwidth() == 2
        frames = wav.readframes(wav.getnframes())
        rate, channels = wav.getframerate(), wav.getnchannels()
    return rate, channels, list(struct.unpack(f"<{len(frames) // 2}h", frames))


def _asoundrc(home: Path, pcm: str) -> None:
    home.mkdir(exist_ok=True)
    (home / ".asoundrc").write_text(f"pcm.!default {{\n{pcm}\n}}\n")


def test_aplay_plays_go_into_a_captured_wav(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, players: list
) -> None:
    require_tool("aplay")
    home, capture = tmp_path / "home", tmp_path / "capture.wav"
    _asoundrc(home, f'type file\nslave.pcm "null"\nfile "{capture}"\nformat "wav"')
    monkeypatch.setenv("HOME", str(home))  # the player inherits it; ~/.asoundrc is untouched
    problems: list[str] = []
    started = threading.Event()
    player = Playsound3Player(problems.append, ["alsa"], on_started=lambda _: started.set())
    players.append(player)
    assert player.ready.wait(10)
    assert problems == []  # the silent probe played
    capture.unlink(missing_ok=True)

    player.play(GO)

    assert started.wait(5)
    wait_for(lambda: player.live_count == 0, timeout=10, what="aplay to finish")
    assert problems == []
    rate, channels, captured = _read_wav(capture)
    _, _, original = _read_wav(shipped_sound_file("go"))
    assert (rate, channels) == (44_100, 1)
    rms = math.sqrt(sum(s * s for s in captured) / len(captured))
    assert rms > 0.05 * 32768, f"captured RMS {rms:.0f} is too quiet"
    # Every sample of go reached the device, unchanged.
    assert captured[: len(original)] == original


def test_aplay_without_a_device_is_noticed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, players: list
) -> None:
    require_tool("aplay")
    home = tmp_path / "home"
    _asoundrc(home, "type hw\ncard 99")
    monkeypatch.setenv("HOME", str(home))
    problems: list[str] = []
    player = Playsound3Player(problems.append, ["alsa"])
    players.append(player)
    wait_for(lambda: problems, timeout=10, what="the problem report")
    assert problems == ["Sound player aplay failed (exit status 1)"]
    assert player.failed


# Speech through the player


class CopyRenderer:
    """A stand-in speech engine: every phrase 'sounds' like the chime."""

    name = "copy"
    key = "copy"

    def render(self, text: str, out: Path) -> None:
        shutil.copyfile(shipped_sound_file("chime"), out)


def test_speech_plays_on_its_own_channel_and_stops_with_the_player(
    fake_bin: FakeBin, players: list, tmp_path: Path
) -> None:
    fake_bin.program("aplay", play="exec sleep 30")
    player = Playsound3Player(fake_bin.problems.append)
    players.append(player)
    player.voice = Voice(player.start_file, renderer=CopyRenderer(), cache=tmp_path / "speech")
    speech = player.voice.cache_path("Switch sides").stem
    player.say("Switch sides")
    wait_for(lambda: player.live_count == 1, what="the phrase to play")
    player.play(TICK)  # a cue does not wait for the phrase: it cuts it short
    wait_for(lambda: len(fake_bin.played()) == 3, what="both to be logged")
    assert fake_bin.played()[1:] == [f"aplay {speech}", "aplay tick"]
    wait_for(lambda: player.live_count == 1, what="the phrase to be cut, the tick to play on")
    player.stop()
    wait_for(lambda: player.live_count == 0, what="both to stop")
    assert fake_bin.problems == []


# Issue 10: tones due together play back to back; a phrase waits for tones


def test_tones_due_together_play_back_to_back_and_none_is_dropped(
    fake_bin: FakeBin, players: list
) -> None:
    fake_bin.program("aplay")
    now = [0.0]
    player = Playsound3Player(fake_bin.problems.append, max_delay=0.5, clock=lambda: now[0])
    players.append(player)
    assert player.ready.wait(15)
    player.play(Sound("chime"))  # 0.6 s
    player.follow()
    player.play(Sound("finish"))  # due at the same instant: after the chime
    wait_for(
        lambda: fake_bin.played() == ["aplay probe", "aplay chime"], what="the chime", timeout=15
    )
    assert player.busy  # the finish waits its turn
    now[0] = 0.59
    assert wait_until(lambda: len(fake_bin.played()) > 2, timeout=0.3) is False
    now[0] = 0.6  # the chime's length: the finish starts, though queued 0.6 s ago
    wait_for(lambda: fake_bin.played()[2:] == ["aplay finish"], what="the finish", timeout=15)
    assert player.busy  # for the finish's length, whenever its program exits
    now[0] = 1.8
    wait_for(lambda: not player.busy, what="the player to fall silent", timeout=15)
    assert fake_bin.problems == []


def test_a_phrase_waits_for_the_tone_playing(
    fake_bin: FakeBin, players: list, tmp_path: Path
) -> None:
    fake_bin.program("aplay")
    now = [0.0]
    player = Playsound3Player(fake_bin.problems.append, clock=lambda: now[0])
    players.append(player)
    player.voice = Voice(player.start_file, renderer=CopyRenderer(), cache=tmp_path / "speech")
    speech = player.voice.cache_path("Right side").stem
    assert player.ready.wait(15)
    player.play(GO)  # 0.25 s
    wait_for(lambda: fake_bin.played() == ["aplay probe", "aplay go"], what="go", timeout=15)
    player.say("Right side")
    assert player.busy
    assert wait_until(lambda: len(fake_bin.played()) > 2, timeout=0.3) is False
    now[0] = 0.31  # go has ended, and the gap after it
    wait_for(lambda: fake_bin.played()[2:] == [f"aplay {speech}"], what="the phrase", timeout=15)
