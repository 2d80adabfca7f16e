"""``stretch-coach run ROUTINE --plain``: the coach as plain lines of text.

:mod:`~stretch_coach.plain.view` writes the lines, :mod:`~stretch_coach.plain.keys`
reads the keys, :mod:`~stretch_coach.plain.runner` plays a session prepared by
:mod:`stretch_coach.coach` with them. Nothing here imports Textual.
"""

from stretch_coach.plain.runner import PlainRunner, run_plain
from stretch_coach.plain.view import PlainView, phase_line, status_line

__all__ = ["PlainRunner", "PlainView", "phase_line", "run_plain", "status_line"]
