"""The personal trial as stored: one row of ``trials`` a trial (see :mod:`.trial`).

Only one trial runs at a time. Stopping one keeps its row, with the first
night no longer in it, so its result can still be read; an import settles
on the copy changed last, as check-ins do.
"""

from __future__ import annotations

import uuid as uuidlib
from datetime import date

from stretch_coach.history import times
from stretch_coach.history.records import HistoryRecords
from stretch_coach.history.trial import Trial


class HistoryTrials(HistoryRecords):
    """Starting, stopping and reading back trials."""

    def start_trial(self, seed: int, first_night: date, nights: int) -> Trial:
        """Keep a new trial of ``nights`` nights (even) from ``first_night``, drawn by ``seed``."""
        if nights < 2 or nights % 2:
            raise ValueError(f"nights must be an even number from 2, not {nights!r}")
        now = times.change_stamp()
        trial = Trial(str(uuidlib.uuid4()), seed, first_night, nights)
        self._execute(
            "INSERT INTO trials (uuid, seed, first_night, nights, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (trial.uuid, seed, first_night.isoformat(), nights, now, now),
        )
        return trial

    def stop_trial(self, trial: Trial, stopped_from: date) -> Trial:
        """End ``trial`` early: ``stopped_from`` is the first night no longer in it."""
        now = times.change_stamp()
        self._execute(
            "UPDATE trials SET stopped_from = ?, updated_at = ? WHERE uuid = ?",
            (stopped_from.isoformat(), now, trial.uuid),
        )
        return Trial(trial.uuid, trial.seed, trial.first_night, trial.nights, stopped_from)

    def trials(self) -> list[Trial]:
        """Every trial kept (deleted ones left out), the newest start last."""
        with self._reading() as conn:
            rows = conn.execute(
                "SELECT uuid, seed, first_night, nights, stopped_from FROM ok_trials"
                " WHERE deleted_at IS NULL ORDER BY first_night, created_at"
            ).fetchall()
        return [
            Trial(
                uuid,
                seed,
                date.fromisoformat(first),
                nights,
                date.fromisoformat(stopped) if stopped else None,
            )
            for uuid, seed, first, nights, stopped in rows
        ]

    def latest_trial(self) -> Trial | None:
        """The trial started last, if any."""
        found = self.trials()
        return found[-1] if found else None
