"""The one exception type the CLI turns into a clean message and exit code."""

from __future__ import annotations

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


class UserError(Exception):
    """Something the user can fix: printed as one line, never as a traceback.

    Args:
        message: what is wrong and, where possible, how to fix it.
        exit_code: the process exit code (2 for bad input).
    """

    def __init__(self, message: str, exit_code: int = EXIT_BAD_INPUT) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
