"""Export and import: the whole history as one JSON file, to carry to another machine.

The file holds a format name and version, every session with its steps, and
every diary entry (deleted ones marked, so a deletion travels too). Records
keep their UUIDs, so importing the same file twice adds nothing twice (see
:meth:`HistoryStore.merge` for which copy wins when both machines have one).

An import file is checked completely before anything is written; the first
problem is reported with where it is (``cramps[3].severity: ...``).
"""

from __future__ import annotations

import json
import uuid as uuidlib
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from stretch_coach import __version__
from stretch_coach.errors import UserError
from stretch_coach.history import diary, times
from stretch_coach.history.errors import EntryError
from stretch_coach.history.model import ENDINGS, Cramp, Status
from stretch_coach.history.store import HistoryStore

FORMAT_NAME = "stretch-coach-history"
FORMAT_VERSION = 1
_STATUSES: tuple[Status, ...] = ("in_progress", *ENDINGS)


def export_document(store: HistoryStore) -> dict[str, Any]:
    """Everything in ``store`` as the export file's JSON object."""
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "exported_at": times.now().isoformat(timespec="seconds"),
        "exported_by": f"stretch-coach {__version__}",
        **store.export_records(),
    }


def parse_document(text: str, source: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Read and check an export file's text, before anything is written.

    Args:
        text: the file's contents.
        source: the file's name, for messages.

    Returns:
        Its sessions and diary entries, ready for :meth:`HistoryStore.merge`.

    Raises:
        UserError: if the file is not a valid export.
    """
    try:
        document = json.loads(text)
    except json.JSONDecodeError as err:
        raise UserError(
            f"{source}: not valid JSON (line {err.lineno}, column {err.colno}: {err.msg}); "
            "give a file made by `stretch-coach export`"
        ) from None
    return check_document(document, source)


def check_document(
    document: object, source: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Check an export's JSON object; return its sessions and entries ready for merging.

    Raises:
        UserError: naming the first problem and where it is.
    """
    if not isinstance(document, dict) or document.get("format") != FORMAT_NAME:
        raise UserError(
            f'{source}: not a stretch-coach export (no "format": "{FORMAT_NAME}"); '
            "give a file made by `stretch-coach export`"
        )
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise UserError(f'{source}: "version" must be a whole number from 1')
    if version > FORMAT_VERSION:
        raise UserError(
            f"{source}: made by a newer stretch-coach (export version {version}; "
            f"this one reads up to {FORMAT_VERSION}); upgrade stretch-coach to import it"
        )
    sessions = [
        _checked(source, f"sessions[{i}]", _session, item)
        for i, item in enumerate(_list(document, "sessions", source))
    ]
    cramps = [
        _checked(source, f"cramps[{i}]", _cramp, item)
        for i, item in enumerate(_list(document, "cramps", source))
    ]
    return sessions, cramps


def read_file(path: Path) -> str:
    """The text of an import file, or a one-line error."""
    try:
        return path.read_text(encoding="utf-8")
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


class _Bad(Exception):
    """A problem at a key inside one record."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")


def _list(document: Mapping[str, Any], key: str, source: str) -> list[Any]:
    value = document.get(key, [])
    if not isinstance(value, list):
        raise UserError(f'{source}: "{key}" must be a list')
    return value


def _checked(
    source: str, where: str, check: Callable[[Any], dict[str, Any]], item: Any
) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise UserError(f"{source}: {where}: expected an object")
    try:
        return check(item)
    except (_Bad, EntryError) as err:
        raise UserError(f"{source}: {where}.{err}") from None


def _session(item: Mapping[str, Any]) -> dict[str, Any]:
    status = item.get("status")
    if status not in _STATUSES:
        raise _Bad("status", f"{status!r} is not one of {', '.join(_STATUSES)}")
    steps = item.get("steps", [])
    if not isinstance(steps, list):
        raise _Bad("steps", "must be a list")
    return {
        "uuid": _uuid(item),
        "routine_id": _text(item, "routine_id"),
        "title": _text(item, "title"),
        "content_hash": _text(item, "content_hash"),
        "started_at": _moment(item, "started_at"),
        "ended_at": _moment(item, "ended_at") if item.get("ended_at") is not None else None,
        "planned_seconds": _seconds(item, "planned_seconds"),
        "partial_seconds": _seconds(item, "partial_seconds", default=0.0),
        "status": status,
        "steps": [_step(i, step) for i, step in enumerate(steps)],
    }


def _step(index: int, item: object) -> dict[str, Any]:
    where = f"steps[{index}]"
    if not isinstance(item, dict):
        raise _Bad(where, "expected an object")
    outcome = item.get("outcome")
    if outcome not in ("done", "skipped"):
        raise _Bad(f"{where}.outcome", f"{outcome!r} is not done or skipped")
    step_index = item.get("step_index")
    if not isinstance(step_index, int) or isinstance(step_index, bool) or step_index < 0:
        raise _Bad(f"{where}.step_index", "must be a whole number from 0")
    try:
        return {
            "step_index": step_index,
            "name": _text(item, "name"),
            "outcome": outcome,
            "seconds": _seconds(item, "seconds"),
            "at": _moment(item, "at"),
        }
    except _Bad as err:
        raise _Bad(where, str(err)) from None


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
    return {
        "cramp": cramp,
        "created_at": _moment(item, "created_at"),
        "updated_at": _moment(item, "updated_at"),
        "deleted_at": _moment(item, "deleted_at") if item.get("deleted_at") is not None else None,
    }


def _uuid(item: Mapping[str, Any]) -> str:
    value = item.get("uuid")
    try:
        return str(uuidlib.UUID(value))
    except (TypeError, ValueError, AttributeError):
        raise _Bad("uuid", f"{value!r} is not a UUID") from None


def _text(item: Mapping[str, Any], key: str) -> str:
    value = item.get(key)
    if not isinstance(value, str):
        raise _Bad(key, "expected text")
    return value


def _seconds(item: Mapping[str, Any], key: str, default: float | None = None) -> float:
    value = item.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1e9:
        raise _Bad(key, f"{value!r} is not a number of seconds from 0")
    return float(value)


def _moment(item: Mapping[str, Any], key: str) -> datetime:
    value = item.get(key)
    if not isinstance(value, str):
        raise _Bad(key, "expected an ISO 8601 date and time")
    try:
        return times.aware(datetime.fromisoformat(value))
    except ValueError:
        raise _Bad(key, f"{value!r} is not an ISO 8601 date and time") from None
