"""Located problems in routine files, printed as ``FILE:LINE:COL: key: message``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a routine file.

    Attributes:
        file: the file as the user named it (or as found in a library folder).
        line: 1-based line number.
        column: 1-based column number.
        key: where in the routine, e.g. ``steps[2].hold`` (steps count from 1);
            empty when the problem is with the file as a whole.
        message: what is wrong and, where possible, how to fix it.
    """

    file: str
    line: int
    column: int
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


class RoutineError(Exception):
    """A routine file was refused; carries every problem found, in file order."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(sorted(set(problems)))
        if not self.problems:
            raise ValueError("RoutineError needs at least one problem")
        super().__init__(str(self.problems[0]))

    @property
    def first(self) -> Problem:
        """The first problem in file order (what a library list shows)."""
        return self.problems[0]

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)
