"""Located problems in routine files, printed as ``FILE:LINE:COL: key: message``."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

#: Control characters (C0, DEL, C1) and the Unicode line separators: never
#: printed raw, so nothing read from a file can move the cursor, recolour the
#: terminal or write the clipboard (ESC, OSC 52), or break a message's one line.
CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
#: The control characters the format refuses in text: C0, DEL and C1.
CONTROL_CHAR_RE = re.compile("[\x00-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` with every control character written as an escape (``\\x1b``).

    Args:
        text: anything that may have come from a file or a file name.
    """
    if not CONTROL_RE.search(text):
        return text
    return CONTROL_RE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


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
        # The file name, the key and the message may all hold text from the
        # file (or its name): shown escaped, on one line.
        where = f"{printable(self.file)}:{self.line}:{self.column}"
        message = printable(self.message)
        return f"{where}: {printable(self.key)}: {message}" if self.key else f"{where}: {message}"


class RoutineError(Exception):
    """A routine file was refused; carries every problem found, in file order."""

    def __init__(self, problems: Iterable[Problem], *, program: bool = False) -> None:
        self.problems: tuple[Problem, ...] = tuple(sorted(set(problems)))
        #: The file refused was a program (a library lists it as an invalid entry).
        self.program = program
        if not self.problems:
            raise ValueError("RoutineError needs at least one problem")
        super().__init__(str(self.problems[0]))

    @property
    def first(self) -> Problem:
        """The first problem in file order (what a library list shows)."""
        return self.problems[0]

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)
