"""kill -9 in the middle of a session loses nothing that was already recorded."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from stretch_coach.history.store import HistoryStore

# The child records a session and two steps, says so, then waits on stdin for
# ever: the parent kills it at a known point without sleeping.
CHILD = textwrap.dedent(
    """
    import sys
    from stretch_coach.history.store import HistoryStore

    store = HistoryStore.open(sys.argv[1])
    record = store.start_session("bedtime", "Bedtime calf stretch", "sha256:abc", 600)
    record.step_done(0, "Wall calf stretch", 60.0)
    record.step_skipped(1, "Heel walking", 3.0)
    print("recorded", flush=True)
    sys.stdin.read()
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_kill_9_mid_session_keeps_the_steps_and_leaves_it_not_finished(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "recorded"
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:  # pragma: no cover - only if an assertion failed early
            child.kill()
            child.wait()

    with HistoryStore.open(db) as store:
        (session,) = store.sessions()
        assert session.status == "in_progress"
        assert session.label == "not finished"
        assert not session.finished
        assert (session.steps_done, session.steps_skipped) == (1, 1)
        assert session.done_seconds == 63.0
        assert [s.name for s in store.session_steps(session.id)] == [
            "Wall calf stretch",
            "Heel walking",
        ]
        # The store still records new sessions after the crash.
        store.start_session("bedtime", "Bedtime calf stretch", "sha256:abc", 600).finish("finished")
        assert [s.status for s in store.sessions()] == ["finished", "in_progress"]
