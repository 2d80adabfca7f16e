"""The shipped cue sounds: reproducible from tools/make_sounds.py, and gentle."""

from __future__ import annotations

import importlib.util
import math
import struct
import sys
import wave
from itertools import combinations, pairwise
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from stretch_coach.resources import bundled_sounds_dir
from stretch_coach.routine.model import SHIPPED_SOUNDS

ROOT = Path(__file__).resolve().parents[2]

#: Expected length of each sound, in seconds: (shortest, longest).
DURATIONS = {
    "tick": (0.04, 0.09),
    "tock": (0.07, 0.12),
    "beep": (0.12, 0.2),
    "go": (0.2, 0.3),
    "chime": (0.5, 0.8),
    "switch": (0.25, 0.4),
    "finish": (1.0, 1.5),
}


def _load_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_sounds", ROOT / "tools" / "make_sounds.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_sounds", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tool() -> ModuleType:
    return _load_tool()


def _read(path: Path) -> tuple[Any, list[int]]:
    with wave.open(str(path), "rb") as wav:
        params = wav.getparams()
        frames = wav.readframes(params.nframes)
    return params, list(struct.unpack(f"<{params.nframes}h", frames))


def _zero_crossing_rate(samples: list[int], rate: int) -> float:
    crossings = sum(1 for a, b in pairwise(samples) if (a < 0) != (b < 0))
    return crossings / (len(samples) / rate) / 2


def test_every_shipped_sound_has_a_generator(tool: ModuleType) -> None:
    assert tuple(tool.SOUNDS) == SHIPPED_SOUNDS
    assert set(DURATIONS) == set(SHIPPED_SOUNDS)


def test_committed_sounds_are_what_the_tool_makes(tool: ModuleType, tmp_path: Path) -> None:
    written = tool.write_all(tmp_path)
    assert sorted(p.name for p in written) == sorted(f"{n}.wav" for n in SHIPPED_SOUNDS)
    for path in written:
        committed = bundled_sounds_dir() / path.name
        assert committed.read_bytes() == path.read_bytes(), (
            f"{committed} is stale: run python tools/make_sounds.py and commit"
        )


def test_generation_is_deterministic(tool: ModuleType) -> None:
    assert tool.render_all() == tool.render_all()


def test_check_flag_reports_a_changed_file(tool: ModuleType, tmp_path: Path) -> None:
    tool.write_all(tmp_path)
    assert tool.main(["--check", "--out", str(tmp_path)]) == 0
    (tmp_path / "tick.wav").write_bytes(b"RIFF")
    (tmp_path / "go.wav").unlink()
    assert tool.stale_files(tmp_path) == ["tick.wav", "go.wav"]
    assert tool.main(["--check", "--out", str(tmp_path)]) == 1


@pytest.mark.parametrize("name", SHIPPED_SOUNDS)
def test_sound_is_gentle_and_well_formed(name: str) -> None:
    params, samples = _read(bundled_sounds_dir() / f"{name}.wav")
    assert (params.nchannels, params.sampwidth) == (1, 2)
    assert params.framerate in (22_050, 44_100)
    shortest, longest = DURATIONS[name]
    assert shortest <= params.nframes / params.framerate <= longest
    # Starts and ends at (near) zero: no click when the player opens or closes.
    assert abs(samples[0]) <= 64 and abs(samples[-1]) <= 64
    peak_dbfs = 20 * math.log10(max(abs(s) for s in samples) / 32768)
    assert -18.0 <= peak_dbfs <= -6.0, f"{name} peaks at {peak_dbfs:.1f} dBFS"


def test_sounds_are_distinct() -> None:
    # Each pair differs in length or in pitch (by at least 10 %), so they are
    # told apart by ear, not only by their bytes.
    fingerprints = {}
    for name in SHIPPED_SOUNDS:
        params, samples = _read(bundled_sounds_dir() / f"{name}.wav")
        fingerprints[name] = (len(samples), _zero_crossing_rate(samples, params.framerate))
    for (a, (len_a, zcr_a)), (b, (len_b, zcr_b)) in combinations(fingerprints.items(), 2):
        length_apart = abs(len_a - len_b) / max(len_a, len_b) >= 0.1
        pitch_apart = abs(zcr_a - zcr_b) / max(zcr_a, zcr_b) >= 0.1
        assert length_apart or pitch_apart, f"{a} and {b} sound alike"


def test_rep_tock_is_told_apart_from_countdown_tick() -> None:
    # "Next rep" and "the rest is ending" must differ by ear in both ways:
    # the tock is lower (by more than a fifth) and longer.
    tick_params, tick = _read(bundled_sounds_dir() / "tick.wav")
    tock_params, tock = _read(bundled_sounds_dir() / "tock.wav")
    assert _zero_crossing_rate(tock, 44_100) < _zero_crossing_rate(tick, 44_100) / 1.5
    assert tock_params.nframes > tick_params.nframes * 1.2
