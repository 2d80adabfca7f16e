"""Session history, the cramp diary and the doctor-visit report; no UI in here.

* :mod:`~stretch_coach.history.store`: the SQLite store. The engine records
  sessions with :meth:`HistoryStore.start_session`; a history screen gets all
  it shows from :meth:`HistoryStore.overview`.
* :mod:`~stretch_coach.history.diary`: what each diary field accepts.
* :mod:`~stretch_coach.history.redflags`: the seeds' reasons to see a doctor.
* :mod:`~stretch_coach.history.stats`: streaks, adherence, weeks.
* :mod:`~stretch_coach.history.report` and :mod:`~stretch_coach.history.render`:
  the report and its formats.
* :mod:`~stretch_coach.history.transfer`: export and import.
"""

from stretch_coach.history.model import Cramp, Overview, SessionInfo
from stretch_coach.history.store import HistoryStore, SessionRecord, content_hash

__all__ = ["Cramp", "HistoryStore", "Overview", "SessionInfo", "SessionRecord", "content_hash"]
