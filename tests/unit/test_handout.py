"""Handouts: the words for doses, the HTML page parsed back, the PDF read back with pdftotext."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import zlib
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest

from stretch_coach.cli import main
from stretch_coach.handout import fonts
from stretch_coach.handout.document import (
    SEED_PAGES,
    build_handout,
    dose_text,
    length_text,
    reader_source,
)
from stretch_coach.handout.html import render_html
from stretch_coach.handout.pdf import UncoveredText, render_pdf
from stretch_coach.resources import bundled_routines_dir
from stretch_coach.routine.library import Library, default_library
from stretch_coach.routine.model import Phase, Step, StepKind

Writer = Callable[..., Path]
REQUIRE_TOOLS = os.environ.get("STRETCH_COACH_REQUIRE_TOOLS") == "1"


def require_tool(name: str) -> str:
    """The tool's path; skip without it, except in CI (STRETCH_COACH_REQUIRE_TOOLS=1)."""
    found = shutil.which(name)
    if found is None:
        if REQUIRE_TOOLS:
            pytest.fail(f"{name} is required (STRETCH_COACH_REQUIRE_TOOLS=1) but not on PATH")
        pytest.skip(f"{name} is not installed")
    return found


def png(width: int = 4, height: int = 3) -> bytes:
    """A small valid PNG (grey), made without Pillow."""
    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


HOSTILE = "<script>alert(1)</script>"

MAIN = """
title: "Night <b>plan</b> Ночь Νύχτα"
summary: "Evening <script>alert(1)</script>"
source: "Physio notes <a href=x>link</a>"
caution:
  - "Stop if it hurts <img src=x onerror=alert(1)>"
cues:
  finish: bell.wav
steps:
  - name: "Wall stretch <i>now</i>"
    instructions: Hands on the wall. Καλημέρα. Привет.
    hold: 30s
    reps: 2
    rest: 10s
    sides: [left, right]
    image: wall.png
  - name: Heel raises
    instructions: Rise with each sound.
    reps: 15
    tempo: 4s
    sets: 3
    set_rest: 1m
    image: drop.svg
  - include: heel-walking
  - include: extra.yaml
"""

EXTRA = """
title: Extra
caution:
  - Stop if your heel hurts.
  - "Stop   if it hurts <img src=x onerror=alert(1)>"
steps:
  - name: Loosen your sheets
    instructions: Keep the covers loose.
"""


@pytest.fixture
def routine(write: Writer, tmp_path: Path) -> Path:
    folder = tmp_path / "lib"
    write("extra.yaml", EXTRA, folder=folder)
    (folder / "wall.png").write_bytes(png())
    (folder / "drop.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" viewBox="0 0 10 10">'
        '<script>alert(1)</script><circle cx="5" cy="5" r="4"/></svg>',
        encoding="utf-8",
    )
    shutil.copy(Path(__file__).parents[2] / "sounds" / "chime.wav", folder / "bell.wav")
    return write("night.yaml", MAIN, folder=folder)


def handout_of(path: Path, **kw: str | None):  # type: ignore[no-untyped-def]
    return build_handout(default_library().find(str(path)), **kw)


# -- doses in words ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "words"),
    [
        (
            Step(StepKind.HOLD, "s", hold=30, reps=2, rest=10, sides=("left", "right")),
            "hold 30 s, twice on each side (left, then right), 10 s rest between",
        ),
        (Step(StepKind.HOLD, "s", hold=45, reps=1), "hold 45 s"),
        (
            Step(StepKind.HOLD, "s", hold=20, reps=3, sets=2, set_rest=60),
            "hold 20 s, 3 times; 2 sets, 1 min rest between sets",
        ),
        (
            Step(StepKind.PACED, "s", reps=15, tempo=4, sets=3, set_rest=60),
            "3 sets of 15, 4 s each, 1 min rest between sets",
        ),
        (Step(StepKind.PACED, "s", reps=10, tempo=6), "10 repetitions, 6 s each"),
        (Step(StepKind.COUNTED, "s", reps=20), "20 repetitions at your own pace"),
        (
            Step(StepKind.TIMED, "s", duration=30, sides=("left", "right")),
            "30 s on each side (left, then right)",
        ),
        (Step(StepKind.REST, "Rest", duration=30), "rest 30 s"),
        (Step(StepKind.MANUAL, "s"), "at your own pace"),
        (Step(StepKind.HOLD, "s", hold=30, reps=1, side="right"), "hold 30 s, right side only"),
        (
            Step(
                StepKind.PACED,
                "s",
                reps=15,
                tempo=4,
                sets=3,
                set_rest=60,
                side="left",
                phases=(Phase("lift", 1), Phase("lower", 3)),
            ),
            "3 sets of 15: lift 1 s, lower 3 s; left side only; 1 min rest between sets",
        ),
    ],
)
def test_doses_are_written_for_people(step: Step, words: str) -> None:
    assert dose_text(step) == words


@pytest.mark.parametrize(
    ("step", "words"),
    [
        (
            Step(
                StepKind.PACED,
                "s",
                reps=10,
                tempo=4,
                side="right leg",
                phases=(Phase("lift", 1), Phase("lower slowly", 3)),
            ),
            "10 repetitions: lift 1 s, lower slowly 3 s; right leg only",
        ),
        (
            Step(
                StepKind.PACED,
                "s",
                reps=12,
                tempo=3,
                sets=2,
                set_rest=30,
                phases=(Phase("up", 1), Phase("hold", 1), Phase("down", 1)),
            ),
            "2 sets of 12: up 1 s, hold 1 s, down 1 s; 30 s rest between sets",
        ),
        (Step(StepKind.TIMED, "s", duration=60, side="left"), "1 min, left side only"),
    ],
)
def test_phases_and_one_side_are_written_for_people(step: Step, words: str) -> None:
    assert dose_text(step) == words


#: A step of every kind, each as it comes with the get-ready (``prepare``) and without.
EVERY_KIND = {
    "hold": "{name: Hold, hold: 30s}",
    "hold twice": "{name: Hold twice, hold: 30s, reps: 2, rest: 10s}",
    "hold sides": "{name: Hold sides, hold: 30s, sides: [left, right]}",
    "paced": "{name: Paced, reps: 10, tempo: 3s}",
    "paced one": "{name: Paced one, reps: 1, tempo: 30s}",
    "phases": "{name: Phases, reps: 5, phases: [{say: up, time: 1s}, {say: down, time: 3s}]}",
    "counted": "{name: Counted, reps: 20}",
    "counted sets": "{name: Counted sets, reps: 20, sets: 2}",
    "timed": "{name: Timed, duration: 5m}",
    "timed one side": "{name: Timed one side, duration: 1m, side: left}",
    "rest": "{rest: 30s}",
    "manual": "{name: Manual}",
    "manual sides": "{name: Manual sides, sides: [left, right]}",
}


@pytest.mark.parametrize("prepare", ["0s", "5s"])
@pytest.mark.parametrize("kind", sorted(EVERY_KIND))
def test_no_step_kind_says_its_length_twice(write: Writer, kind: str, prepare: str) -> None:
    path = write(
        "k.yaml",
        f"title: K\ndefaults: {{prepare: {prepare}}}\nsteps:\n  - {EVERY_KIND[kind]}\n",
    )
    (step,) = handout_of(path).steps
    line = step.how_much
    assert line.count("at your own pace") <= 1, line
    if step.length is not None:
        # what the brackets add is never a duration the dose already gives
        assert re.search(rf"(?<![\d.]){re.escape(step.length)}(?!\w| \d)", step.dose) is None
        assert line == f"{step.dose} ({step.length})"
    else:
        assert line == step.dose
    assert "1 repetitions" not in line


@pytest.mark.parametrize(
    ("dose", "seconds", "shown"),
    [
        ("rest 30 s", 30.0, None),
        ("hold 30 s", 30.0, None),
        ("hold 30 s", 35.0, "35 s"),
        ("5 min", 300.0, None),
        ("5 min", 305.0, "5 min 5 s"),
        ("hold 1 min 30 s", 90.0, None),
        ("hold 1 min 30 s, twice", 180.0, "3 min"),
        ("hold 5 s, 3 times, 5 s rest between", 25.0, "25 s"),  # not the "5 s" inside it
        ("20 repetitions at your own pace", None, None),
    ],
)
def test_the_length_is_added_only_when_the_dose_does_not_say_it(
    dose: str, seconds: float | None, shown: str | None
) -> None:
    assert length_text(dose, seconds) == shown


# -- the source, for a patient ------------------------------------------------------


def test_the_source_names_the_pages_a_patient_can_look_up_not_their_files() -> None:
    h = build_handout(default_library().find("bedtime-calf-stretch"))
    assert h.source == (
        '"Osteopathy: Leg Cramps", Aether Bios Clinic; '
        '"Leg cramps", content supplied by the NHS website; '
        '"Leg Cramping", a vein clinic\'s patient page; '
        "a patient information article on leg cramps"
    )


@pytest.mark.parametrize(
    "routine_id", sorted(p.stem for p in bundled_routines_dir().glob("*.yaml"))
)
def test_no_bundled_handout_names_a_file_as_its_source(routine_id: str) -> None:
    entry = default_library().find(routine_id)
    assert entry.routine is not None and entry.routine.source
    source = build_handout(entry).source
    assert source and ".txt" not in source and "seed " not in source, source
    # the pages the routine cites, by their names, each once, and nothing else
    cited = re.findall(r"seed (\d{3}_[0-9a-f]{16}\.txt)", entry.routine.source)
    assert source.split("; ") == [SEED_PAGES[c] for c in dict.fromkeys(cited)]


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("Physio notes <a href=x>link</a>", "Physio notes <a href=x>link</a>"),
        (
            'seed 001_1bba04c482067842.txt, "Leg cramps", "Stretches": "a; b"; my own notes',
            '"Leg cramps", content supplied by the NHS website; my own notes',
        ),
        (
            "the step stretch (seed 001_1bba04c482067842.txt)",
            'the step stretch ("Leg cramps", content supplied by the NHS website)',
        ),
        ("seed 009_0000000000000000.txt, a page", "seed 009_0000000000000000.txt, a page"),
        (
            "seed 000_4ccb9be79f378189.txt, the causes (pregnancy; medicines); notes",
            '"Osteopathy: Leg Cramps", Aether Bios Clinic; notes',
        ),
    ],
)
def test_a_source_is_kept_as_written_but_for_the_seed_files(written: str, shown: str) -> None:
    assert reader_source(written) == shown


# -- the document ---------------------------------------------------------------


def test_the_document_has_every_step_dose_caution_and_the_foot(routine: Path) -> None:
    h = handout_of(routine, patient="Anna", note="Twice a day")
    assert [s.name for s in h.steps] == [
        "Wall stretch <i>now</i>",
        "Heel raises",
        "Walk on your heels",
        "Loosen your sheets",
    ]
    assert [s.length for s in h.steps] == ["2 min 30 s", "5 min 5 s", None, None]
    assert [s.how_much for s in h.steps] == [
        "hold 30 s, twice on each side (left, then right), 10 s rest between (2 min 30 s)",
        "3 sets of 15, 4 s each, 1 min rest between sets (5 min 5 s)",
        "20 repetitions at your own pace",  # said once, not "(at your own pace)" again
        "at your own pace",
    ]
    assert h.total == "7 min 35 s, plus 2 self-paced steps"
    # its own, then the included ones in step order, each once (white space collapsed)
    heel = default_library().get("heel-walking")
    assert heel is not None and heel.routine is not None
    assert h.cautions[0] == "Stop if it hurts <img src=x onerror=alert(1)>"
    assert list(h.cautions[1:-1]) == list(heel.routine.caution)
    assert h.cautions[-1] == "Stop if your heel hurts."
    assert h.patient == "Anna" and h.note == "Twice a day"
    assert [x.command for x in h.how_to] == [
        "stretch-coach install night.zip",
        "stretch-coach run night",
    ]
    assert h.steps[0].picture is not None and h.steps[0].picture.name == "wall.png"


def test_a_bundled_routine_needs_no_install(tmp_path: Path) -> None:
    h = build_handout(default_library().find("pre-bed"))
    assert [x.command for x in h.how_to] == ["stretch-coach run pre-bed"]


def test_the_handout_describes_the_routine_as_written_not_the_saved_get_ready(
    write: Writer,
) -> None:
    path = write("p.yaml", "title: P\ndefaults: {prepare: 2s}\nsteps:\n  - {name: a, hold: 5s}\n")
    (Path(os.environ["STRETCH_COACH_CONFIG_DIR"])).mkdir(parents=True, exist_ok=True)
    (Path(os.environ["STRETCH_COACH_CONFIG_DIR"]) / "settings.toml").write_text("prepare = 20\n")
    assert handout_of(path).total == "7 s"


# -- HTML --------------------------------------------------------------------------


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.images: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "img":
            self.images.append(dict(attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_keeps_routine_text_as_text_and_embeds_pictures(routine: Path) -> None:
    page = render_html(handout_of(routine, patient="<b>Anna</b>", note="a & b <script>x</script>"))
    parser = _Collect()
    parser.feed(page)
    tags = set(parser.tags)
    # nothing the routine or the command line wrote became markup
    assert not tags & {"script", "b", "i", "a", "svg"}
    assert parser.tags.count("img") == 2
    text = "".join(parser.text)
    for piece in (
        "Night <b>plan</b> Ночь Νύχτα",
        "Evening <script>alert(1)</script>",
        "Stop if it hurts <img src=x onerror=alert(1)>",
        "Wall stretch <i>now</i>",
        "hold 30 s, twice on each side (left, then right), 10 s rest between",
        "3 sets of 15, 4 s each, 1 min rest between sets",
        "Stop if your heel hurts.",
        "Physio notes <a href=x>link</a>",
        "<b>Anna</b>",
        "a & b <script>x</script>",
        "stretch-coach run night",
        "7 min 35 s, plus 2 self-paced steps",
    ):
        assert piece in text
    sources = [img["src"] or "" for img in parser.images]
    assert sources[0].startswith("data:image/png;base64,")
    assert sources[1].startswith("data:image/svg+xml;base64,")
    assert "@media print" in page  # a print stylesheet, in the page itself
    assert "<link" not in page and 'src="http' not in page


def test_handout_without_o_prints_html(routine: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["handout", str(routine), "--for", "Anna"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("<!DOCTYPE html>") and "Anna" in out


def test_o_never_overwrites_a_routine_settings_or_history(
    routine: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = Path(os.environ["STRETCH_COACH_CONFIG_DIR"])
    data = Path(os.environ["STRETCH_COACH_DATA_DIR"])
    for folder in (config, data):
        folder.mkdir(parents=True, exist_ok=True)
    keep = {
        routine: routine.read_bytes(),
        config / "settings.toml": b"audio = 'none'\n",
        data / "history.sqlite3": b"SQLite format 3\x00",
    }
    for path, content in keep.items():
        path.write_bytes(content)
        assert main(["handout", str(routine), "-o", str(path)]) == 2
        assert path.read_bytes() == content
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"stretch-coach: -o {routine}: that is a routine file; write the handout to another file",
        f"stretch-coach: -o {config / 'settings.toml'}: that is the settings file "
        f"({config / 'settings.toml'}); write the handout to another file",
        f"stretch-coach: -o {data / 'history.sqlite3'}: that is the history database "
        f"({data / 'history.sqlite3'}); write the handout to another file",
    ]


# -- PDF -------------------------------------------------------------------------


def pdf_text(path: Path) -> str:
    exe = require_tool("pdftotext")
    return subprocess.run(
        [exe, "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_pdf_text_has_every_step_dose_caution_source_and_name(
    routine: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "night.pdf"
    code = main(["handout", str(routine), "-o", str(out), "--for", "Анна Λ.", "--note", "Daily"])
    assert code == 0, capsys.readouterr().err
    assert capsys.readouterr().err == ""  # fpdf2's notes on the SVG stay off the terminal
    data = out.read_bytes()
    assert data.startswith(b"%PDF-")
    assert b"/FontFile2" in data  # the font is embedded
    text = " ".join(pdf_text(out).split())
    for piece in (
        "Night <b>plan</b> Ночь Νύχτα",
        "For: Анна Λ.",
        "Daily",
        "Takes about: 7 min 35 s, plus 2 self-paced steps",
        "1. Wall stretch <i>now</i>",
        "hold 30 s, twice on each side (left, then right), 10 s rest between (2 min 30 s)",
        "Hands on the wall. Καλημέρα. Привет.",
        "3 sets of 15, 4 s each, 1 min rest between sets (5 min 5 s)",
        "3. Walk on your heels",
        "4. Loosen your sheets",
        "Stop if it hurts <img src=x onerror=alert(1)>",
        "Stop if your heel hurts.",
        "Physio notes <a href=x>link</a>",
        "stretch-coach install night.zip",
        "stretch-coach run night",
    ):
        assert piece in text, piece


def test_pdf_page_renders_with_its_pictures(routine: Path, tmp_path: Path) -> None:
    exe = require_tool("pdftoppm")
    out = tmp_path / "night.pdf"
    out.write_bytes(render_pdf(handout_of(routine)))
    subprocess.run([exe, "-png", "-r", "30", "-f", "1", "-l", "1", str(out), str(tmp_path / "p")])
    assert (tmp_path / "p-1.png").stat().st_size > 1000


def test_text_no_font_covers_is_refused_and_points_to_the_html(
    write: Writer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write("jp.yaml", "title: 夜のストレッチ\nsteps:\n  - {name: a, hold: 5s}\n")
    monkeypatch.setattr(fonts, "system_font_for", lambda chars: None)
    with pytest.raises(UncoveredText) as caught:
        render_pdf(handout_of(path))
    assert caught.value.message == (
        "the PDF cannot show '夜のストレッチ': no font on this computer covers it "
        "(install one, e.g. Noto Sans CJK for Japanese); the HTML handout shows every "
        "script: -o FILE.html"
    )
    code = main(["handout", str(path), "-o", str(tmp_path / "jp.pdf")])
    assert code == 2 and not (tmp_path / "jp.pdf").exists()
    assert "夜のストレッチ" in render_html(handout_of(path))


def test_a_system_font_is_found_and_embedded_for_other_characters(
    write: Writer, tmp_path: Path
) -> None:
    math = Path("/usr/share/fonts/truetype/dejavu/DejaVuMathTeXGyre.ttf")
    if not math.exists():
        if REQUIRE_TOOLS:
            pytest.fail("fonts-dejavu-core is required (STRETCH_COACH_REQUIRE_TOOLS=1)")
        pytest.skip("fonts-dejavu-core is not installed")
    char = "\U0001d49c"  # MATHEMATICAL SCRIPT CAPITAL A: not in DejaVu Sans
    assert ord(char) not in fonts.coverage(fonts.REGULAR)
    assert fonts.system_font_for([char], folders=[math.parent]) is not None
    path = write("m.yaml", f"title: Formula {char}\nsteps:\n  - {{name: a, hold: 5s}}\n")
    out = tmp_path / "m.pdf"
    out.write_bytes(render_pdf(handout_of(path)))
    assert char in pdf_text(out)


def test_the_shipped_fonts_fit_the_budget_and_carry_their_licence() -> None:
    folder = fonts.FONT_DIR
    assert sum(p.stat().st_size for p in folder.iterdir()) < 2 * 1024 * 1024
    assert (folder / "LICENSE-DejaVu.txt").read_text().count("Bitstream") > 3
    covered = fonts.coverage(fonts.REGULAR)
    assert all(ord(c) in covered for c in "Aéß Ωαβ ЖЯё")


def test_library_reads_sub_folders_but_not_hidden_ones(write: Writer, tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    write("a.yaml", "title: A\nsteps: [{name: a}]\n", folder=lib / "night-cramp")
    write("b.yaml", "title: B\nsteps: [{name: b}]\n", folder=lib / ".hidden")
    library = Library.from_folders([(lib, "library")])
    assert [e.id for e in library.entries] == ["a"]


SEEDS_DIR = Path(__file__).resolve().parents[3] / "shared" / "seeds"


@pytest.mark.parametrize("seed", sorted(SEED_PAGES))
def test_each_source_name_says_only_what_its_page_says(
    seed: str, require: Callable[[bool, str], None]
) -> None:
    # The name a patient reads must come from the page: its quoted title in
    # the page's text, and every proper name after it (a publisher, an author)
    # too, as words. ("El Paso", inferred from an e-mail address, once slipped in.)
    require((SEEDS_DIR / seed).is_file(), f"the seed pages beside the checkout ({SEEDS_DIR})")
    page = " ".join((SEEDS_DIR / seed).read_text(encoding="utf-8").split()).lower()
    name = SEED_PAGES[seed]
    title = re.findall(r'"([^"]+)"', name)
    assert all(t.lower() in page for t in title), (name, title)
    rest = re.sub(r'"[^"]+"', "", name)
    proper = re.findall(r"\b[A-Z][\w.']*", rest)
    missing = [w for w in proper if not re.search(rf"\b{re.escape(w.lower().rstrip('.'))}\b", page)]
    assert missing == [], name
