"""Everything ``validate`` prints over a corpus of routines: to diff before and after a speed-up.

A speed-up of ``validate`` (its library load, lint, the voice-room check) must
not change a single line it prints. This runs the real command
(``stretch_coach.cli.main(["validate", ...])``, in this process) over:

* the benchmark's 1,000 generated routines (benchmarks/validate_library.py), as one folder;
* the bundled routines, as one folder;
* each bundled routine and docs example on its own (benchmarks/fuzz_routines.py's seeds);
* each routine written inside the tests (a triple-quoted text with ``title:`` and
  ``steps:``), and each YAML file under tests/, on its own;
* ``--fuzz`` mutated seeds (fuzz_routines.mutate, seed 1), each on its own;

and writes each run's exit code, standard error and standard output, the
temporary folder's name replaced by ``T``, to one file. Run it before and
after a change and compare the two files (``cmp``): they must be identical.

    python benchmarks/validate_corpus.py OUT [--fuzz 1500]

Session 5: identical before and after lint took the loader's places and the
voice-room check was made cheaper (7,333 lines, 2,317 warnings, of which 2,300
are the generated routines'; 7,336 lines with that work's own new test).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import random
import re
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import fuzz_routines  # noqa: E402
import validate_library  # noqa: E402

from stretch_coach.cli import main as cli_main  # noqa: E402


def run(paths: list[Path], tmp: Path) -> str:
    """One ``validate`` run over ``paths``: its exit code and what it printed."""
    said = io.StringIO()
    with contextlib.redirect_stderr(said), contextlib.redirect_stdout(said):
        try:
            code: object = cli_main(["validate", *map(str, paths)])
        except SystemExit as exit_:  # a UserError's exit
            code = exit_.code
    return f"rc={code}\n{said.getvalue()}".replace(str(tmp), "T")


def fixtures() -> list[str]:
    """The routines written inside the tests, in file order."""
    found = []
    for py in sorted((ROOT / "tests").rglob("*.py")):
        for match in re.finditer(r'"""(.*?)"""', py.read_text(encoding="utf-8"), re.S):
            body = textwrap.dedent(match.group(1)).lstrip("\n")
            if "steps:" in body and "title:" in body:
                found.append(body)
    return found


def corpus(fuzz: int) -> str:
    """What ``validate`` prints over the whole corpus (see the module's docstring)."""
    out = []
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        generated = tmp / "generated"
        generated.mkdir()
        validate_library.write_folder(generated, 1000)
        out.append(run([generated], tmp))
        out.append(run([ROOT / "routines"], tmp))
        seeds = fuzz_routines.seeds()

        def alone(folder: str, file: str, data: bytes) -> None:
            path = tmp / folder / file
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            out.append(run([path], tmp))

        for file, data in seeds:
            alone("seed", file, data)
        for n, text in enumerate(fixtures(), 1):
            alone("fixture", f"fixture-{n:04d}.yaml", text.encode("utf-8"))
        for path in sorted((ROOT / "tests").rglob("*.yaml")):
            out.append(run([path], tmp))
        rng = random.Random(1)
        for n in range(fuzz):
            _, data = rng.choice(seeds)
            alone("fuzz", f"probe-{n:04d}.yaml", fuzz_routines.mutate(rng, data))
    return "".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("out", type=Path, help="the file to write")
    parser.add_argument("--fuzz", type=int, default=1500, help="mutated seeds (default 1500)")
    args = parser.parse_args(argv)
    text = corpus(args.fuzz)
    args.out.write_text(text, encoding="utf-8")
    print(f"{text.count(chr(10))} lines, {text.count(': warning')} warnings -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
