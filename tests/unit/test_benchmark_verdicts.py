"""The benchmarks' verdicts can fail: each one's self-test breaks what it measures on purpose.

Every benchmark prints a verdict and exits non-zero when it is missed; its
``--self-test`` builds a deliberately broken version of what it measures
(without editing the coach) and exits 0 only when the verdict passes the real
thing and fails the broken one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
REQUIRE_TOOLS = os.environ.get("STRETCH_COACH_REQUIRE_TOOLS") == "1"


def _self_test(name: str, timeout: float, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / name), "--self-test", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_engine_lateness_fails_coarse_schedulers() -> None:
    out = _self_test("engine_lateness.py", timeout=60)
    assert "broken: no cue deadline" in out
    assert "broken: polls once a second" in out
    assert out.count("verdict MISSED (should be MISSED): ok") == 2
    assert out.count("verdict met (should be met): ok") == 1
    assert out.rstrip().endswith("Self-test: the verdict tells them apart")


@pytest.mark.skipif(
    shutil.which("aplay") is None and not REQUIRE_TOOLS,
    reason="needs aplay (apt-get install alsa-utils)",
)
def test_audio_latency_fails_a_slow_start() -> None:
    out = _self_test("audio_latency.py", timeout=60)
    assert "(should be met): ok" in out
    assert "+15 ms slow start" in out
    assert "(should be MISSED): ok" in out
    assert out.rstrip().endswith("Self-test: the verdict tells them apart")


def test_tui_cpu_fails_a_wasteful_coach() -> None:
    out = _self_test("tui_cpu.py", timeout=120)
    # The verdict is against termdown (the bench extra), run beside the coach.
    assert "termdown 2.0.0 counting down (same run)" in out
    assert "ratio coach / termdown" in out
    assert "minimal Textual countdown (same run)" in out
    assert "verdict MISSED (should be MISSED)" in out
    assert out.rstrip().endswith("Self-test: the verdict tells them apart")


def test_validate_library_fails_slow_builds() -> None:
    # 150 files: the slow builds stand out as clearly as at 300, in half the time.
    out = _self_test("validate_library.py", 120, "--count", "150")
    lines = out.splitlines()
    for slow, verdict in [
        ("slow: pure-Python YAML parser", "load verdict MISSED (should be MISSED)"),
        ("slow: every file read twice", "load verdict MISSED (should be MISSED)"),
        ("slow: lint reads files again", "its lint pass x"),
        ("slow: voice room planned twice", "its room pass x"),
    ]:
        [line] = [line for line in lines if line.startswith(slow)]
        assert verdict in line and line.endswith(": ok"), line
    assert out.rstrip().endswith("Self-test: the verdict tells them apart")
