"""Packs: routines sent as one file, installed by the patient in one command.

A pack is a zip of routine files with every file they need that is not
bundled with stretch-coach: the routines they include from the user's own
folders, their ``.wav`` cues and step pictures, and a ``manifest.json``
(ids, titles, the sha256 of each file, the format version, the author).

Installing (a pack, one routine file, or a folder) checks everything before
it writes anything: member names (no absolute paths, no ``..``, no symlinks),
sizes and counts, checksums, then every routine as the library would read it,
with its includes, and that no id is taken. Only then are the files written,
into a hidden folder of the user's routine folder renamed into place in one
step, so a refused or interrupted install leaves nothing behind.

Nothing is deleted: a routine replaced with ``--replace`` or uninstalled is
moved to ``data_dir()/removed/<time>/``.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import stat
import tempfile
import time
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from stretch_coach import __version__, paths
from stretch_coach.errors import UserError
from stretch_coach.routine.errors import RoutineError
from stretch_coach.routine.folders import ROUTINE_SUFFIXES
from stretch_coach.routine.library import Entry, Library, default_library, read_file
from stretch_coach.routine.loader import MAX_FILE_BYTES, load_file, load_routine
from stretch_coach.routine.model import Include, Routine, Step
from stretch_coach.routine.program import Program
from stretch_coach.routine.stages import ProgramEntry

MANIFEST = "manifest.json"
#: The layout of manifest.json; a newer one is refused with a clear message.
PACK_FORMAT = 1
ROUTINE_FORMAT = 1
MAX_MEMBERS = 500
MAX_ROUTINE_BYTES = MAX_FILE_BYTES
MAX_MEDIA_BYTES = 10 * 1024 * 1024
MAX_TOTAL_BYTES = 50 * 1024 * 1024
MEDIA_SUFFIXES = (".wav", ".png", ".jpg", ".jpeg", ".svg")
#: Entries other tools add to a zip, left out without a word.
_JUNK = ("__MACOSX/", ".DS_Store")
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


class PackError(UserError):
    """A pack or install refused: one line, exit 2, nothing written."""


# -- what a routine needs ------------------------------------------------------


def _media_of(routine: Routine) -> list[Path]:
    """The routine's own sound and picture files (resolved): cues, phase sounds, pictures."""
    found = [s.path for s in routine.cues.values() if s.path is not None]
    for step in routine.steps:
        if isinstance(step, Step):
            found += [s.path for s in step.cues.values() if s.path is not None]
            found += [p.sound.path for p in step.phases if p.sound and p.sound.path]
            if step.image is not None:
                found.append(step.image.path)
    return found


def _is_path_include(target: str) -> bool:
    return target.lower().endswith(ROUTINE_SUFFIXES) or "/" in target or os.sep in target


@dataclass
class Collected:
    """The files of a set of routines and programs, grouped by the folder each top one sits in."""

    roots: dict[Path, list[Path]] = field(default_factory=dict)  #: folder -> files in it
    routines: list[tuple[Routine, Path, bool]] = field(default_factory=list)  #: (r, root, main)
    requires: list[str] = field(default_factory=list)  #: bundled ids included by id
    programs: list[tuple[Program, Path]] = field(default_factory=list)  #: (program, root)

    def has(self, path: Path) -> bool:
        return any(path in files for files in self.roots.values())

    def add(self, root: Path, needed: Path, of: Path) -> None:
        """Add ``needed`` (a file ``of`` needs) to ``root``'s files; it must lie inside."""
        if not needed.is_relative_to(root):
            raise PackError(
                f"{needed}: outside the folder of {of} (a link?); keep a routine's files beside it"
            )
        files = self.roots.setdefault(root, [])
        if needed not in files:
            files.append(needed)


def collect(
    library: Library, entries: Sequence[Entry], programs: Sequence[ProgramEntry] = ()
) -> Collected:
    """Every file ``entries`` and ``programs`` need that is not bundled.

    Each routine's folder is a root; the files it includes by path and its
    sounds and pictures lie inside it (the format keeps them there). A
    routine included by id from the user's folders brings its own root;
    one included from the bundled set is only named in ``requires``. A
    program's folder is a root too: its stages' routines named by path lie
    inside it, and those named by id are found as an include by id is.

    Raises:
        PackError: for a file that resolves outside its routine's folder (a symlink).
    """
    out = Collected()
    pending: list[tuple[Routine, bool]] = []
    for entry in entries:
        assert entry.routine is not None
        pending.append((entry.routine, True))
    for listed in programs:
        assert listed.program is not None
        here = listed.path.resolve()
        root = here.parent
        out.add(root, here, listed.path)
        out.programs.append((listed.program, root))
        for stage in listed.program.stages:
            if _is_path_include(stage.routine):
                _walk(out, library, load_routine(here.parent / stage.routine), root, pending)
            else:
                _by_id(out, library, stage.routine, pending)
    while pending:
        routine, main = pending.pop(0)
        assert routine.path is not None
        path = routine.path.resolve()
        if not out.has(path):
            _walk(out, library, routine, path.parent, pending, main=main)
    return out


def _walk(
    out: Collected,
    library: Library,
    routine: Routine,
    root: Path,
    pending: list[tuple[Routine, bool]],
    *,
    main: bool = False,
) -> None:
    """Add ``routine`` to ``root``: its file, media and path includes (inside it)."""
    assert routine.path is not None
    walk: list[Routine] = [routine]
    while walk:
        current = walk.pop(0)
        assert current.path is not None
        here = current.path.resolve()
        if out.has(here):  # walked already: two stages (or includes) may name one file
            continue
        out.routines.append((current, root, main and current is routine))
        for needed in [here, *_media_of(current)]:
            out.add(root, needed, routine.path)
        for step in current.steps:
            if not isinstance(step, Include):
                continue
            if _is_path_include(step.target):
                walk.append(load_routine(here.parent / step.target))
            else:
                _by_id(out, library, step.target, pending)


def _by_id(
    out: Collected, library: Library, routine_id: str, pending: list[tuple[Routine, bool]]
) -> None:
    """A routine named by id: bundled ones are only required; the user's are packed."""
    found = library.get(routine_id)
    if found is None or found.routine is None:
        return  # the library already refused it; validate says why
    if found.origin == "bundled":
        if routine_id not in out.requires:
            out.requires.append(routine_id)
    else:
        pending.append((found.routine, False))


def _prefixes(roots: Iterable[Path], names: dict[Path, str]) -> dict[Path, str]:
    """The folder each root goes in inside a pack ('' for a single root)."""
    roots = list(roots)
    if len(roots) == 1:
        return {roots[0]: ""}
    out: dict[Path, str] = {}
    used: set[str] = set()
    for root in roots:
        name = names[root]
        candidate, n = name, 2
        while candidate in used:
            candidate, n = f"{name}-{n}", n + 1
        used.add(candidate)
        out[root] = candidate + "/"
    return out


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- pack ----------------------------------------------------------------------


def make_pack(
    library: Library,
    entries: Sequence[Entry],
    author: str | None = None,
    programs: Sequence[ProgramEntry] = (),
) -> tuple[bytes, dict[str, Any]]:
    """A pack of ``entries`` and ``programs`` (valid) as zip bytes, and its manifest.

    Raises:
        PackError: when the pack would break the limits ``install`` enforces.
    """
    collected = collect(library, entries, programs)
    names: dict[Path, str] = {}
    for program, root in collected.programs:
        names.setdefault(root, program.id)
    for routine, root, _ in collected.routines:
        names.setdefault(root, routine.id)
    prefixes = _prefixes(collected.roots, names)
    members: dict[str, bytes] = {}
    for root, files in collected.roots.items():
        for file in files:
            name = prefixes[root] + file.relative_to(root).as_posix()
            members[name] = file.read_bytes()
    routines = []
    for routine, root, main in collected.routines:
        assert routine.path is not None
        name = prefixes[root] + routine.path.resolve().relative_to(root).as_posix()
        routines.append({"id": routine.id, "title": routine.title, "file": name, "main": main})
    packed_programs = []
    for program, root in collected.programs:
        assert program.path is not None
        name = prefixes[root] + program.path.resolve().relative_to(root).as_posix()
        packed_programs.append({"id": program.id, "title": program.title, "file": name})
    manifest: dict[str, Any] = {
        "stretch_coach_pack": PACK_FORMAT,
        "format": ROUTINE_FORMAT,
        "author": author,
        "made_with": f"stretch-coach {__version__}",
        "routines": routines,
        "programs": packed_programs,
        "requires": collected.requires,
        "files": [
            {"path": name, "sha256": sha256(data), "size": len(data)}
            for name, data in sorted(members.items())
        ],
    }
    check_limits((name, len(data)) for name, data in members.items())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        _add(zf, MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8"))
        for name, data in sorted(members.items()):
            _add(zf, name, data)
    return buffer.getvalue(), manifest


def _add(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    # a fixed time makes the same routines give the same pack, byte for byte
    info = zipfile.ZipInfo(name, _FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    zf.writestr(info, data)


# -- reading what is to be installed -------------------------------------------


def _limit_for(name: str) -> int:
    return MAX_ROUTINE_BYTES if name.lower().endswith(ROUTINE_SUFFIXES) else MAX_MEDIA_BYTES


def _size_words(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MiB"


def check_name(source: str, name: str) -> str:
    """A member's name, checked: relative, inside, plain (returns it normalised).

    Raises:
        PackError: for an absolute path, a drive, ``..``, a backslash or an empty part.
    """
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in name):
        # refused before any message prints it raw: no terminal control sequences
        raise PackError(
            f"{source}: {name!r}: a name with control characters; refused, nothing written"
        )
    if "\\" in name:
        raise PackError(f"{source}: {name!r}: a name with a backslash; refused, nothing written")
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        raise PackError(f"{source}: {name!r}: an absolute path; refused, nothing written")
    parts = [p for p in PurePosixPath(name).parts if p != "."]
    if ".." in parts:
        raise PackError(
            f"{source}: {name!r} would be written outside the routine folder; "
            "refused, nothing written"
        )
    if not parts:
        raise PackError(f"{source}: an empty member name; refused, nothing written")
    return "/".join(parts)


def check_limits(sizes: Iterable[tuple[str, int]], source: str = "the pack") -> None:
    """Refuse too many files, a file too large for its kind, or too much in all.

    Raises:
        PackError: naming the limit broken.
    """
    total = 0
    for count, (name, size) in enumerate(sizes, start=1):
        if count > MAX_MEMBERS:
            raise PackError(f"{source}: more than {MAX_MEMBERS} files; refused, nothing written")
        limit = _limit_for(name)
        if size > limit:
            what = "a routine file" if limit == MAX_ROUTINE_BYTES else "a sound or picture"
            raise PackError(
                f"{source}: {name}: {what} larger than {_size_words(limit)}; "
                "refused, nothing written"
            )
        total += size
        if total > MAX_TOTAL_BYTES:
            raise PackError(
                f"{source}: more than {_size_words(MAX_TOTAL_BYTES)} in all; "
                "refused, nothing written"
            )


def _wanted(name: str) -> bool:
    low = name.lower()
    return low == MANIFEST or low.endswith(ROUTINE_SUFFIXES) or low.endswith(MEDIA_SUFFIXES)


def read_zip(path: Path) -> dict[str, bytes]:
    """The members of a pack, checked before any is used.

    Raises:
        PackError: for an unreadable zip, a bad name, a link, or a broken limit.
    """
    source = str(path)
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as err:
        raise PackError(f"{source}: not a pack (a zip file) this can read: {err}") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS + 1:
            raise PackError(f"{source}: more than {MAX_MEMBERS} files; refused, nothing written")
        chosen: list[tuple[str, zipfile.ZipInfo]] = []
        for info in infos:
            name = check_name(source, info.filename)
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise PackError(f"{source}: {name!r} is a symbolic link; refused, nothing written")
            if info.is_dir() or name.startswith(_JUNK) or name.endswith(_JUNK[1]):
                continue
            if any(part.startswith(".") for part in name.split("/")):
                raise PackError(f"{source}: {name!r}: a hidden file; refused, nothing written")
            if not _wanted(name):
                raise PackError(
                    f"{source}: {name!r}: a pack holds routines (.yaml), sounds (.wav) and "
                    "pictures (.png, .jpg, .svg) only; refused, nothing written"
                )
            chosen.append((name, info))
        check_limits(((n, i.file_size) for n, i in chosen), source)
        out: dict[str, bytes] = {}
        total = 0
        for name, info in chosen:
            if name in out:
                raise PackError(f"{source}: {name!r} is in the pack twice; refused")
            limit = _limit_for(name)
            try:
                with zf.open(info) as fh:
                    data = fh.read(limit + 1)  # the header's size may lie: read no more
            except (OSError, zipfile.BadZipFile, RuntimeError, EOFError) as err:
                raise PackError(f"{source}: {name}: cannot be read: {err}") from None
            total += len(data)
            check_limits([(name, len(data))], source)
            if total > MAX_TOTAL_BYTES:
                check_limits([("total", MAX_TOTAL_BYTES + 1)], source)
            out[name] = data
    return out


def read_folder(folder: Path) -> dict[str, bytes]:
    """The routines, sounds and pictures of a folder (hidden ones left out), checked.

    Raises:
        PackError: for a symbolic link or a broken limit.
    """
    sizes: list[tuple[str, Path]] = []
    for root, dirs, files in os.walk(folder):
        base = Path(root)
        for name in [*dirs, *files]:
            if (base / name).is_symlink():
                raise PackError(
                    f"{base / name}: a symbolic link; copy the file itself. Nothing written"
                )
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or not _wanted(name):
                continue
            sizes.append(((base / name).relative_to(folder).as_posix(), base / name))
    check_limits(((n, p.stat().st_size) for n, p in sizes), str(folder))
    return {name: path.read_bytes() for name, path in sizes}


def read_routine_file(path: Path) -> dict[str, bytes]:
    """One routine (or program) file with the files it needs beside it (its path includes,
    sounds, pictures; a program's routines named by path, with theirs).

    Raises:
        RoutineError: if the file is not a valid routine on its own.
        PackError: for a file that resolves outside its folder, or a broken limit.
    """
    if path.is_symlink():
        raise PackError(f"{path}: a symbolic link; give the file itself. Nothing written")
    found = load_file(path)
    if isinstance(found, Program):
        collected = collect(Library([]), [], [ProgramEntry(path, str(path), "file", found)])
    else:
        collected = collect(Library([]), [Entry(path, str(path), "file", found)])
    root = path.resolve().parent
    files = collected.roots[root]
    check_limits(((f.name, f.stat().st_size) for f in files), str(path))
    return {f.relative_to(root).as_posix(): f.read_bytes() for f in files}


def check_manifest(source: str, members: dict[str, bytes]) -> dict[str, Any] | None:
    """The pack's manifest, checked against its files (``None`` when there is none).

    Raises:
        PackError: for a manifest that cannot be read, a newer pack format, or a
            file missing, extra, or with another checksum.
    """
    raw = members.pop(MANIFEST, None)
    if raw is None:
        return None
    try:
        manifest = json.loads(raw.decode("utf-8"))
        files = {f["path"]: f["sha256"] for f in manifest["files"]}
        version = manifest.get("stretch_coach_pack", 1)
    except (ValueError, KeyError, TypeError, AttributeError):
        raise PackError(f"{source}: {MANIFEST} is damaged; ask for the pack again") from None
    if not isinstance(version, int) or version > PACK_FORMAT:
        raise PackError(
            f"{source}: made by a newer stretch-coach (pack format {version}); "
            "update stretch-coach to install it"
        )
    for name in sorted(set(files) | set(members)):
        if name not in members:
            raise PackError(f"{source}: {name!r} is listed in {MANIFEST} but missing; refused")
        if name not in files:
            raise PackError(f"{source}: {name!r} is not listed in {MANIFEST}; refused")
        if sha256(members[name]) != files[name]:
            raise PackError(
                f"{source}: {name} does not match its checksum (damaged?); "
                "ask for the pack again. Nothing written"
            )
    return dict(manifest)


# -- install -------------------------------------------------------------------


@dataclass
class Plan:
    """What an install will do, worked out before anything is written."""

    folder: Path  #: where the files go
    members: dict[str, bytes]
    entries: list[Entry]  #: the routines added, as read from a scratch copy
    replaced: list[Entry | ProgramEntry]  #: the user's files they replace (``--replace``)
    replace_folder: bool  #: the target folder is an earlier install of the same pack
    mains: list[str]  #: the ids to play (a pack's main routines, not those they include)
    programs: list[ProgramEntry] = field(default_factory=list)  #: the programs added


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "pack"


def _pack_name(source: Path, manifest: dict[str, Any] | None, members: dict[str, bytes]) -> str:
    if manifest:
        named = [p.get("id") for p in _listed(manifest, "programs")]
        named += [r.get("id") for r in _listed(manifest, "routines") if r.get("main")]
        if named and isinstance(named[0], str):
            return _slug(named[0])
    return _slug(source.stem if source.is_file() else source.name)


def _listed(manifest: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """The manifest's list under ``key`` (``routines``, ``programs``): its mappings only."""
    found = manifest.get(key)
    return [item for item in found if isinstance(item, dict)] if isinstance(found, list) else []


def plan_install(
    source: Path, extra: Sequence[str] = (), replace: bool = False
) -> tuple[Plan, Library]:
    """Read and check ``source`` (a pack, a routine file or a folder) against the user's library.

    Raises:
        PackError: for anything refused, before anything is written.
        RoutineError: for routines that are not valid (every problem, located).
    """
    if not source.exists():
        raise PackError(f"{source}: no such file or folder")
    manifest = None
    if source.is_dir():
        members = read_folder(source)
        manifest = check_manifest(str(source), members)
    elif source.suffix.lower() == ".zip":
        members = read_zip(source)
        manifest = check_manifest(str(source), members)
    elif source.suffix.lower() in ROUTINE_SUFFIXES:
        members = read_routine_file(source)
    else:
        raise PackError(f"{source}: install a pack (.zip), a routine file (.yaml) or a folder")
    if not any(n.lower().endswith(ROUTINE_SUFFIXES) for n in members):
        raise PackError(f"{source}: no routine or program files in it; nothing to install")
    library = default_library(extra)
    user_dir = paths.user_routines_dir()
    target = user_dir / _pack_name(source, manifest, members)

    scratch = Path(tempfile.mkdtemp(prefix="stretch-coach-install-"))
    try:
        _write_members(scratch, members)
        entries, programs = _read_scratch(scratch, source, members, library)
        replaced: list[Entry | ProgramEntry] = []
        adding: list[Entry | ProgramEntry] = [*entries, *programs]
        for entry in adding:
            taken: Entry | ProgramEntry | None = (
                library.get(entry.id) if isinstance(entry, Entry) else library.get_program(entry.id)
            )
            if taken is None or (isinstance(taken, Entry) and taken.routine is None):
                continue
            what = "routine" if isinstance(entry, Entry) else "program"
            if taken.origin == "bundled":
                raise PackError(
                    f"{entry.shown}: id {entry.id!r} is a {what} that comes with stretch-coach; "
                    f"give the {what} another id. Nothing written"
                )
            if taken.origin != "user":
                raise PackError(
                    f"{entry.shown}: id {entry.id!r} is already used by {taken.shown}; "
                    f"give the {what} another id. Nothing written"
                )
            if not replace:
                raise PackError(
                    f"{entry.shown}: id {entry.id!r} is already yours ({taken.shown}); "
                    "add --replace to replace it. Nothing written"
                )
            replaced.append(taken)
        replace_folder = False
        if target.exists():
            in_target = [
                e
                for e in library.all_entries()
                if e.path.resolve().is_relative_to(target.resolve())
            ]
            replaced_paths = {e.path.resolve() for e in replaced}
            if replace and all(e.path.resolve() in replaced_paths for e in in_target):
                replace_folder = True
            else:
                target = _free_name(target)
        mains = _mains(entries)
        if manifest:
            named = [r.get("id") for r in _listed(manifest, "routines") if r.get("main")]
            mains = [i for i in mains if i in named] or mains
        elif source.suffix.lower() in ROUTINE_SUFFIXES:
            mains = [e.id for e in entries if e.path.name == source.name][:1] or mains
        return Plan(target, members, entries, replaced, replace_folder, mains, programs), library
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _mains(entries: Sequence[Entry]) -> list[str]:
    """The ids of the routines no other of ``entries`` includes (all, if each is included)."""
    ids: set[str] = set()
    files: set[Path] = set()
    for entry in entries:
        assert entry.routine is not None
        for step in entry.routine.steps:
            if isinstance(step, Include):
                if _is_path_include(step.target):
                    files.add((entry.path.parent / step.target).resolve())
                else:
                    ids.add(step.target)
    out = [e.id for e in entries if e.id not in ids and e.path.resolve() not in files]
    return out or [e.id for e in entries]


def _free_name(target: Path) -> Path:
    n = 2
    while (candidate := target.with_name(f"{target.name}-{n}")).exists():
        n += 1
    return candidate


def _write_members(folder: Path, members: dict[str, bytes]) -> None:
    for name, data in members.items():
        dest = folder.joinpath(*name.split("/"))
        # check_name already refused '..' and absolute names; this is the last guard
        if not dest.resolve().is_relative_to(folder.resolve()):
            raise PackError(f"{name!r} would be written outside the routine folder; refused")
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open(dest, "xb") as fh:
                fh.write(data)
        except FileExistsError:
            # two names for one file on this computer (A.yaml and a.yaml, say)
            raise PackError(f"{name!r} is in the pack twice; refused, nothing written") from None


def _read_scratch(
    scratch: Path, source: Path, members: dict[str, bytes], library: Library
) -> tuple[list[Entry], list[ProgramEntry]]:
    """Read the routines and programs of a scratch copy as the library will, named as in
    the source (a program's stages found among the pack's routines, then the library's)."""
    found: list[Entry | ProgramEntry] = []
    for name in sorted(members):
        if not name.lower().endswith(ROUTINE_SUFFIXES):
            continue
        path = scratch.joinpath(*name.split("/"))
        single = source.suffix.lower() in ROUTINE_SUFFIXES and name == source.name
        found.append(read_file(path, "user", str(source) if single else f"{source}:{name}"))
    problems = [p for entry in found for p in entry.problems]
    if problems:
        raise RoutineError(problems)
    checked = Library(found, fallback=library)
    for entry in checked.all_entries():
        problems.extend(entry.problems)
    if problems:
        raise RoutineError(problems)
    return list(checked.entries), list(checked.programs)


def _stamp() -> str:
    return time.strftime("%Y%m%d-%H%M%S")


def removed_dir() -> Path:
    """Where replaced and uninstalled routines are kept (nothing is deleted)."""
    return paths.data_dir() / "removed" / _stamp()


def _keep(path: Path, into: Path) -> Path:
    """Move ``path`` (under the user's routine folder) into ``into``, keeping its place."""
    user = paths.user_routines_dir().resolve()
    resolved = path.resolve()
    rel = resolved.relative_to(user) if resolved.is_relative_to(user) else Path(path.name)
    dest = into / rel
    if dest.exists():
        dest = _free_name(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(path), str(dest))
    return dest


def install(plan: Plan) -> Path | None:
    """Write a checked plan into the user's routine folder; return where replaced files went.

    The files are written into a hidden folder beside the target (which the
    library does not read) and renamed into place at once.
    """
    user_dir = paths.ensure_dir(paths.user_routines_dir())
    staging = Path(tempfile.mkdtemp(prefix=".installing-", dir=user_dir))
    try:
        _write_members(staging, plan.members)
        kept: Path | None = None
        if plan.replaced or plan.replace_folder:
            kept = removed_dir()
            if plan.replace_folder:
                _keep(plan.folder, kept)
            for entry in plan.replaced:
                if entry.path.exists():
                    _keep(entry.path, kept)
        plan.folder.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging, plan.folder)
        return kept
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


# -- uninstall -----------------------------------------------------------------


def includers(library: Library, entry: Entry) -> list[Entry | ProgramEntry]:
    """The user's other routines that include ``entry``, and programs whose stages name it
    (by id, or by path to its file)."""
    target = entry.path.resolve()

    def names_it(where: Path, ref: str) -> bool:
        if _is_path_include(ref):
            return (where.parent / ref).resolve() == target
        return ref == entry.id

    out: list[Entry | ProgramEntry] = []
    for other in library.entries:
        if other is entry or other.routine is None or other.origin != "user":
            continue
        steps = [s for s in other.routine.steps if isinstance(s, Include)]
        if any(names_it(other.path, step.target) for step in steps):
            out.append(other)
    for program in library.programs:
        if program.program is None or program.origin != "user":
            continue
        if any(names_it(program.path, stage.routine) for stage in program.program.stages):
            out.append(program)
    return out


def uninstall(routine_id: str, extra: Sequence[str] = ()) -> tuple[Entry | ProgramEntry, Path]:
    """Move one of the user's routines (or programs) out of the library; return it and
    where it went.

    A pack's folder goes with its last routine (its sounds and pictures too):
    then where it went is that folder, the routine inside it; else, the
    routine's file.

    Raises:
        PackError: for an id that is not the user's, or that another routine includes.
    """
    library = default_library(extra)
    entry: Entry | ProgramEntry | None = library.get(routine_id) or library.get_program(routine_id)
    if entry is None:
        raise PackError(
            f"no routine or program {routine_id!r} in the library; 'stretch-coach list' shows them"
        )
    if entry.origin == "bundled":
        raise PackError(f"{routine_id!r} comes with stretch-coach and cannot be uninstalled")
    user = paths.user_routines_dir().resolve()
    if entry.origin != "user" or not entry.path.resolve().is_relative_to(user):
        raise PackError(f"{routine_id!r} ({entry.shown}) is not in your routine folder {user}")
    by = includers(library, entry) if isinstance(entry, Entry) else []
    if by:
        names = ", ".join(f"{e.id} ({e.shown})" for e in by)
        raise PackError(f"{routine_id!r} is used by {names}; uninstall that first")
    kept = removed_dir()
    path = entry.path.resolve()
    if path.parent != user:
        # The last routine of an installed pack: its folder (sounds, pictures) goes
        # with it, in one move, so that everything is in the one place named.
        top = user / path.parent.relative_to(user).parts[0]
        from stretch_coach.routine.folders import routine_files

        if all(other.resolve() == path for other in routine_files(top)):
            return entry, _keep(top, kept)
    return entry, _keep(entry.path, kept)
