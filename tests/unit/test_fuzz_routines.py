"""Fuzzing the routine format (issue 11): nothing but RoutineError, nothing over 5 s.

Three sources of probes: hypothesis strategies over the format's own keys and
values; byte-level mutations of the bundled routines and the docs' examples
(benchmarks/fuzz_routines.py's, a small seeded sample here to keep CI fast);
and tests/fuzz_corpus/, every crasher found so far. A few go through the real
command, ``python -m stretch_coach validate FILE``.
"""

from __future__ import annotations

import importlib.util
import random
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stretch_coach.routine import RoutineError, load_routine, yamlread
from stretch_coach.routine.library import Library, default_library
from stretch_coach.routine.model import CUE_EVENTS, SHIPPED_SOUNDS
from stretch_coach.routine.spec import DEFAULTS, STEP_FIELDS, TOP
from stretch_coach.timeline import build_timeline

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "fuzz_corpus"
HANG = 5.0


def _fuzz_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "fuzz_routines", ROOT / "benchmarks" / "fuzz_routines.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


FUZZ = _fuzz_module()


@pytest.fixture(scope="module")
def fallback() -> Library:
    return default_library()


def check_probe(path: Path, fallback: Library | None = None) -> None:
    """Load ``path`` as the library would and lay out what is valid: only RoutineError."""
    started = time.monotonic()
    library = Library.from_paths([path], fallback=fallback)
    for entry in library.entries:
        for problem in entry.problems:
            assert "internal error" not in problem.message, str(problem)
            line = str(problem)
            assert "\n" not in line and "\x1b" not in line and "\x00" not in line, line
        if entry.valid:
            build_timeline(entry.plan)
            assert library.find(str(entry.path)) is entry
    try:
        load_routine(path)
    except RoutineError as err:
        assert err.problems
    assert time.monotonic() - started < HANG, f"{path.name} took over {HANG} s"


# -- hypothesis: the format's keys with values of every kind --------------------

NINES = "9" * 400
_nasty_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12
)
_scalars = st.one_of(
    _nasty_text,
    st.integers(min_value=-(10**500), max_value=10**500),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.sampled_from(
        [
            NINES,
            f"{NINES}s",
            f"{NINES}:00",
            f"{NINES}h",
            "1:5",
            "1:30",
            "0s",
            "2h",
            "30s",
            "1m30s",
            "1 min 30 s",
            "60:00",
            "3600",
            "-1",
            "1_000",
            ".5",
            "x.wav",
            "../x.wav",
            "a\x00b.wav",
            *SHIPPED_SOUNDS,
            "none",
            "x.yaml",
            "../x.yaml",
            "bedtime-calf-stretch",
            "a\x1b[2J",
            "\x9b",
            "left",
            "right",
        ]
    ),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from([*CUE_EVENTS, "say", "at", "x"]), inner, max_size=4),
    ),
    max_leaves=12,
)
_step_keys = [f.name for f in STEP_FIELDS] + ["include", "repeat", "hodl", "sides"]
_steps = st.lists(
    st.dictionaries(st.sampled_from(_step_keys), _values, max_size=6),
    min_size=0,
    max_size=5,
)
_routines = st.fixed_dictionaries(
    {"title": _scalars, "steps": _steps},
    optional={
        **{name: _values for name in TOP.fields if name not in ("title", "steps")},
        "defaults": st.dictionaries(st.sampled_from([*DEFAULTS.fields, "x"]), _scalars),
        "titel": _scalars,
    },
)


@settings(
    max_examples=80,
    deadline=None,  # each example is timed against HANG below, not against 200 ms
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(routine=_routines)
def test_generated_routines_give_only_routine_errors(
    routine: dict[str, Any], tmp_path: Path, fallback: Library
) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(routine, allow_unicode=True), encoding="utf-8")
    check_probe(path, fallback)


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(
        alphabet=st.sampled_from(list("0123456789_.:+-eExXabcdfoObBtTzZnNlLuUiIsSyYrRwW~<=!&* q%")),
        max_size=10,
    )
)
def test_the_text_shortcut_agrees_with_the_resolver(text: str) -> None:
    """A plain scalar the reader takes as text at once is text to YAML 1.1's resolver too."""
    tag = yaml.SafeLoader("").resolve(yaml.ScalarNode, text, (True, False))
    if yamlread._TEXT_ONLY_RE.search(text):
        assert tag == "tag:yaml.org,2002:str", (text, tag)


# -- byte-level mutation of the bundled routines and the docs' examples ------------


def test_the_seeds_are_the_bundled_routines_and_the_docs_examples() -> None:
    names = [name for name, _ in FUZZ.seeds()]
    assert sum(n.startswith("docs-example-") for n in names) >= 10
    assert {p.name for p in (ROOT / "routines").glob("*.yaml")} <= set(names)


@pytest.mark.parametrize("seed", range(4))
def test_mutated_routines_give_only_routine_errors(
    seed: int, tmp_path: Path, fallback: Library
) -> None:
    rng = random.Random(seed)
    seeds = FUZZ.seeds()
    for n in range(40):
        name, data = rng.choice(seeds)
        work = tmp_path / str(n)
        work.mkdir()
        (work / "x.yaml").write_bytes(seeds[0][1])  # something for includes by path
        path = work / name
        path.write_bytes(FUZZ.mutate(rng, data))
        check_probe(path, fallback)


def test_a_sample_through_the_real_command(tmp_path: Path, child_env: dict[str, str]) -> None:
    rng = random.Random(11)
    seeds = FUZZ.seeds()
    for n in range(4):
        name, data = rng.choice(seeds)
        path = tmp_path / f"{n}-{name}"
        path.write_bytes(FUZZ.mutate(rng, data))
        done = subprocess.run(
            [sys.executable, "-m", "stretch_coach", "validate", str(path)],
            capture_output=True,
            text=True,
            timeout=120,
            env=child_env,
            stdin=subprocess.DEVNULL,
        )
        assert done.returncode in (0, 2), done.stderr
        assert "Traceback" not in done.stderr
        if done.returncode == 2:
            assert done.stderr.splitlines()[-1].endswith("routine invalid"), done.stderr


# -- the corpus: every crasher found, kept ----------------------------------------


def _corpus() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if p.suffix in (".yaml", ".yml"))


def test_the_corpus_is_there() -> None:
    assert len(_corpus()) >= 10


@pytest.mark.parametrize("path", _corpus(), ids=lambda p: p.name)
def test_every_crasher_in_the_corpus_is_one_located_refusal(path: Path) -> None:
    check_probe(path)
    with pytest.raises(RoutineError) as err:
        Library.from_paths([path]).find(str(path))
    for problem in err.value.problems:
        assert problem.line >= 1 and problem.column >= 1


def test_the_corpus_through_the_real_command(tmp_path: Path, child_env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "stretch_coach", "validate", str(CORPUS)],
        capture_output=True,
        text=True,
        timeout=120,
        env=child_env,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    total = len(_corpus())
    assert done.stderr.splitlines()[-1] == f"{total} of {total} routines invalid"
