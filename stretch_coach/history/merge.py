"""Moving records between copies of the history: export, and merging an import.

Records keep their UUIDs, so merging the same records twice adds nothing twice.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import chain
from typing import Any

from stretch_coach.history import times
from stretch_coach.history.model import Cramp, cramp_to_json
from stretch_coach.history.records import _CRAMP_COLUMNS, HistoryRecords, _cramp, _cramp_fields


@dataclass(frozen=True)
class MergeResult:
    """What :meth:`HistoryStore.merge` changed."""

    sessions_added: int = 0
    sessions_updated: int = 0
    cramps_added: int = 0
    cramps_updated: int = 0
    unchanged: int = 0
    checkins_added: int = 0
    checkins_updated: int = 0
    follows_added: int = 0  #: programs followed
    follows_updated: int = 0
    trials_added: int = 0  #: personal trials
    trials_updated: int = 0
    #: Deleted diary entries and check-ins taken back, new here: kept (so that
    #: they stay deleted), but not counted as entries or check-ins added.
    deletions_added: int = 0

    @property
    def changed(self) -> int:
        """How many records were added or updated."""
        return (
            self.sessions_added
            + self.sessions_updated
            + self.cramps_added
            + self.cramps_updated
            + self.checkins_added
            + self.checkins_updated
            + self.follows_added
            + self.follows_updated
            + self.trials_added
            + self.trials_updated
            + self.deletions_added
        )


class HistoryTransfer(HistoryRecords):
    """Every record out (:meth:`export_records`), and another copy's records in (:meth:`merge`)."""

    # -- moving data -------------------------------------------------------

    def export_records(self) -> dict[str, list[dict[str, Any]]]:
        """Every session (with its steps) and diary entry (deleted ones marked), JSON-ready.

        Instants are ISO 8601 with the offset where they were recorded. For
        years of records, stream them with :meth:`iter_export_sessions` and
        :meth:`iter_export_cramps` instead.
        """
        return {
            "sessions": list(self.iter_export_sessions()),
            "cramps": list(self.iter_export_cramps()),
            "checkins": list(self.iter_export_checkins()),
            "follows": list(self.iter_export_follows()),
            "trials": list(self.iter_export_trials()),
        }

    def iter_export_sessions(self) -> Iterator[dict[str, Any]]:
        """Every readable session with its steps, oldest first, one at a time (JSON-ready)."""
        with self._reading() as conn:
            cursor = conn.execute(
                "SELECT s.id, s.uuid, s.routine_id, s.title, s.content_hash, s.started_at,"
                " s.utc_offset, s.ended_at, s.planned_seconds, s.partial_seconds, s.status,"
                " st.seq, st.step_index, st.name, st.outcome, st.seconds, st.at,"
                " s.planned_self_paced, st.kind, st.planned_seconds,"
                " s.program_id, s.program_week, s.program_stage, s.effort, s.pain, s.reps_counted"
                " FROM ok_sessions AS s LEFT JOIN ok_steps AS st ON st.session_id = s.id"
                " ORDER BY s.started_at, s.id, st.seq"
            )
            session: dict[str, Any] | None = None
            current = None
            for row in cursor:
                if row[0] != current:
                    if session is not None:
                        yield session
                    current = row[0]
                    offset = row[6]
                    session = {
                        "uuid": row[1],
                        "routine_id": row[2],
                        "title": row[3],
                        "content_hash": row[4],
                        "started_at": times.local(row[5], offset).isoformat(),
                        "ended_at": times.local(row[7], offset).isoformat() if row[7] else None,
                        "planned_seconds": row[8],
                        "partial_seconds": row[9],
                        "status": row[10],
                        "steps": [],
                    }
                    if row[17] is not None:  # said only by records that keep step kinds
                        session["planned_self_paced"] = row[17]
                    if row[20] is not None:  # played from a program
                        session["program"] = {"id": row[20], "week": row[21], "stage": row[22]}
                    for key, value in zip(
                        ("effort", "pain", "reps_counted"), row[23:26], strict=True
                    ):
                        if value is not None:  # given at the summary
                            session[key] = value
                if row[11] is not None:
                    assert session is not None
                    session["steps"].append(
                        {
                            "seq": row[11],
                            "step_index": row[12],
                            "name": row[13],
                            "outcome": row[14],
                            "seconds": row[15],
                            "at": times.local(row[16], offset).isoformat(),
                        }
                    )
                    if row[18] is not None:
                        session["steps"][-1]["kind"] = row[18]
                        if row[19] is not None:
                            session["steps"][-1]["planned_seconds"] = row[19]
            if session is not None:
                yield session

    def iter_export_cramps(self) -> Iterator[dict[str, Any]]:
        """Every readable diary entry (deleted ones marked), oldest first, one at a time."""
        with self._reading() as conn:
            cursor = conn.execute(
                f"SELECT {_CRAMP_COLUMNS}, created_at, updated_at, deleted_at FROM ok_cramps"
                " ORDER BY at, id"
            )
            for row in cursor:
                yield {
                    **_without_id(cramp_to_json(_cramp(row[:-3]))),
                    "created_at": row[-3],
                    "updated_at": row[-2],
                    "deleted_at": row[-1],
                }

    def iter_export_checkins(self) -> Iterator[dict[str, Any]]:
        """Every readable morning check-in (undone ones marked), oldest night first."""
        return self._export_rows(
            "SELECT uuid, night, answer, created_at, updated_at, deleted_at FROM ok_checkins"
            " ORDER BY night"
        )

    def iter_export_follows(self) -> Iterator[dict[str, Any]]:
        """Every program followed (unfollowed ones marked), by program id."""
        return self._export_rows(
            "SELECT program_id AS program, start_day AS start, created_at, updated_at,"
            " deleted_at FROM ok_follows ORDER BY program_id"
        )

    def iter_export_trials(self) -> Iterator[dict[str, Any]]:
        """Every personal trial (deleted ones marked), oldest first."""
        return self._export_rows(
            "SELECT uuid, seed, first_night, nights, stopped_from, created_at, updated_at,"
            " deleted_at FROM ok_trials ORDER BY first_night, created_at"
        )

    def _export_rows(self, query: str) -> Iterator[dict[str, Any]]:
        """Each row of ``query`` as a record of the export, keyed by its column names."""
        with self._reading() as conn:
            cursor = conn.execute(query)
            names = [column[0] for column in cursor.description]
            for row in cursor:
                yield dict(zip(names, row, strict=True))

    def merge(
        self,
        sessions: Iterable[Mapping[str, Any]],
        cramps: Iterable[Mapping[str, Any]],
        checkins: Iterable[Mapping[str, Any]] = (),
    ) -> MergeResult:
        """Add records from another copy of the history, in one transaction.

        Records are matched by ``uuid``, so merging the same records twice adds
        nothing twice. Where both copies hold a record, the imported one wins
        only if it is further along: a session that has ended over one still
        in progress, or with more steps; a diary entry with a later
        ``updated_at`` (which carries edits and deletions across).

        Args:
            sessions: checked records in the shape of :meth:`export_records`,
                with instants as aware datetimes.
            cramps: likewise, with ``at`` and ``cramp`` (a :class:`Cramp`).
            checkins: likewise, with ``night`` a date. One check-in a night:
                an imported one for a night already checked in here (under
                another UUID) wins only with a later ``updated_at``.
        """
        return self.merge_records(
            chain(
                (("session", session) for session in sessions),
                (("cramp", entry) for entry in cramps),
                (("checkin", entry) for entry in checkins),
            )
        )

    def merge_records(self, records: Iterable[tuple[str, Mapping[str, Any]]]) -> MergeResult:
        """Like :meth:`merge`, from one stream of ``("session" | "cramp" | "checkin", record)``
        pairs.

        The records are taken one at a time (an import streams them from its
        file), all in one transaction: an exception from the stream (a bad
        record further on) keeps none of them.
        """
        counts = dict.fromkeys(
            (
                "sessions_added",
                "sessions_updated",
                "cramps_added",
                "cramps_updated",
                "unchanged",
                "checkins_added",
                "checkins_updated",
                "follows_added",
                "follows_updated",
                "trials_added",
                "trials_updated",
                "deletions_added",
            ),
            0,
        )
        mergers = {
            "session": _merge_session,
            "cramp": _merge_cramp,
            "checkin": _merge_checkin,
            "follow": _merge_follow,
            "trial": _merge_trial,
        }
        with self._writing() as conn:
            for kind, record in records:
                counts[mergers[kind](conn, record)] += 1
        return MergeResult(**counts)


def _without_id(record: dict[str, Any]) -> dict[str, Any]:
    """A record without its local number, which means nothing on another machine."""
    record.pop("id", None)
    return record


def _merge_session(conn: sqlite3.Connection, session: Mapping[str, Any]) -> str:
    steps = session["steps"]
    found = conn.execute(
        "SELECT id, status, (SELECT count(*) FROM session_steps WHERE session_id = sessions.id)"
        " FROM sessions WHERE uuid = ?",
        (session["uuid"],),
    ).fetchone()
    if found is not None:
        session_id, status, step_count = found
        if _progress(session["status"], len(steps)) <= _progress(status, step_count):
            return "unchanged"
        conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))  # steps cascade
    started, offset = times.stamp(session["started_at"])
    ended = times.utc_text(session["ended_at"]) if session["ended_at"] else None
    cursor = conn.execute(
        "INSERT INTO sessions (id, uuid, routine_id, title, content_hash, started_at, utc_offset,"
        " ended_at, planned_seconds, partial_seconds, status, planned_self_paced,"
        " program_id, program_week, program_stage, effort, pain, reps_counted)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            found[0] if found else None,
            session["uuid"],
            session["routine_id"],
            session["title"],
            session["content_hash"],
            started,
            offset,
            ended,
            session["planned_seconds"],
            session["partial_seconds"],
            session["status"],
            session.get("planned_self_paced"),
            *(session.get("program") or (None, None, None)),
            session.get("effort"),
            session.get("pain"),
            session.get("reps_counted"),
        ),
    )
    conn.executemany(
        "INSERT INTO session_steps (session_id, seq, step_index, name, outcome, seconds, at,"
        " kind, planned_seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                cursor.lastrowid,
                number,
                step["step_index"],
                step["name"],
                step["outcome"],
                step["seconds"],
                times.utc_text(step["at"]),
                step.get("kind"),
                step.get("planned_seconds"),
            )
            for number, step in enumerate(steps, start=1)
        ],
    )
    return "sessions_updated" if found else "sessions_added"


def _merge_follow(conn: sqlite3.Connection, follow: Mapping[str, Any]) -> str:
    """One program followed: the copy changed last wins (it carries unfollowing too)."""
    return _last_change_wins(
        conn,
        "follows",
        "program_id",
        {
            "start_day": follow["start"].isoformat(),
            **_stamps(follow),
            "program_id": follow["program_id"],
        },
    )


def _merge_trial(conn: sqlite3.Connection, trial: Mapping[str, Any]) -> str:
    """One trial, matched by UUID: the copy changed last wins (it carries stopping too)."""
    return _last_change_wins(
        conn,
        "trials",
        "uuid",
        {
            "seed": trial["seed"],
            "first_night": trial["first_night"].isoformat(),
            "nights": trial["nights"],
            "stopped_from": trial["stopped_from"].isoformat() if trial["stopped_from"] else None,
            **_stamps(trial),
            "uuid": trial["uuid"],
        },
    )


def _stamps(record: Mapping[str, Any]) -> dict[str, str | None]:
    """A record's change stamps, as the tables keep them."""
    deleted = record["deleted_at"]
    return {
        "created_at": times.change_stamp(record["created_at"]),
        "updated_at": times.change_stamp(record["updated_at"]),
        "deleted_at": times.change_stamp(deleted) if deleted else None,
    }


def _last_change_wins(
    conn: sqlite3.Connection, table: str, key: str, row: Mapping[str, Any]
) -> str:
    """Insert ``row`` into ``table``, or update the row with its ``key`` if ``row`` is newer.

    ``table`` and the column names are this module's own, never input. Returns
    ``TABLE_added``, ``TABLE_updated`` or ``unchanged``.
    """
    found = conn.execute(f"SELECT updated_at FROM {table} WHERE {key} = ?", (row[key],)).fetchone()
    if found is None:
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", tuple(row.values()))
        return f"{table}_added"
    # A stored stamp that cannot be read (damage) loses to the imported copy.
    if isinstance(found[0], str) and row["updated_at"] <= found[0]:
        return "unchanged"
    sets = ", ".join(f"{column} = ?" for column in row if column != key)
    conn.execute(
        f"UPDATE {table} SET {sets} WHERE {key} = ?",
        (*(v for column, v in row.items() if column != key), row[key]),
    )
    return f"{table}_updated"


def _progress(status: str, step_count: int) -> tuple[bool, int]:
    return (status != "in_progress", step_count)


def _merge_cramp(conn: sqlite3.Connection, entry: Mapping[str, Any]) -> str:
    cramp: Cramp = entry["cramp"]
    at, offset = times.stamp(cramp.at)
    found = conn.execute("SELECT updated_at FROM cramps WHERE uuid = ?", (cramp.uuid,)).fetchone()
    values = (
        at,
        offset,
        *_cramp_fields(cramp),
        times.change_stamp(entry["created_at"]),
        times.change_stamp(entry["updated_at"]),
        times.change_stamp(entry["deleted_at"]) if entry["deleted_at"] else None,
        cramp.uuid,
    )
    if found is None:
        conn.execute(
            "INSERT INTO cramps (at, utc_offset, duration_seconds, severity, leg, muscle, woke,"
            " symptoms, note, created_at, updated_at, deleted_at, uuid)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            values,
        )
        return "deletions_added" if entry["deleted_at"] else "cramps_added"
    # A stored stamp that cannot be read (damage) loses to the imported copy.
    if isinstance(found[0], str) and values[-3] <= found[0]:
        return "unchanged"
    conn.execute(
        "UPDATE cramps SET at = ?, utc_offset = ?, duration_seconds = ?, severity = ?, leg = ?,"
        " muscle = ?, woke = ?, symptoms = ?, note = ?, created_at = ?, updated_at = ?,"
        " deleted_at = ? WHERE uuid = ?",
        values,
    )
    return "cramps_updated"


def _merge_checkin(conn: sqlite3.Connection, entry: Mapping[str, Any]) -> str:
    """One check-in a night: matched by UUID, else by night; the later ``updated_at`` wins.

    A night checked in on two machines has two UUIDs; the row here keeps its
    own UUID and takes the other's answer and stamps when they are newer, so
    importing back and forth settles on the same answer.
    """
    night = entry["night"].isoformat()
    values = (
        entry["answer"],
        times.change_stamp(entry["created_at"]),
        times.change_stamp(entry["updated_at"]),
        times.change_stamp(entry["deleted_at"]) if entry["deleted_at"] else None,
    )
    found = conn.execute(
        "SELECT id, updated_at FROM checkins WHERE uuid = ? OR night = ?"
        " ORDER BY uuid = ? DESC LIMIT 1",
        (entry["uuid"], night, entry["uuid"]),
    ).fetchone()
    if found is None:
        conn.execute(
            "INSERT INTO checkins (uuid, night, answer, created_at, updated_at, deleted_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (entry["uuid"], night, *values),
        )
        return "deletions_added" if entry["deleted_at"] else "checkins_added"
    # A stored stamp that cannot be read (damage) loses to the imported copy.
    if isinstance(found[1], str) and values[2] <= found[1]:
        return "unchanged"
    if (
        conn.execute(
            "SELECT 1 FROM checkins WHERE night = ? AND id != ?", (night, found[0])
        ).fetchone()
        is not None
    ):
        return "unchanged"  # its own UUID here, moved to a night another check-in holds
    conn.execute(
        "UPDATE checkins SET night = ?, answer = ?, created_at = ?, updated_at = ?,"
        " deleted_at = ? WHERE id = ?",
        (night, *values, found[0]),
    )
    return "checkins_updated"
