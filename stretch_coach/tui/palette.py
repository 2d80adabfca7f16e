"""Command palette providers: the routines in the library, and the session's commands.

The session's commands come from the session screen's own bindings, filtered
by its ``check_action``, so the palette offers exactly what the keys offer now.

A routine's title and summary are text from a file, never markup: the palette
would parse a plain string (``[/b]`` would crash it, ``[@click=...]`` would be
a live action), so each hit is given as :class:`~textual.content.Content` and
its help escaped.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol, cast

from textual.actions import parse as parse_action
from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content
from textual.markup import escape

from stretch_coach.tui.compat import own_bindings

if TYPE_CHECKING:
    from textual.screen import Screen

    from stretch_coach.routine.library import Entry


class _Starts(Protocol):
    """The library screen, as its palette needs it."""

    entries: list[Entry] | None

    def start(self, entry: Entry) -> None: ...


def _screen_commands(screen: Screen[Any]) -> list[tuple[str, Callable[[], Any], str]]:
    """(name, callback, help) for each binding of ``screen`` that works now."""
    out: list[tuple[str, Callable[[], Any], str]] = []
    seen: set[str] = set()
    for _key, binding in own_bindings(screen):
        if not binding.description or binding.action in seen:
            continue
        _, name, parameters = parse_action(binding.action)
        if screen.check_action(name, parameters) is not True:
            continue
        seen.add(binding.action)
        key = screen.app.get_key_display(binding)
        out.append((binding.description, partial(screen.run_action, binding.action), f"key: {key}"))
    return out


class _Commands(Provider):
    """The screen's own commands, each named ``PREFIX: description``."""

    PREFIX = ""

    def commands(self) -> list[tuple[str, Callable[[], Any], str]]:
        return [
            (f"{self.PREFIX}: {name}", callback, help_text)
            for name, callback, help_text in _screen_commands(self.screen)
        ]

    async def discover(self) -> Hits:
        for name, callback, help_text in self.commands():
            yield DiscoveryHit(Content(name), callback, text=name, help=escape(help_text))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self.commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(
                    score, highlight(matcher, name), callback, text=name, help=escape(help_text)
                )


def highlight(matcher: Matcher, candidate: str) -> Content:
    """``candidate`` as literal text, its matched letters styled as ``Matcher.highlight`` would.

    ``Matcher.highlight`` reads the candidate as markup.
    """
    content = Content(candidate)
    _score, offsets = matcher.fuzzy_search.match(matcher.query, candidate)
    for offset in offsets:
        if not candidate[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class SessionCommands(_Commands):
    """Pause, resume, next step... whatever the session screen's keys do now."""

    PREFIX = "Session"


class LibraryCommands(_Commands):
    """Start any valid routine by name, and the library's own commands."""

    PREFIX = "Library"

    def commands(self) -> list[tuple[str, Callable[[], Any], str]]:
        library = cast(_Starts, self.screen)
        out: list[tuple[str, Callable[[], Any], str]] = [
            (
                f"Start: {entry.title}",
                partial(library.start, entry),
                entry.routine.summary or entry.id,
            )
            for entry in (library.entries or ())
            if entry.valid and entry.routine is not None
        ]
        return out + super().commands()


class HistoryCommands(_Commands):
    """The history screen's commands: log a cramp, help, back."""

    PREFIX = "History"
