"""The benchmarks' verdicts can fail: each one's self-test breaks what it measures on purpose.

Every benchmark prints a verdict and exits non-zero when it is missed; its
``--self-test`` builds a deliberately broken version of what it measures
(without editing the coach) and exits 0 only when the verdict passes the real
thing and fails the broken one.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def _self_test(name: str, timeout: float) -> str:
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / name), "--self-test"],
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
