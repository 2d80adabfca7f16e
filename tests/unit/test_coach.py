"""One way to a session: the command line over the saved settings over the defaults, everywhere."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from stretch_coach import coach, timeline
from stretch_coach.audio.testing import RecordingPlayer
from stretch_coach.cli import main
from stretch_coach.engine.clock import FakeClock
from stretch_coach.errors import UserError
from stretch_coach.routine.library import Entry, Library
from stretch_coach.settings import Settings, settings_path

Writer = Callable[..., Path]

#: One hold, no get-ready of its own: about 0.3 s to play.
TINY = """
title: Tiny
defaults:
  prepare: 0
steps:
  - name: Calf stretch
    hold: 0.3s
"""

#: 185 s as written (5 s get-ready before each of its two timed steps), plus 1 self-paced step.
EXAMPLE = """
title: Bedtime calf stretch
steps:
  - {name: Wall calf stretch, hold: 30s, reps: 2, rest: 10s, sides: [left, right]}
  - {name: Heel raises, reps: 10, tempo: 3s}
  - {name: Loosen your sheets}
"""


def saved(text: str) -> None:
    """Write ``settings.toml`` where the coach reads it (the hermetic config folder)."""
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def tiny(write: Writer) -> Path:
    return write("tiny.yaml", TINY)


def entry_of(path: Path) -> Entry:
    return Library.from_paths([path]).find(str(path))


# -- precedence -------------------------------------------------------------------------


def test_the_command_line_beats_the_saved_settings_which_beat_the_defaults() -> None:
    mine = Settings(audio="none", voice=False, prepare=7.0, theme="light")
    assert coach.effective(mine, coach.Overrides()) == mine
    assert coach.effective(mine, coach.Overrides(audio="bell", voice=True)) == Settings(
        audio="bell", voice=True, prepare=7.0, theme="light"
    )
    assert coach.effective(Settings(), coach.Overrides()) == Settings()


def test_overrides_from_a_command_line() -> None:
    from_args = coach.Overrides.from_args
    assert from_args(argparse.Namespace()) == coach.Overrides()
    assert from_args(argparse.Namespace(audio=None, no_voice=False)) == coach.Overrides()
    assert from_args(argparse.Namespace(audio="bell", no_voice=True)) == coach.Overrides(
        audio="bell", voice=False
    )


# -- the session, with a recording player ------------------------------------------------


def _play(prepared: coach.PreparedSession, clock: FakeClock) -> None:
    session = prepared.session
    session.start()
    while not session.ended:
        deadline = session.next_deadline()
        assert deadline is not None
        clock.set(deadline)
        session.update()


def _prepared(tiny: Path, settings: Settings, heard: RecordingPlayer) -> coach.PreparedSession:
    clock = FakeClock()
    entry = entry_of(tiny)
    player = coach.session_player(settings, lambda m: None, factory=lambda c, p, r: heard)
    prepared = coach.prepare_session(
        entry,
        coach.session_timeline(entry, settings.prepare),
        clock=clock,
        player=player,
        record=False,
    )
    _play(prepared, clock)
    return prepared


def test_voice_off_speaks_nothing_but_the_cues_still_sound(tiny: Path) -> None:
    heard = RecordingPlayer()
    _prepared(tiny, Settings(voice=False), heard)
    assert heard.said == []
    assert heard.sounds  # start, end, finish


def test_voice_on_speaks_the_step(tiny: Path) -> None:
    heard = RecordingPlayer()
    _prepared(tiny, Settings(voice=True), heard)
    assert heard.said[0] == "Calf stretch"


def test_audio_none_makes_no_player_at_all(monkeypatch: pytest.MonkeyPatch) -> None:
    from stretch_coach.audio import player as players

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("no player may be made for audio none")

    monkeypatch.setattr(players, "make_player", refuse)
    player = coach.session_player(Settings(audio="none"), lambda m: None)
    assert player.inner.name == "none"


def test_the_get_ready_setting_applies_to_the_session(tiny: Path) -> None:
    entry = entry_of(tiny)
    assert coach.session_timeline(entry, None).total == pytest.approx(0.3)
    with_prepare = coach.session_timeline(entry, 2.0)
    assert with_prepare.total == pytest.approx(2.3)
    assert with_prepare.segments[0].kind == "prepare"


def test_a_routine_too_long_to_lay_out_is_a_user_error(
    tiny: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(timeline, "MAX_SEGMENTS", 1)
    with pytest.raises(UserError, match=r"^tiny: the routine has more than 1 timed parts"):
        coach.session_timeline(entry_of(tiny), None, "tiny")


def test_the_cue_log_is_first_and_the_recorder_last(tiny: Path, tmp_path: Path) -> None:
    entry = entry_of(tiny)
    log = coach.open_cue_log(str(tmp_path / "cues.jsonl"))
    assert log is not None
    heard = RecordingPlayer()
    player = coach.session_player(Settings(), lambda m: None, factory=lambda c, p, r: heard)
    prepared = coach.prepare_session(
        entry, coach.session_timeline(entry, None), clock=FakeClock(), player=player, cue_log=log
    )
    listeners = prepared.session._listeners
    assert listeners[0] is log and listeners[-1] is prepared.recorder
    prepared.close()
    log.close()
    with pytest.raises(UserError, match="--cue-log"):
        coach.open_cue_log(str(tmp_path / "no" / "such" / "x.jsonl"))


# -- the command line, with a settings file ----------------------------------------------


class MadePlayers:
    """Stands in for the audio package's ``make_player``: records what it was asked for."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, bool]] = []
        self.players: list[RecordingPlayer] = []

    def __call__(self, choice: str, on_problem: Any, ring: Any = None, *, voice: bool) -> Any:
        self.asked.append((choice, voice))
        player = RecordingPlayer()
        self.players.append(player)
        return player


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> Iterator[MadePlayers]:
    from stretch_coach.audio import player as players

    made = MadePlayers()
    monkeypatch.setattr(players, "make_player", made)
    with open(os.devnull) as nothing:  # no keys: the routine plays to its end
        monkeypatch.setattr("sys.stdin", nothing)
        yield made


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_run_plain_with_audio_none_saved_plays_nothing(
    tiny: Path, made: MadePlayers, capsys: pytest.CaptureFixture[str]
) -> None:
    saved('audio = "none"\n')
    code, out, _ = run(capsys, "run", str(tiny), "--plain")
    assert code == 0 and "Finished" in out
    assert made.asked == []  # audio none: not even a player to ask


def test_run_plain_with_voice_off_saved_speaks_nothing(
    tiny: Path, made: MadePlayers, capsys: pytest.CaptureFixture[str]
) -> None:
    saved('audio = "bell"\nvoice = false\n')
    code, out, _ = run(capsys, "run", str(tiny), "--plain")
    assert code == 0 and "Finished" in out
    assert made.asked == [("bell", False)]
    (player,) = made.players
    assert player.said == [] and player.sounds  # the cues still sound


def test_run_plain_command_line_beats_the_saved_settings(
    tiny: Path, made: MadePlayers, capsys: pytest.CaptureFixture[str]
) -> None:
    saved('audio = "none"\nvoice = true\n')
    code, _, _ = run(capsys, "run", str(tiny), "--plain", "--audio", "bell", "--no-voice")
    assert code == 0
    assert made.asked == [("bell", False)]
    assert made.players[0].said == []


def test_run_plain_uses_the_saved_get_ready_time(
    tiny: Path, made: MadePlayers, capsys: pytest.CaptureFixture[str]
) -> None:
    saved('audio = "none"\nprepare = 1\n')
    code, out, _ = run(capsys, "run", str(tiny), "--plain")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Tiny — 1.3 s"
    assert "Get ready: Calf stretch, 1 s" in lines


def test_list_and_show_use_the_saved_get_ready_time_but_not_in_json(
    write: Writer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "lib"
    write("example.yaml", EXAMPLE, folder=folder)
    saved("prepare = 10\n")  # 5 s more before each of the two timed steps
    _, out, _ = run(capsys, "list", "--library", str(folder))
    assert "Bedtime calf stretch (3 min 15 s, plus 1 self-paced step)" in out
    _, out, _ = run(capsys, "list", "--json", "--library", str(folder))
    (row,) = [r for r in json.loads(out) if r["id"] == "example"]
    assert row["total_seconds"] == 185
    _, out, _ = run(capsys, "show", "example", "--library", str(folder))
    assert "Total: 3 min 15 s, plus 1 self-paced step" in out
    _, out, _ = run(capsys, "show", "example", "--json", "--library", str(folder))
    doc = json.loads(out)
    assert doc["total_seconds"] == 185
    assert doc["segments"][0] == {**doc["segments"][0], "kind": "prepare", "duration": 5.0}


def test_help_says_which_setting_wins(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--help"], ["run", "--help"]):
        with pytest.raises(SystemExit):
            main(argv)
        out = " ".join(capsys.readouterr().out.split())
        assert "The command line beats the saved settings" in out
        assert "which beat the defaults" in out


def test_the_voice_praises_only_a_session_that_counts(tiny: Path) -> None:
    played = RecordingPlayer()
    _prepared(tiny, Settings(voice=True), played)
    assert played.said[-1] == "Well done"

    skipped = RecordingPlayer()
    clock = FakeClock()
    entry = entry_of(tiny)
    player = coach.session_player(
        Settings(voice=True), lambda m: None, factory=lambda c, p, r: skipped
    )
    prepared = coach.prepare_session(
        entry, coach.session_timeline(entry, 5.0), clock=clock, player=player, record=False
    )
    session = prepared.session
    session.start()
    while not session.ended:
        session.next_step()  # every step skipped: the session doesn't count
    assert skipped.said[-1] == "Routine ended"
    assert "Well done" not in skipped.said
