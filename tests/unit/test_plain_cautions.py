"""The plain runner's first lines: every caution, the included routines' too, before step 1.

No key is needed to see them (an urgent routine such as cramp-now is used
mid-cramp): they are printed before the first step, whatever the input.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from stretch_coach.resources import bundled_routines_dir
from stretch_coach.routine.library import Library, cautions_of

INPUT_LINE = "Input is not a terminal: reading commands from it"


@pytest.fixture
def bundled() -> Library:
    return Library.from_folders([(bundled_routines_dir(), "bundled")])


@pytest.fixture
def run_plain(
    cli_argv: list[str], child_env: dict[str, str]
) -> Callable[..., subprocess.CompletedProcess[str]]:
    def run(args: list[str], stdin: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*cli_argv, "run", *args, "--plain", "--audio", "none"],
            input=stdin,
            capture_output=True,
            text=True,
            env=child_env,
            timeout=60,
            check=False,
        )

    return run


def test_cramp_now_says_its_six_cautions_before_its_first_step_with_no_key(
    bundled: Library, run_plain: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    cautions = cautions_of(bundled.find("cramp-now"))
    assert len(cautions) == 6
    result = run_plain(["cramp-now"], stdin="")  # nothing typed at all
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Cramp right now — ")
    assert lines[1:7] == [f"Caution: {' '.join(line.split())}" for line in cautions]
    assert lines[7].startswith(INPUT_LINE)
    assert lines[8] == "Stretch or massage the cramped muscle — send an empty line when done"


def test_a_routine_that_includes_the_step_stretch_says_its_cautions_too(
    write: Callable[..., Path],
    tmp_path: Path,
    bundled: Library,
    run_plain: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    folder = tmp_path / "mine"
    write(
        "evening.yaml",
        """
        title: Evening calves
        caution:
          - My own line first.
        steps:
          - include: step-calf-stretch
        """,
        folder=folder,
    )
    step = cautions_of(bundled.find("step-calf-stretch"))
    assert any("rail" in line.lower() for line in step)  # its balance warning
    result = run_plain(["evening", "--library", str(folder)], stdin="q\n")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    expected = ["My own line first.", *(" ".join(line.split()) for line in step)]
    assert lines[1 : 1 + len(expected)] == [f"Caution: {line}" for line in expected]
    assert lines[1 + len(expected)].startswith(INPUT_LINE)
