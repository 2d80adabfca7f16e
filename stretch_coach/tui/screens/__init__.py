"""The coach's screens."""

#: The styles of every screen but the library's, relative to this folder. The
#: app reads them once the library has been drawn; a screen shown before that
#: (``stretch-coach run``) still finds them through its ``CSS_PATH``.
SCREENS_CSS = "../screens.tcss"
