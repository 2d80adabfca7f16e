"""Issue 10, as a listener hears it: ``run --plain`` plays every cue, the last ones to their end.

Two ways: a stand-in ``aplay`` first on PATH that logs each start and end and
takes each WAV's real length; and the real aplay writing into ALSA's ``file``
plugin (a temporary ``~/.asoundrc``), whose capture must hold the finish.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import wave
from pathlib import Path

import pytest

from stretch_coach.audio.sounds import shipped_sound_file

pytestmark = pytest.mark.skipif(os.name == "nt", reason="stand-in players are shell scripts")

REQUIRE_TOOLS = os.environ.get("STRETCH_COACH_REQUIRE_TOOLS") == "1"

#: A stand-in aplay: logs "TIME start|end|cut FILE LENGTH" and plays for the WAV's length.
STAND_IN = r"""#!/bin/bash
[ "$1" = "--version" ] && { echo "aplay: stand-in"; exit 0; }
for f; do :; done
rate=$(od -An -t u4 -j 24 -N 4 "$f"); bytes=$(od -An -t u4 -j 40 -N 4 "$f")
len=$(awk "BEGIN{printf \"%.3f\", $bytes/($rate*2)}")
log() { echo "$(date +%s.%N) $1 $(basename "$f" .wav) $len" >> "$APLAY_LOG"; }
trap 'log cut; kill $pid 2>/dev/null; exit 143' TERM
log start
sleep "$len" & pid=$!
wait $pid
log end
"""

#: 14 s: a get-ready and a switch long enough to speak in, two short holds.
SHORT = """\
title: Short
steps:
  - name: Calf hold
    hold: 2s
    prepare: 5s
    sides: [left, right]
    switch: 5s
"""
#: 4 s: every cue but the countdown, and the end chime and finish together.
SHORTER = """\
title: Shorter
steps:
  - name: Calf hold
    hold: 1.5s
    prepare: 0.5s
    sides: [left, right]
    switch: 0.5s
"""


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if REQUIRE_TOOLS:
            pytest.fail(f"{name} is required (STRETCH_COACH_REQUIRE_TOOLS=1) but not on PATH")
        pytest.skip(f"{name} is not installed")
    return path


def run_plain(
    cli_argv: list[str], env: dict[str, str], routine: Path, *extra: str, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*cli_argv, "run", str(routine), "--plain", *extra],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


def test_the_stand_in_hears_every_cue_to_its_end_and_no_tone_over_a_phrase(
    tmp_path: Path, cli_argv: list[str], child_env: dict[str, str]
) -> None:
    for tool in ("bash", "od", "awk", "date", "sleep"):
        require_tool(tool)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("aplay", "mpg123"):  # playsound3 asks for both before it uses aplay
        (bin_dir / name).write_text(STAND_IN)
        (bin_dir / name).chmod(stat.S_IRWXU)
    routine = tmp_path / "shorter.yaml"
    routine.write_text(SHORTER)
    log, cues = tmp_path / "aplay.log", tmp_path / "cues.jsonl"
    env = {**child_env, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    env["APLAY_LOG"] = str(log)
    env["PLAYSOUND3_BACKEND"] = "alsa"
    result = run_plain(cli_argv, env, routine, "--no-voice", "--cue-log", str(cues))
    assert result.returncode == 0, result.stderr
    events = [line.split() for line in log.read_text().splitlines()]
    heard = [(what, name) for _t, what, name, _len in events if "probe" not in name]
    # Every cue's sound started, in order, and played to its end: the final
    # chime and the finish too, back to back, before the program exited.
    fired = [json.loads(x)["sound"] for x in cues.read_text().splitlines()]
    started = [name for what, name in heard if what == "start"]
    # Every sound, each once. The exact order is the unit tests' to check
    # (test_hearing, with a recording player): here each start is logged by
    # the stand-in itself, a shell whose own start-up can take longer on a
    # busy machine than the 0.2 s between two chained tones.
    assert sorted(started) == sorted(s for s in fired if s != "none")
    assert started[-2:] == ["chime", "finish"]
    assert [what for what, _name in heard].count("end") == len(started)
    assert ("cut", "finish") not in heard
    times = {(name, what): float(t) for t, what, name, _len in events}
    assert times[("finish", "start")] >= times[("chime", "end")] - 0.05  # one after the other


def test_the_stand_in_with_a_voice_never_plays_a_tone_over_a_phrase(
    tmp_path: Path, cli_argv: list[str], child_env: dict[str, str]
) -> None:
    for tool in ("bash", "od", "awk", "date", "sleep"):
        require_tool(tool)
    require_tool("espeak-ng")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("aplay", "mpg123"):
        (bin_dir / name).write_text(STAND_IN)
        (bin_dir / name).chmod(stat.S_IRWXU)
    routine = tmp_path / "short.yaml"
    routine.write_text(SHORT)
    log = tmp_path / "aplay.log"
    env = {**child_env, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    env["APLAY_LOG"] = str(log)
    env["PLAYSOUND3_BACKEND"] = "alsa"
    result = run_plain(cli_argv, env, routine)
    assert result.returncode == 0, result.stderr
    spans: list[tuple[str, str, float, float]] = []
    opened: dict[str, float] = {}
    for t, what, name, _len in (line.split() for line in log.read_text().splitlines()):
        if what == "start":
            opened[name] = float(t)
        else:
            spans.append((name, what, opened.pop(name), float(t)))
    tones = {"beep", "tick", "tock", "go", "chime", "switch", "finish"}
    phrases = [s for s in spans if s[0] not in tones and "probe" not in s[0]]
    assert len(phrases) >= 2  # the step and its side were said
    for name, _what, start, end in phrases:
        for tone, _w, t_start, t_end in (s for s in spans if s[0] in tones):
            assert end <= t_start + 0.02 or t_end <= start + 0.02, f"{tone} over phrase {name}"
    assert [s[0] for s in spans if s[0] in tones][-2:] == ["chime", "finish"]


def _frames(path: Path) -> bytes:
    with wave.open(str(path), "rb") as wav:
        return wav.readframes(wav.getnframes())


def test_run_plain_plays_the_finish_into_the_sound_device(
    tmp_path: Path, cli_argv: list[str], child_env: dict[str, str]
) -> None:
    require_tool("aplay")
    home, capture = tmp_path / "home", tmp_path / "capture.raw"
    home.mkdir(exist_ok=True)
    # ALSA's file plugin: every aplay appends what it plays to one raw stream.
    (home / ".asoundrc").write_text(
        "pcm.!default {\n"
        "type file\n"
        'slave.pcm "null"\n'
        f'file "| cat >> {capture}"\n'
        'format "raw"\n'
        "}\n"
    )
    routine = tmp_path / "short.yaml"
    routine.write_text("title: T\nsteps:\n  - name: Hold\n    hold: 1s\n    prepare: 0\n")
    env = {**child_env, "HOME": str(home), "PLAYSOUND3_BACKEND": "alsa"}
    result = run_plain(cli_argv, env, routine, "--no-voice", "--audio", "playsound3")
    assert result.returncode == 0, result.stderr
    assert "Sound" not in result.stderr, result.stderr  # the player worked
    captured = capture.read_bytes()
    chime, finish = _frames(shipped_sound_file("chime")), _frames(shipped_sound_file("finish"))
    # Every sample of the last two sounds reached the device, in order.
    assert chime in captured
    assert finish in captured
    assert captured.index(chime) < captured.index(finish)
