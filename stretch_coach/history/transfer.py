"""Export and import: the whole history as one JSON file, to carry to another machine.

The file holds a format name and version, every session with its steps,
every diary entry (deleted ones marked, so a deletion travels too) and, from
version 2, every morning check-in (``"checkins"``, undone ones marked).
Version-1 files (without check-ins) still import. Records
keep their UUIDs, so importing the same file twice adds nothing twice (see
:meth:`HistoryStore.merge` for which copy wins when both machines have one).

Both directions stream: an export is written one record at a time, and an
import is read one record at a time (:func:`iter_file`), so years of history
never sit in memory whole. An import file is checked completely before
anything is written (:func:`check_file`, a first pass), then merged in one
transaction (a second pass): it is imported whole or not at all. The first
problem is reported with where it is (``cramps[3].severity: ...``), by the
same rules ``diary add`` applies (:mod:`stretch_coach.history.diary`,
:func:`stretch_coach.history.times.check_moment`).
"""

from __future__ import annotations

import json
import uuid as uuidlib
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple, TextIO

from stretch_coach import __version__
from stretch_coach.errors import UserError
from stretch_coach.history import diary, times
from stretch_coach.history.errors import EntryError
from stretch_coach.history.model import ENDINGS, Cramp, Status
from stretch_coach.history.nights import ANSWERS
from stretch_coach.history.store import HistoryStore
from stretch_coach.history.trial import MAX_SEED, MAX_WEEKS, trial_nights

FORMAT_NAME = "stretch-coach-history"
FORMAT_VERSION = 2
_STATUSES: tuple[Status, ...] = ("in_progress", *ENDINGS)
#: The largest step number a routine can have, as the history stores it.
MAX_STEP_INDEX = 2**31 - 1
#: Longer numbers are not ours (and Python refuses to read 4,300 digits or more).
_MAX_DIGITS = 30
#: How much of the file is read at a time.
_CHUNK = 1 << 20


def export_document(store: HistoryStore) -> dict[str, Any]:
    """The export file's JSON object, in memory (:func:`write_export` streams it)."""
    return {**_export_header(), **store.export_records()}


def _export_header() -> dict[str, Any]:
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "exported_at": times.now().isoformat(timespec="seconds"),
        "exported_by": f"stretch-coach {__version__}",
    }


class ExportCounts(NamedTuple):
    """What an export holds, as the user counts it."""

    sessions: int
    #: Diary entries not deleted.
    cramps: int
    #: Check-ins not taken back.
    checkins: int
    #: Deleted diary entries and check-ins taken back: they travel, so that a
    #: merge deletes them there too, but they are no entries.
    deletions: int


def write_export(store: HistoryStore, out: TextIO) -> ExportCounts:
    """Write the export file to ``out`` one record at a time, laid out as ``json.dumps(indent=2)``.

    Returns:
        How many sessions, diary entries and check-ins were written (those the
        user sees), and apart, how many deletions.
    """
    out.write("{\n")
    for key, value in _export_header().items():
        out.write(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},\n")
    sessions, _ = _write_list(out, "sessions", store.iter_export_sessions())
    out.write(",\n")
    cramps, deleted_cramps = _write_list(out, "cramps", store.iter_export_cramps())
    out.write(",\n")
    checkins, undone = _write_list(out, "checkins", store.iter_export_checkins())
    out.write(",\n")
    # The programs followed (issue 14): a list of its own, which an older
    # stretch-coach reads past as an unknown key.
    _write_list(out, "follows", store.iter_export_follows())
    out.write(",\n")
    # Personal trials (issue 15): likewise a list of its own.
    _write_list(out, "trials", store.iter_export_trials())
    out.write("\n}\n")
    return ExportCounts(
        sessions, cramps - deleted_cramps, checkins - undone, deleted_cramps + undone
    )


def _write_list(out: TextIO, key: str, records: Iterator[dict[str, Any]]) -> tuple[int, int]:
    """Write one list; return how many records it holds, and how many of them are deletions."""
    out.write(f'  "{key}": [')
    count = deleted = 0
    for record in records:
        text = json.dumps(record, indent=2, ensure_ascii=False).replace("\n", "\n    ")
        out.write(("\n    " if count == 0 else ",\n    ") + text)
        count += 1
        deleted += record.get("deleted_at") is not None
    out.write("\n  ]" if count else "]")
    return count, deleted


Records = tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]


def parse_document(text: str, source: str) -> Records:
    """Read and check an export file's text, before anything is written.

    Args:
        text: the file's contents.
        source: the file's name, for messages.

    Returns:
        Its sessions, diary entries and check-ins, ready for :meth:`HistoryStore.merge`.

    Raises:
        UserError: if the file is not a valid export.
    """
    import io

    found: dict[str, list[dict[str, Any]]] = {
        "session": [],
        "cramp": [],
        "checkin": [],
        "follow": [],  # programs followed: merged from the file (iter_file), not here
        "trial": [],  # likewise, personal trials
    }
    for kind, record in _records(io.StringIO(text), source):
        found[kind].append(record)
    return found["session"], found["cramp"], found["checkin"]


def check_document(document: object, source: str) -> Records:
    """Check an export's JSON object; return its records ready for merging.

    Raises:
        UserError: naming the first problem and where it is.
    """
    return parse_document(json.dumps(document), source)


def check_file(path: Path) -> tuple[int, int, int]:
    """Check a whole import file, one record at a time, before anything is written.

    Returns:
        How many sessions, diary entries and check-ins it holds.

    Raises:
        UserError: naming the first problem and where it is.
    """
    counts = {"session": 0, "cramp": 0, "checkin": 0, "follow": 0, "trial": 0}
    for kind, _ in iter_file(path):
        counts[kind] += 1
    return counts["session"], counts["cramp"], counts["checkin"]


def iter_file(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """The checked records of an import file, one at a time:
    ``("session" | "cramp" | "checkin", record)``.

    A UTF-8 byte order mark at the start is accepted.

    Raises:
        UserError: naming the first problem and where it is (records before it
            have already been given: merge them in a transaction).
    """
    try:
        file = path.open(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UserError(
            f"{path}: no such file; give the file `stretch-coach export` wrote"
        ) from None
    except OSError as err:
        raise UserError(f"{path}: cannot read it ({err.strerror})") from None
    with file:
        try:
            yield from _records(file, str(path))
        except UnicodeDecodeError:
            raise UserError(
                f"{path}: not a text file; give a file made by `stretch-coach export`"
            ) from None
        except OSError as err:
            raise UserError(f"{path}: cannot read it ({err.strerror})") from None


def read_file(path: Path) -> str:
    """The text of an import file, or a one-line error."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UserError(
            f"{path}: no such file; give the file `stretch-coach export` wrote"
        ) from None
    except UnicodeDecodeError:
        raise UserError(
            f"{path}: not a text file; give a file made by `stretch-coach export`"
        ) from None
    except OSError as err:
        raise UserError(f"{path}: cannot read it ({err.strerror})") from None


# -- reading the file a record at a time ------------------------------------------------


class _NumberTooLong(Exception):
    """A number with more digits than any the export writes, or one JSON does not allow."""


def _whole_number(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_DIGITS:
        raise _NumberTooLong(f"a number of {len(text.lstrip('-'))} digits is too long")
    return int(text)


def _decimal(text: str) -> float:
    if len(text) > _MAX_DIGITS + 10:
        raise _NumberTooLong(f"a number of {len(text)} characters is too long")
    return float(text)


def _no_constant(name: str) -> object:
    raise _NumberTooLong(f"{name} is not a number JSON allows")


_DECODER = json.JSONDecoder(
    parse_int=_whole_number, parse_float=_decimal, parse_constant=_no_constant
)


class _Reader:
    """JSON values read one at a time from a file, with where each problem is."""

    def __init__(self, file: TextIO, source: str) -> None:
        self._file = file
        self.source = source
        self._buf = ""
        self._pos = 0
        self._eof = False
        self._line = 1  # the line the buffer's first character is on
        self._line_start = 0  # where that line starts, relative to the buffer (may be < 0)

    def _more(self) -> bool:
        if self._eof:
            return False
        chunk = self._file.read(max(_CHUNK, len(self._buf) - self._pos))
        if not chunk:
            self._eof = True
            return False
        # Drop what has been read, keeping count of its lines for messages.
        done = self._buf[: self._pos]
        lines = done.count("\n")
        if lines:
            self._line += lines
            self._line_start = done.rfind("\n") + 1 - self._pos
        else:
            self._line_start -= self._pos
        self._buf = self._buf[self._pos :] + chunk
        self._pos = 0
        return True

    def where(self, pos: int | None = None) -> str:
        pos = self._pos if pos is None else pos
        before = self._buf[:pos]
        lines = before.count("\n")
        column = pos - (before.rfind("\n") + 1) if lines else pos - self._line_start
        return f"line {self._line + lines}, column {column + 1}"

    def invalid(self, what: str, pos: int | None = None) -> UserError:
        return UserError(
            f"{self.source}: not valid JSON ({self.where(pos)}: {what}); "
            "give a file made by `stretch-coach export`"
        )

    def peek(self) -> str:
        """The next character that is not white space ('' at the end)."""
        while True:
            while self._pos < len(self._buf) and self._buf[self._pos] in " \t\r\n":
                self._pos += 1
            if self._pos < len(self._buf):
                return self._buf[self._pos]
            if not self._more():
                return ""

    def expect(self, char: str, what: str) -> None:
        if self.peek() != char:
            raise self.invalid(f"Expecting {what}")
        self._pos += 1

    def value(self, where: str) -> Any:
        """The next JSON value, whole."""
        self.peek()
        while True:
            try:
                value, end = _DECODER.raw_decode(self._buf, self._pos)
            except json.JSONDecodeError as err:
                if self._more():
                    continue  # the value goes on past what was read
                raise self.invalid(err.msg, err.pos) from None
            except RecursionError:
                raise UserError(f"{self.source}: {where}: nested too deeply") from None
            except _NumberTooLong as err:
                raise UserError(f"{self.source}: {where}: {err}") from None
            if end == len(self._buf) and self._more():
                continue  # a number may go on past what was read
            self._pos = end
            return value


def _records(file: TextIO, source: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Read the top-level object by hand, decoding each record on its own."""
    reader = _Reader(file, source)
    if reader.peek() != "{":
        if reader.peek() == "":
            raise reader.invalid("Expecting value")
        raise UserError(
            f'{source}: not a stretch-coach export (no "format": "{FORMAT_NAME}"); '
            "give a file made by `stretch-coach export`"
        )
    reader.expect("{", "'{'")
    header: dict[str, Any] = {}
    first = True
    while reader.peek() != "}":
        if not first:
            reader.expect(",", "',' delimiter")
        first = False
        if reader.peek() != '"':
            raise reader.invalid("Expecting property name enclosed in double quotes")
        key = reader.value("a key")
        reader.expect(":", "':' delimiter")
        if key in _LISTS:
            _check_header(header, source)
            yield from _list(reader, key)
            header[key] = True
        else:
            header[key] = reader.value(key)
    reader.expect("}", "'}'")
    if reader.peek() != "":
        raise reader.invalid("Extra data")
    _check_header(header, source)


def _check_header(header: Mapping[str, Any], source: str) -> None:
    if header.get("format") != FORMAT_NAME:
        raise UserError(
            f'{source}: not a stretch-coach export (no "format": "{FORMAT_NAME}" before its '
            "records); give a file made by `stretch-coach export`"
        )
    version = header.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise UserError(f'{source}: "version" must be a whole number from 1')
    if version > FORMAT_VERSION:
        raise UserError(
            f"{source}: made by a newer stretch-coach (export version {version}; "
            f"this one reads up to {FORMAT_VERSION}); upgrade stretch-coach to import it"
        )


def _list(reader: _Reader, key: str) -> Iterator[tuple[str, dict[str, Any]]]:
    kind, check = _LISTS[key]
    if reader.peek() != "[":
        raise UserError(f'{reader.source}: "{key}" must be a list')
    reader.expect("[", "'['")
    index = 0
    while reader.peek() != "]":
        if index:
            reader.expect(",", "',' delimiter")
        where = f"{key}[{index}]"
        yield kind, _checked(reader.source, where, check, reader.value(where))
        index += 1
    reader.expect("]", "']'")


class _Bad(Exception):
    """A problem at a key inside one record."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key
        self.problem = problem

    def inside(self, where: str) -> _Bad:
        """The same problem, located inside ``where``: ``steps[0].name``, not ``steps[0]: name``."""
        return _Bad(f"{where}.{self.key}", self.problem)


def _checked(
    source: str, where: str, check: Callable[[Any], dict[str, Any]], item: Any
) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise UserError(f"{source}: {where}: expected an object")
    try:
        return check(item)
    except (_Bad, EntryError) as err:
        raise UserError(f"{source}: {where}.{err}") from None
    except RecursionError:
        raise UserError(f"{source}: {where}: nested too deeply") from None


def _session(item: Mapping[str, Any]) -> dict[str, Any]:
    status = item.get("status")
    if status not in _STATUSES:
        raise _Bad("status", f"{_short(status)} is not one of {', '.join(_STATUSES)}")
    steps = item.get("steps", [])
    if not isinstance(steps, list):
        raise _Bad("steps", "must be a list")
    started = _moment(item, "started_at")
    ended = _moment(item, "ended_at") if item.get("ended_at") is not None else None
    if ended is not None and ended < started:
        raise _Bad("ended_at", f"{item['ended_at']!r} is before the session started")
    checked_steps = [_step(i, step) for i, step in enumerate(steps)]
    planned_self_paced = item.get("planned_self_paced")
    if planned_self_paced is not None and (
        not isinstance(planned_self_paced, int)
        or isinstance(planned_self_paced, bool)
        or not 0 <= planned_self_paced <= MAX_STEP_INDEX
    ):
        raise _Bad("planned_self_paced", f"must be a whole number from 0 to {MAX_STEP_INDEX}")
    if planned_self_paced is None or any("kind" not in step for step in checked_steps):
        # Steps that do not all say their kind are judged as older records are: by
        # the share of steps done (see stats.stored_session_counts).
        planned_self_paced = None
        for step in checked_steps:
            step.pop("kind", None)
            step.pop("planned_seconds", None)
    program = item.get("program")
    if program is not None:
        program = _program_of(program)
    ratings = {key: _rating(item, key, 10) for key in ("effort", "pain")}
    return {
        **ratings,
        "reps_counted": _rating(item, "reps_counted", MAX_STEP_INDEX),
        "program": program,
        "planned_self_paced": planned_self_paced,
        "uuid": _uuid(item),
        "routine_id": _text(item, "routine_id"),
        "title": _text(item, "title"),
        "content_hash": _text(item, "content_hash"),
        "started_at": started,
        "ended_at": ended,
        "planned_seconds": _seconds(item, "planned_seconds"),
        "partial_seconds": _seconds(item, "partial_seconds", default=0.0),
        "status": status,
        "steps": checked_steps,
    }


def _program_of(item: object) -> tuple[str, int, int]:
    """A session's ``program``: ``{"id", "week", "stage"}`` (weeks and stages from 1)."""
    if not isinstance(item, dict):
        raise _Bad("program", "expected an object with id, week and stage")
    try:
        program_id = _text(item, "id")
        week, stage = (_count_from_one(item, key) for key in ("week", "stage"))
    except _Bad as err:
        raise err.inside("program") from None
    return program_id, week, stage


def _rating(item: Mapping[str, Any], key: str, top: int) -> int | None:
    """An optional whole number from 0 to ``top`` (a rating, or the reps counted)."""
    value = item.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= top:
        raise _Bad(key, f"must be a whole number from 0 to {top}")
    return value


def _count_from_one(item: Mapping[str, Any], key: str) -> int:
    value = item.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_STEP_INDEX:
        raise _Bad(key, f"must be a whole number from 1 to {MAX_STEP_INDEX}")
    return value


def _follow(item: Mapping[str, Any]) -> dict[str, Any]:
    """A followed program: its id, start day, and when the following changed."""
    start = item.get("start")
    try:
        start_day = date.fromisoformat(start) if isinstance(start, str) else None
    except ValueError:
        start_day = None
    if start_day is None or start_day.year < times.EARLIEST_YEAR:
        raise _Bad("start", f"{_short(start)} is not a day such as 2026-11-02")
    created = _moment(item, "created_at")
    updated = _moment(item, "updated_at")
    if updated < created:
        raise _Bad("updated_at", f"{item['updated_at']!r} is before it was made")
    return {
        "program_id": _text(item, "program"),
        "start": start_day,
        "created_at": created,
        "updated_at": updated,
        "deleted_at": _moment(item, "deleted_at") if item.get("deleted_at") is not None else None,
    }


def _step(index: int, item: object) -> dict[str, Any]:
    where = f"steps[{index}]"
    if not isinstance(item, dict):
        raise _Bad(where, "expected an object")
    outcome = item.get("outcome")
    if outcome not in ("done", "skipped"):
        raise _Bad(f"{where}.outcome", f"{_short(outcome)} is not done or skipped")
    step_index = item.get("step_index")
    if (
        not isinstance(step_index, int)
        or isinstance(step_index, bool)
        or not 0 <= step_index <= MAX_STEP_INDEX
    ):
        raise _Bad(f"{where}.step_index", f"must be a whole number from 0 to {MAX_STEP_INDEX}")
    try:
        step = {
            "step_index": step_index,
            "name": _text(item, "name"),
            "outcome": outcome,
            "seconds": _seconds(item, "seconds"),
            "at": _moment(item, "at"),
        }
        kind = item.get("kind")
        if kind is not None:
            if kind not in ("timed", "self_paced"):
                raise _Bad("kind", f"{_short(kind)} is not timed or self_paced")
            step["kind"] = kind
            if kind == "timed":
                step["planned_seconds"] = _seconds(item, "planned_seconds", default=0.0)
        return step
    except _Bad as err:
        raise err.inside(where) from None


def _cramp(item: Mapping[str, Any]) -> dict[str, Any]:
    def optional(key: str, parse: Callable[[Any], Any]) -> Any:
        value = item.get(key)
        return None if value is None else parse(value)

    symptoms = item.get("symptoms", [])
    if not isinstance(symptoms, list):
        raise _Bad("symptoms", "must be a list")
    cramp = Cramp(
        at=_moment(item, "at"),
        duration_seconds=optional("duration_seconds", diary.parse_cramp_duration),
        severity=optional("severity", diary.parse_severity),
        leg=optional("leg", lambda v: diary.parse_choice("leg", v, diary.LEGS)),
        muscle=optional("muscle", lambda v: diary.parse_choice("muscle", v, diary.MUSCLES)),
        woke=diary.parse_woke(item.get("woke", False)),
        symptoms=diary.parse_symptoms(symptoms),
        note=diary.parse_note(item.get("note")),
        uuid=_uuid(item),
    )
    created = _moment(item, "created_at")
    updated = _moment(item, "updated_at")
    if updated < created:
        raise _Bad("updated_at", f"{item['updated_at']!r} is before the entry was made")
    return {
        "cramp": cramp,
        "created_at": created,
        "updated_at": updated,
        "deleted_at": _moment(item, "deleted_at") if item.get("deleted_at") is not None else None,
    }


def _checkin(item: Mapping[str, Any]) -> dict[str, Any]:
    night = item.get("night")
    try:
        day = date.fromisoformat(night) if isinstance(night, str) and len(night) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise _Bad(
            "night", f"{_short(night)} is not a date such as 2024-05-01 (the evening's date)"
        )
    if day.year < times.EARLIEST_YEAR:
        raise _Bad("night", f"{night!r} is before {times.EARLIEST_YEAR}; check the year")
    if day >= times.now().date() + timedelta(days=1):
        raise _Bad("night", f"{night!r} is in the future")
    answer = item.get("answer")
    if answer not in ANSWERS:
        raise _Bad("answer", f"{_short(answer)} is not one of {', '.join(ANSWERS)}")
    created = _moment(item, "created_at")
    updated = _moment(item, "updated_at")
    if updated < created:
        raise _Bad("updated_at", f"{item['updated_at']!r} is before the check-in was made")
    return {
        "uuid": _uuid(item),
        "night": day,
        "answer": answer,
        "created_at": created,
        "updated_at": updated,
        "deleted_at": _moment(item, "deleted_at") if item.get("deleted_at") is not None else None,
    }


def _trial(item: Mapping[str, Any]) -> dict[str, Any]:
    """A personal trial: its seed, first night, length, and when it changed."""
    seed = item.get("seed")
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed <= MAX_SEED:
        raise _Bad("seed", f"must be a whole number from 0 to {MAX_SEED}")
    nights = item.get("nights")
    if (
        not isinstance(nights, int)
        or isinstance(nights, bool)
        or not 2 <= nights <= trial_nights(MAX_WEEKS)
        or nights % 2
    ):
        raise _Bad("nights", f"must be an even number from 2 to {trial_nights(MAX_WEEKS)}")
    created = _moment(item, "created_at")
    updated = _moment(item, "updated_at")
    if updated < created:
        raise _Bad("updated_at", f"{item['updated_at']!r} is before the trial was made")
    stopped = item.get("stopped_from")
    return {
        "uuid": _uuid(item),
        "seed": seed,
        "first_night": _night(item, "first_night"),
        "nights": nights,
        "stopped_from": None if stopped is None else _night(item, "stopped_from"),
        "created_at": created,
        "updated_at": updated,
        "deleted_at": _moment(item, "deleted_at") if item.get("deleted_at") is not None else None,
    }


def _night(item: Mapping[str, Any], key: str) -> date:
    value = item.get(key)
    try:
        day = date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise _Bad(key, f"{_short(value)} is not a date such as 2024-05-01 (the evening's date)")
    if day.year < times.EARLIEST_YEAR:
        raise _Bad(key, f"{value!r} is before {times.EARLIEST_YEAR}; check the year")
    return day


def _short(value: object) -> str:
    """A bad value as a message quotes it: short, and never a list's or an object's insides.

    ``repr`` of a list nested nearly as deep as the JSON reader allows would
    overflow the stack, and a long one would make the message a page.
    """
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


#: The lists of records a file holds: key, the kind of record, and its check.
_LISTS: dict[str, tuple[str, Callable[[Any], dict[str, Any]]]] = {
    "sessions": ("session", _session),
    "cramps": ("cramp", _cramp),
    "checkins": ("checkin", _checkin),
    "follows": ("follow", _follow),
    "trials": ("trial", _trial),
}


def _uuid(item: Mapping[str, Any]) -> str:
    value = item.get("uuid")
    try:
        return str(uuidlib.UUID(value))
    except (TypeError, ValueError, AttributeError):
        raise _Bad("uuid", f"{_short(value)} is not a UUID") from None


def _text(item: Mapping[str, Any], key: str) -> str:
    value = item.get(key)
    if not isinstance(value, str):
        raise _Bad(key, "expected text")
    return value


def _seconds(item: Mapping[str, Any], key: str, default: float | None = None) -> float:
    value = item.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1e9:
        raise _Bad(key, f"{_short(value)} is not a number of seconds from 0")
    return float(value)


def _moment(item: Mapping[str, Any], key: str) -> datetime:
    value = item.get(key)
    if not isinstance(value, str):
        raise _Bad(key, "expected an ISO 8601 date and time")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _Bad(key, f"{_short(value)} is not an ISO 8601 date and time") from None
    # The rule `diary add` applies: from 1900, never in the future.
    return times.check_moment(moment, field=key, text=value)
