"""The Textual coach: library, caution, session, summary and settings screens.

Importing this package is cheap; Textual is imported by :mod:`stretch_coach.tui.app`
and the screens, and only the CLI commands that open the coach import them.
"""
