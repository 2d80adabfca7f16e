"""Fuzz the routine format: mutate the bundled routines and the docs' examples byte by byte.

Each probe is a bundled routine or a docs example with one to four mutations
(a byte changed, inserted or deleted; a line duplicated, dropped or
re-indented; a token spliced in: a 400-digit number, a control character, a
tab, a YAML tag, an alias, an unclosed bracket, an include). Every probe is
loaded by the library (includes followed, the bundled routines as fallback)
and, when valid, laid out as a timeline. A probe fails as:

* traceback: an exception other than RoutineError escapes, or the loader's
  safety net reports an internal error;
* hang: it takes more than 5 s;
* wrong exit: (``--cli``) ``python -m stretch_coach validate FILE`` exits
  other than 0 or 2, or prints a traceback.

    python benchmarks/fuzz_routines.py [--count 2000] [--seed 1] [--cli 50] [--save DIR]

Prints the table of the issue (probes, tracebacks, hangs, wrong exits) and
exits 1 if any is not zero. ``--save DIR`` keeps each failing probe there
(for tests/fuzz_corpus/). The mutations are importable: the tests use them.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parents[1]
#: Longest a probe may take.
HANG_SECONDS = 5.0

NINES = "9" * 400
#: Text spliced into files: each was, or is close to, a way in.
TOKENS = [
    NINES,
    f"'{NINES}s'",
    f"'{NINES}:00'",
    f"{NINES}h",
    f"-{NINES}",
    "7" * 5000,
    "1:5",
    "1:30",
    "0s",
    "2h",
    ".inf",
    "-.inf",
    ".nan",
    "1.0e400",
    "0x1F",
    "010",
    "yes",
    "~",
    "null",
    "2024-01-13",
    "\x00",
    "\x1b[2J",
    "\x1b]52;c;aGk=\x07",
    "\x7f",
    "\u009b",
    "\u0085",
    "\u2028",
    "\ufeff",
    "\t",
    "\r",
    "\n\t",
    ": ",
    " #",
    '"',
    "'",
    "[",
    "]",
    "{",
    "}",
    ",",
    "- ",
    "? ",
    "|",
    ">",
    "&a ",
    "*a",
    "<<: *a",
    "!!python/object/apply:os.system [echo hi]",
    "!!binary aGk=",
    "!!map",
    "!custom",
    "---\n",
    "...\n",
    "%YAML 1.1\n",
    "include: x.yaml",
    "include: ../escape.yaml",
    "include: /etc/passwd",
    "include: bedtime-calf-stretch",
    'include: "a\\0b.yaml"',
    'end: "a\\0b.wav"',
    "end: ../x.wav",
    "sides: [" + ", ".join(f"s{i}" for i in range(400)) + "]",
    "reps: 500",
    "sets: 50",
    "repeat: 50",
    "hold: 3600",
    "duration: 1h",
    "tempo: 0.001",
    "prompts: [{at: 1, say: x}]",
    "cues: {strat: none}",
    "format: 2",
    "é",
    "😀",
]

#: Values for a duration or count: the tokens most likely to reach arithmetic.
NUMBERS = [t for t in TOKENS if re.match(r"^['-]?[0-9.]", t)] + ["'\x00'", '"\x1b[2J"']

Mutation = Callable[[random.Random, bytes], bytes]


def _value(rng: random.Random) -> str:
    return rng.choice(NUMBERS if rng.random() < 0.5 else TOKENS)


def _flip(rng: random.Random, data: bytes) -> bytes:
    if not data:
        return bytes([rng.randrange(256)])
    i = rng.randrange(len(data))
    return data[:i] + bytes([rng.randrange(256)]) + data[i + 1 :]


def _insert_bytes(rng: random.Random, data: bytes) -> bytes:
    i = rng.randrange(len(data) + 1)
    junk = bytes(
        rng.choice(b"\x00\x01\x08\x09\x0a\x0d\x1b\x7f\x80\x9b\xc2\xff:-#&*!|>'\"[]{}")
        for _ in range(rng.randint(1, 4))
    )
    return data[:i] + junk + data[i:]


def _delete(rng: random.Random, data: bytes) -> bytes:
    if not data:
        return data
    i = rng.randrange(len(data))
    return data[:i] + data[i + rng.randint(1, 16) :]


def _token(rng: random.Random, data: bytes) -> bytes:
    i = rng.randrange(len(data) + 1)
    return data[:i] + rng.choice(TOKENS).encode("utf-8") + data[i:]


def _replace_value(rng: random.Random, data: bytes) -> bytes:
    """Replace the value of a 'key: value' line (or flow item) with a token, keeping the key."""
    spots = [m.end() for m in re.finditer(rb"(?m)(?:^ *(?:- )?|[{,] *)[a-z_]+: ", data)]
    if not spots:
        return _token(rng, data)
    start = rng.choice(spots)
    end = data.find(b"\n", start)
    end = len(data) if end < 0 else end
    return data[:start] + _value(rng).encode("utf-8") + data[end:]


#: Keys spliced in with a token as their value (structure kept, value absurd).
KEYS = [
    "hold", "reps", "tempo", "duration", "rest", "sets", "set_rest", "switch", "prepare",
    "sides", "say", "name", "instructions", "include", "repeat", "prompts", "cues", "end",
    "finish", "title", "summary", "id", "format", "voice", "caution", "tags",
]  # fmt: skip


def _add_key(rng: random.Random, data: bytes) -> bytes:
    """After a 'key: value' line, add 'KEY: TOKEN' at the same indentation."""
    lines = data.split(b"\n")
    spots = [i for i, line in enumerate(lines) if re.match(rb"^ *(- )?[a-z_]+:", line)]
    if not spots:
        return _token(rng, data)
    i = rng.choice(spots)
    indent = re.match(rb"^ *(- )?", lines[i])
    width = len(indent.group()) if indent else 0
    value = _value(rng).replace("\n", " ")
    lines.insert(i + 1, b" " * width + f"{rng.choice(KEYS)}: {value}".encode())
    return b"\n".join(lines)


def _lines(rng: random.Random, data: bytes) -> bytes:
    lines = data.split(b"\n")
    i = rng.randrange(len(lines))
    what = rng.randrange(4)
    if what == 0:
        lines.insert(i, lines[i])
    elif what == 1 and len(lines) > 1:
        del lines[i]
    elif what == 2:
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    else:
        lines[i] = b" " * rng.choice([1, 2, 3, 4, 8]) + lines[i].lstrip(b" ")
    return b"\n".join(lines)


MUTATIONS: list[Mutation] = [_flip, _insert_bytes, _delete, _token, _replace_value, _lines]
#: Mutations that keep the YAML readable, so the format's own checks are probed.
VALUE_MUTATIONS: list[Mutation] = [_replace_value, _add_key]


def mutate(rng: random.Random, data: bytes) -> bytes:
    """``data`` with one to four random mutations.

    Half the probes only change values and add keys (the file stays YAML and
    reaches the format's checks); the others also break bytes and lines.
    """
    pool = VALUE_MUTATIONS if rng.random() < 0.5 else MUTATIONS + VALUE_MUTATIONS
    for _ in range(rng.randint(1, 4)):
        data = rng.choice(pool)(rng, data)
    return data


def seeds() -> list[tuple[str, bytes]]:
    """The bundled routines and the docs' YAML examples (as whole files), by name."""
    out = [(p.name, p.read_bytes()) for p in sorted((ROOT / "routines").glob("*.yaml"))]
    page = (ROOT / "docs" / "routine-format.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^( *)```yaml\n(.*?)^\1```", page, re.M | re.S)
    for i, (indent, body) in enumerate(blocks):
        text = "\n".join(line[len(indent) :] for line in body.splitlines()) + "\n"
        out.append((f"docs-example-{i + 1}.yaml", text.encode("utf-8")))
    return out


class Hang(Exception):
    """A probe ran past :data:`HANG_SECONDS`."""


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise Hang


@dataclass
class Result:
    probes: int = 0
    tracebacks: int = 0
    hangs: int = 0
    wrong_exits: int = 0
    cli_probes: int = 0
    failures: list[tuple[str, bytes, str]] = field(default_factory=list)


def probe(path: Path, fallback: object) -> str | None:
    """Load ``path`` as the library would; what went wrong, or ``None``.

    Runs in the main thread under a timer: a hang raises :class:`Hang`.
    """
    from stretch_coach.routine.errors import RoutineError
    from stretch_coach.routine.library import Library
    from stretch_coach.timeline import build_timeline

    try:
        library = Library.from_paths([path], fallback=fallback)  # type: ignore[arg-type]
        for entry in library.entries:
            text = "\n".join(str(p) for p in entry.problems)
            if "internal error" in text:
                return f"internal error: {text}"
            if entry.valid:
                build_timeline(entry.plan)
                library.find(str(entry.path))
    except RoutineError:
        return None
    except Hang:
        raise
    except Exception:
        return traceback.format_exc()
    return None


def cli_probe(path: Path, env: dict[str, str]) -> str | None:
    """``python -m stretch_coach validate FILE``: what went wrong, or ``None``."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "stretch_coach", "validate", str(path)],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        return "hang"
    if "Traceback" in done.stderr:
        return f"traceback: {done.stderr}"
    if done.returncode not in (0, 2):
        return f"exit {done.returncode}: {done.stderr}"
    return None


def run(count: int, seed: int, cli: int, folder: Path) -> Result:
    from stretch_coach.routine.library import default_library

    os.environ.setdefault("STRETCH_COACH_DATA_DIR", str(folder / "data"))
    os.environ.setdefault("STRETCH_COACH_CONFIG_DIR", str(folder / "config"))
    os.environ.setdefault("STRETCH_COACH_CACHE_DIR", str(folder / "cache"))
    fallback = default_library()
    rng = random.Random(seed)
    corpus = seeds()
    result = Result()
    signal.signal(signal.SIGALRM, _alarm)
    cli_every = max(1, count // cli) if cli else 0
    for n in range(count):
        name, data = rng.choice(corpus)
        mutated = mutate(rng, data)
        # beside a copy of a bundled routine, so includes by path find something
        work = folder / f"probe-{n}"
        work.mkdir()
        (work / "x.yaml").write_bytes(corpus[0][1])
        path = work / name
        path.write_bytes(mutated)
        result.probes += 1
        started = time.monotonic()
        signal.setitimer(signal.ITIMER_REAL, HANG_SECONDS)
        try:
            failed = probe(path, fallback)
        except Hang:
            failed = "hang"
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        if failed == "hang" or time.monotonic() - started > HANG_SECONDS:
            result.hangs += 1
            result.failures.append((f"hang-{name}", mutated, "hang"))
        elif failed is not None:
            result.tracebacks += 1
            result.failures.append((f"traceback-{name}", mutated, failed))
        if cli_every and n % cli_every == 0:
            result.cli_probes += 1
            env = dict(os.environ, STRETCH_COACH_DATA_DIR=str(work / "data"))
            wrong = cli_probe(path, env)
            if wrong is not None:
                result.wrong_exits += 1
                result.failures.append((f"cli-{name}", mutated, wrong))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="probes (default 2000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cli", type=int, default=50, help="of them, through the real command")
    parser.add_argument("--save", type=Path, help="keep every failing probe in this folder")
    args = parser.parse_args(argv)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        result = run(args.count, args.seed, args.cli, Path(tmp))
    took = time.monotonic() - started
    print(f"{'probes':<12} {'tracebacks':>10} {'hangs':>6} {'wrong exits':>12} {'cli probes':>11}")
    print(
        f"{result.probes:<12} {result.tracebacks:>10} {result.hangs:>6} "
        f"{result.wrong_exits:>12} {result.cli_probes:>11}"
    )
    print(f"({took:.0f} s, seed {args.seed})")
    for name, data, why in result.failures[:10]:
        print(f"\n--- {name}\n{data[:200]!r}\n{why.strip()[-1500:]}")
    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)
        for i, (name, data, _why) in enumerate(result.failures):
            (args.save / f"{i:03d}-{name}").write_bytes(data)
    return 1 if result.tracebacks or result.hangs or result.wrong_exits else 0


def _iter_failures(result: Result) -> Iterator[str]:  # pragma: no cover - for a debugger
    for name, _data, why in result.failures:
        yield f"{name}: {why}"


if __name__ == "__main__":
    sys.exit(main())
