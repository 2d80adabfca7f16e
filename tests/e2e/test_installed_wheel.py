"""A wheel built from the checkout, installed in a clean venv, run from another folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: One worker runs them all, so the wheel is built and installed once, not once a worker.
pytestmark = pytest.mark.xdist_group("installed-wheel")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel and install it (with its dependencies) into a fresh venv."""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(work), str(ROOT)],
        check=True,
        timeout=300,
    )
    wheel = next(work.glob("stretch_coach-*.whl"))
    env_dir = work / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    subprocess.run(
        [str(env_dir / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)],
        check=True,
        timeout=600,
    )
    return env_dir / "bin" / "stretch-coach"


def run(command: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STRETCH_COACH_")}
    env["STRETCH_COACH_DATA_DIR"] = str(cwd / "data")
    env["STRETCH_COACH_CONFIG_DIR"] = str(cwd / "config")
    return subprocess.run(
        [str(command), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_installed_command_finds_the_bundled_routines(installed: Path, tmp_path: Path) -> None:
    proc = run(installed, "list", "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    ids = {r["id"] for r in rows if r["valid"] and r["origin"] == "bundled"}
    assert {
        "bedtime-calf-stretch",
        "step-calf-stretch",
        "heel-walking",
        "easy-cycling",
        "pre-bed",
        "cool-down",
        "cramp-now",
    } <= ids
    for path in (Path(r["path"]) for r in rows):
        assert ROOT not in path.parents  # from the installed package, not the checkout


def test_installed_command_shows_and_validates(installed: Path, tmp_path: Path) -> None:
    proc = run(installed, "show", "pre-bed", cwd=tmp_path)
    assert proc.returncode == 0 and "Total:" in proc.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: T\nsteps:\n  - {name: a, hodl: 3}\n")
    proc = run(installed, "validate", str(bad), cwd=tmp_path)
    assert proc.returncode == 2
    assert (
        proc.stderr.strip()
        == (
            f"{bad}:3:15: steps[1].hodl: unknown key; did you mean 'hold'?\n1 of 1 routine invalid"
        ).strip()
    )


def test_installed_command_makes_handouts_with_its_shipped_font(
    installed: Path, tmp_path: Path
) -> None:
    proc = run(installed, "handout", "pre-bed", "-o", "pre-bed.pdf", "--for", "Анна", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    data = (tmp_path / "pre-bed.pdf").read_bytes()
    assert data.startswith(b"%PDF-") and b"DejaVu" in data
    proc = run(installed, "handout", "pre-bed", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout.startswith("<!DOCTYPE html>")
