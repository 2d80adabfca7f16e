"""User settings and the small bits of state the coach remembers. No Textual here.

Settings live in ``config_dir()/settings.toml``: a flat TOML table written by
the coach and readable (and editable) by people::

    audio = "auto"        # auto | playsound3 | bell | none
    voice = true
    prepare = 5           # seconds; leave it out to use each routine's own
    theme = "bedtime"     # bedtime | dark | light | high-contrast

A file that cannot be read, or holds a value that makes no sense, never stops
the coach: :func:`load_settings` returns the defaults (keeping the values that
did make sense) and a one-line warning to show. That includes a file nested
too deeply for the TOML reader, one over :data:`MAX_SETTINGS_BYTES`, and a
FIFO, device or socket in its place, which is never opened (reading one
could block for ever). Such a file is never overwritten
silently: the first :func:`save_settings` after a bad load moves it aside to
``settings.toml.broken-YYYYmmdd-HHMMSS`` and returns a note saying so, so the
person's edits are still there to copy back.

Which routines' cautions the user has already read is remembered in
``data_dir()/cautions.json`` (routine id -> hash of its caution text), so a
routine's caution is shown before its first session, and again whenever the
caution text changes.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from pathlib import Path
from typing import Any

from stretch_coach import paths

SETTINGS_FILE = "settings.toml"
CAUTIONS_FILE = "cautions.json"
#: The day the coach last asked "Any cramps last night?" at its first start.
ASKED_FILE = "checkin-asked.json"

AUDIO_CHOICES: tuple[str, ...] = ("auto", "playsound3", "bell", "none")
THEME_CHOICES: tuple[str, ...] = ("bedtime", "dark", "light", "high-contrast")
#: How the command line, the saved settings and the defaults combine, everywhere.
PRECEDENCE = (
    "The command line beats the saved settings (the coach's Settings screen, kept in "
    "settings.toml), which beat the defaults."
)
#: Longest prepare override, the same limit the routine format puts on pauses.
MAX_PREPARE = 3600.0
#: A settings file is a few lines; one bigger than this is not one (the routine files' limit).
MAX_SETTINGS_BYTES = 1 << 20
#: How much of a bad value a warning quotes.
QUOTE_CHARS = 40
#: More than any number of routines' cautions read could take (64 bytes or so each).
MAX_CAUTIONS_BYTES = 16 << 20


@dataclass(frozen=True)
class Settings:
    """What the user chose; every field has a sensible default.

    Attributes:
        audio: the audio backend: ``auto`` (a sound player, else the terminal
            bell), ``playsound3``, ``bell`` or ``none``.
        voice: speak step names and prompts where a speech engine exists.
        prepare: get-ready seconds before every timed step, overriding the
            routines' own; ``None`` keeps each routine's own prepare time.
        theme: ``bedtime`` (dim and warm), ``dark``, ``light`` or ``high-contrast``.
    """

    audio: str = "auto"
    voice: bool = True
    prepare: float | None = None
    theme: str = "bedtime"


@dataclass(frozen=True)
class SettingsFile:
    """Where settings were read from and whether the file there can be replaced.

    Attributes:
        path: the settings file.
        broken: the file exists but could not be used as a whole; the next save
            moves it aside instead of overwriting it.
    """

    path: Path
    broken: bool = False


def settings_path() -> Path:
    """The settings file (it may not exist)."""
    return paths.config_dir() / SETTINGS_FILE


def load_settings(path: Path | None = None) -> tuple[Settings, str | None]:
    """Read the settings, never failing.

    Args:
        path: the file to read (default: :func:`settings_path`).

    Returns:
        The settings and ``None``, or, when the file is unreadable or holds
        bad values, the usable settings (defaults where needed) and one
        warning that says what was wrong and what happens to the file.
    """
    settings, _, warning = _load(path or settings_path())
    return settings, warning


def open_settings(path: Path | None = None) -> tuple[Settings, SettingsFile, str | None]:
    """Like :func:`load_settings`, also returning the file to pass to :func:`save_settings`."""
    return _load(path or settings_path())


def _load(path: Path) -> tuple[Settings, SettingsFile, str | None]:
    def broken(what: str) -> tuple[Settings, SettingsFile, str]:
        return Settings(), SettingsFile(path, broken=True), _warn(path, what)

    try:
        raw = paths.read_regular_file(path, MAX_SETTINGS_BYTES + 1)
    except FileNotFoundError:
        return Settings(), SettingsFile(path), None
    except OSError as err:  # a folder, a FIFO or a device, unreadable...
        return broken(err.strerror or str(err))
    if len(raw) > MAX_SETTINGS_BYTES:
        return broken(f"it is larger than {MAX_SETTINGS_BYTES // (1 << 20)} MiB")
    import tomllib  # only when there is a file: the coach's start-up is measured

    try:
        data = tomllib.loads(raw.decode("utf-8"))
        settings, problems = settings_from_mapping(data)
    except UnicodeDecodeError:
        return broken("it is not UTF-8 text")
    except tomllib.TOMLDecodeError as err:
        return broken(str(err))
    except ValueError:  # a number of thousands of digits: Python will not convert it
        return broken("it holds a number too long to read")
    except RecursionError:  # tables or lists nested hundreds deep
        return broken("it is nested too deeply to read")
    if problems:
        return settings, SettingsFile(path, broken=True), _warn(path, "; ".join(problems))
    return settings, SettingsFile(path), None


def _warn(path: Path, what: str) -> str:
    return (
        f"Could not use {path}: {what}. Using the defaults for what could not be read; "
        "the file is kept as it is, and saving settings will move it aside first."
    )


def settings_from_mapping(data: dict[str, Any]) -> tuple[Settings, list[str]]:
    """Settings from parsed TOML, keeping the good values and naming the bad ones."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    known = {f.name for f in fields(Settings)}
    for key, value in data.items():
        if key not in known:
            problems.append(f"unknown setting {_quote(key)} (known: {', '.join(sorted(known))})")
            continue
        try:
            values[key] = _check(key, value)
        except ValueError as err:
            problems.append(f"{key}: {err}")
    return Settings(**values), problems


def _quote(value: Any) -> str:
    """A bad value as a warning quotes it: short, on one line, never a table's insides.

    ``repr`` of a table nested thousands deep (dotted keys make one without
    any recursion in the reader) would itself overflow the stack.
    """
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**QUOTE_CHARS:
        return "a number that long"
    text = repr(value)
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "…"


def _check(key: str, value: Any) -> Any:
    if key == "audio":
        if value not in AUDIO_CHOICES:
            raise ValueError(f"{_quote(value)} is not one of {', '.join(AUDIO_CHOICES)}")
        return value
    if key == "theme":
        if value not in THEME_CHOICES:
            raise ValueError(f"{_quote(value)} is not one of {', '.join(THEME_CHOICES)}")
        return value
    if key == "voice":
        if not isinstance(value, bool):
            raise ValueError(f"{_quote(value)} is not true or false")
        return value
    if key == "prepare":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{_quote(value)} is not a number of seconds")
        # NaN and the infinities fail the comparison too; math.isfinite would
        # raise OverflowError for an int too big for a float.
        if not 0 <= value <= MAX_PREPARE:
            raise ValueError(f"{_quote(value)} is not between 0 and {MAX_PREPARE:g} seconds")
        return float(value)
    raise ValueError("unknown setting")  # pragma: no cover - guarded by the caller


def to_toml(settings: Settings) -> str:
    """The settings as the flat TOML file the coach writes."""
    lines = [
        "# stretch-coach settings; the coach rewrites this file when you change settings.",
        f"audio = {_toml_string(settings.audio)}  # auto | playsound3 | bell | none",
        f"voice = {'true' if settings.voice else 'false'}",
    ]
    if settings.prepare is None:
        lines.append("# prepare = 5  # seconds before every timed step; unset: each routine's own")
    else:
        lines.append(f"prepare = {settings.prepare:g}  # seconds before every timed step")
    lines.append(
        f"theme = {_toml_string(settings.theme)}  # bedtime | dark | light | high-contrast"
    )
    return "\n".join(lines) + "\n"


def _toml_string(text: str) -> str:
    # json's escapes are a subset of TOML basic strings' escapes.
    return json.dumps(text, ensure_ascii=False)


def save_settings(
    settings: Settings, file: SettingsFile | None = None
) -> tuple[SettingsFile, str | None]:
    """Write the settings atomically (a temporary file, then a rename).

    Args:
        settings: what to write.
        file: where, as :func:`open_settings` returned it (default: the usual
            place, not known to be broken).

    Returns:
        The file as it now stands (no longer broken) and, if a broken file was
        moved aside first, a note naming where it went.

    Raises:
        OSError: if the folder or the file cannot be written.
    """
    file = file or SettingsFile(settings_path())
    path = file.path
    import time

    paths.ensure_dir(path.parent)
    note = None
    if file.broken and path.exists():
        aside = path.with_name(f"{path.name}.broken-{time.strftime('%Y%m%d-%H%M%S')}")
        os.replace(path, aside)
        note = f"Your old settings file could not be read; it is kept as {aside}"
    atomic_write(path, to_toml(settings))
    return replace(file, broken=False), note


def atomic_write(path: Path, text: str, *, newline: str | None = None) -> None:
    """Replace ``path`` with ``text`` so a reader sees the old file or the new, never half.

    The file is readable by the user only (``0600``). ``newline`` is :func:`open`'s:
    ``""`` writes line endings exactly as ``text`` has them (CSV's ``\\r\\n``).
    """
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


# -- cautions already read ---------------------------------------------------


def caution_hash(caution: Sequence[str]) -> str:
    """A short fingerprint of a caution text, so a changed caution is shown again."""
    import hashlib

    return hashlib.sha256("\n".join(caution).encode("utf-8")).hexdigest()[:16]


class CautionLog:
    """Which routines' cautions the user has read and accepted.

    Args:
        path: the JSON file (default: ``data_dir()/cautions.json``). A missing
            or unreadable file counts as "nothing read yet": the worst that
            happens is that a caution is shown once more.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or paths.data_dir() / CAUTIONS_FILE

    def _read(self) -> dict[str, str]:
        try:
            # Only a regular file is read (a FIFO here would block the coach for ever).
            raw = paths.read_regular_file(self.path, MAX_CAUTIONS_BYTES)
            data = json.loads(raw.decode("utf-8"))
        except (OSError, ValueError, RecursionError):  # RecursionError: absurdly deep nesting
            return {}
        if not isinstance(data, dict):
            return {}
        return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}

    def needs_showing(self, routine_id: str, caution: Sequence[str]) -> bool:
        """Whether this caution should be shown before the routine starts."""
        if not caution:
            return False
        return self._read().get(routine_id) != caution_hash(caution)

    def acknowledge(self, routine_id: str, caution: Sequence[str]) -> None:
        """Remember that the user read this caution (failing quietly on a read-only disk)."""
        data = self._read()
        data[routine_id] = caution_hash(caution)
        try:
            paths.ensure_dir(self.path.parent)
            atomic_write(self.path, json.dumps(data, indent=1, sort_keys=True) + "\n")
        except OSError:
            pass  # the caution will simply be shown again next time


# -- the morning check-in, asked once a day ------------------------------------------


class MorningAsk:
    """The day the coach last asked about last night at its first start.

    Args:
        path: the JSON file (default: ``data_dir()/checkin-asked.json``). A
            missing or damaged file counts as "not asked today": the worst that
            happens is that the question comes once more; it never stops the coach.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or paths.data_dir() / ASKED_FILE

    def asked_on(self, day: date) -> bool:
        """Whether the question was already asked on ``day``."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            return False
        return isinstance(data, dict) and data.get("last_asked") == day.isoformat()

    def mark(self, day: date) -> None:
        """Keep ``day`` as asked (written atomically; failing quietly on a read-only disk)."""
        try:
            paths.ensure_dir(self.path.parent)
            atomic_write(self.path, json.dumps({"last_asked": day.isoformat()}) + "\n")
        except OSError:
            pass  # the question may simply come once more
