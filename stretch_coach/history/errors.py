"""Errors of the history store, each one something the user can act on.

They subclass :class:`stretch_coach.errors.UserError`, so the CLI prints them as
one line and exits 2 without any extra handling, and a TUI can show
``err.message`` as it is.
"""

from __future__ import annotations

from stretch_coach.errors import UserError


class HistoryError(UserError):
    """The history database cannot be used as asked; the message says why and what to do."""


class HistoryTooNew(HistoryError):
    """The database was written by a newer stretch-coach; it is left untouched."""


class EntryError(UserError):
    """A diary value that is not valid.

    Args:
        field: the entry field at fault (``severity``, ``duration``, ``when``...).
        problem: what is wrong with it and how to write it instead.
    """

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem
