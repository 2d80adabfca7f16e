"""The session engine: a pausable clock, a session that plays a timeline, and a driver.

Nothing here imports Textual: the TUI and the plain runner both drive the same
:class:`~stretch_coach.engine.session.Session`.
"""
