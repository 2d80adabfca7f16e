"""The Textual coach: the app, its screens' wiring, and :func:`run_app` for the CLI.

The routine library is the base screen. Starting a routine shows its caution
(the first time), then the session; the session ends in a summary, which goes
back to the library. ``stretch-coach run ROUTINE`` opens the session at once,
over the library, so Enter on its summary leads to the library too.

SIGTERM, SIGHUP (the terminal was closed) and SIGINT end the coach like a
quit, the session under way recorded as ``interrupted``
(:func:`ending_on_signals`); the exit code is 128 plus the signal's number.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen

from stretch_coach.audio.base import NullPlayer, Player
from stretch_coach.audio.session_player import SessionPlayer
from stretch_coach.catalog import LibraryWatch, listing
from stretch_coach.coach import Overrides, PlayerFactory, PreparedSession
from stretch_coach.settings import (
    CautionLog,
    MorningAsk,
    Settings,
    SettingsFile,
    open_settings,
    save_settings,
)
from stretch_coach.tui.compat import hangup_safe, on_app_thread, use_truecolor_theme
from stretch_coach.tui.screens.library import LibraryScreen
from stretch_coach.tui.themes import CUSTOM_THEMES, THEMES

if TYPE_CHECKING:
    import argparse

    from textual.driver import Driver

    from stretch_coach.agenda import Due
    from stretch_coach.catalog import LibraryIndex, Listed
    from stretch_coach.engine.clock import Clock
    from stretch_coach.engine.cue_log import CueLog
    from stretch_coach.history.recorder import HistoryRecorder
    from stretch_coach.routine.library import Entry, Library
    from stretch_coach.tui.screens.settings import SettingsScreen
    from stretch_coach.tui.screens.summary import Outcome
    from stretch_coach.tui.widgets.checkin import Written

#: The styles of the screens after the library (see :meth:`CoachApp._read_screens_css`).
SCREENS_CSS_FILE = "screens.tcss"
#: How often the library's files are looked at (a few stats) while the library is in view.
WATCH_SECONDS = 2.0

#: The signals that end the coach, its session recorded as ``interrupted``:
#: the terminal was closed (SIGHUP), ``kill`` or a shutdown asked (SIGTERM), or
#: ``kill -INT`` (the terminal's Ctrl+C is a key to Textual, not a signal).
ENDING_SIGNALS = (signal.SIGHUP, signal.SIGTERM, signal.SIGINT) if hasattr(signal, "SIGHUP") else ()


def _screens_css() -> Path:
    """``screens.tcss``, named as Textual names a screen's ``CSS_PATH`` (resolved)."""
    return (Path(__file__).parent / SCREENS_CSS_FILE).resolve()


class Notice(Message):
    """Something to tell the user once, from any thread (a sound or history problem)."""

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title = title
        self.text = text


class LibraryLoaded(Message):
    """The library, read on a thread (after the first frame, or again because its files
    changed), what its programs ask for today (the "Today" entries), and the watch
    made just before it was read."""

    def __init__(
        self,
        library: Library,
        today: Sequence[tuple[Due, Entry]] = (),
        watch: LibraryWatch | None = None,
        trial: str | None = None,
    ) -> None:
        super().__init__()
        self.library = library
        self.today = list(today)
        self.watch = watch
        self.trial = trial  #: which tonight is in a personal trial, shortly


class CoachApp(App[int]):
    """The coach.

    Args:
        library: the routine library; ``None`` to list ``listed`` at first and
            read the library from ``index`` right after the first frame.
        listed: the library list's rows from the library index.
        index: the library's index: read from when ``library`` is ``None``,
            brought up to date after the first frame either way.
        settings: the user's settings (``--audio``/``--no-voice`` already applied).
        settings_file: where settings are saved, and whether that file was broken.
        settings_warning: why the settings file could not be used, to show once.
        start: a routine to open at once (``stretch-coach run``).
        clock: the engine's clock (default: the monotonic clock; tests pass a fake).
        player_factory: makes a player for an audio choice (default: the audio
            package's ``make_player``; tests pass a recording one).
        record: record every session in the history.
        cue_log: ``--cue-log``'s log, given every session's cues.
        cautions: which cautions were read (default: the data folder's record).
        audio_override, voice_override: ``--audio`` and ``--no-voice`` for this
            run only; never saved into the settings file.
        now: the wall clock for the history and the diary (default: the local
            clock; tests pass a fixed one).
        morning: the day the morning question was last asked; given, the
            library asks it at the day's first start when last night is not
            known (the coach started from the command line gives it).
    """

    CSS_PATH = "app.tcss"
    TITLE = "stretch-coach"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+z", "suspend", "Suspend to the shell (pauses a session)", show=False),
        Binding("ctrl+q", "quit", "Quit the app", show=False, priority=True),
    ]

    def __init__(
        self,
        library: Library | None,
        *,
        listed: Sequence[Listed] = (),
        index: LibraryIndex | None = None,
        settings: Settings | None = None,
        settings_file: SettingsFile | None = None,
        settings_warning: str | None = None,
        start: Entry | None = None,
        clock: Clock | None = None,
        player_factory: PlayerFactory | None = None,
        record: bool = False,
        cue_log: CueLog | None = None,
        cautions: CautionLog | None = None,
        audio_override: str | None = None,
        voice_override: bool | None = None,
        now: Callable[[], datetime] | None = None,
        morning: MorningAsk | None = None,
    ) -> None:
        super().__init__()
        from stretch_coach.settings import settings_path

        if library is None and index is None:
            raise ValueError("CoachApp needs a library or an index to read it from")
        self.library = library
        self.listed = list(listed)
        self.index = index
        self.settings = settings or Settings()
        self.settings_file = settings_file or SettingsFile(settings_path())
        self.settings_warning = settings_warning
        self.start_entry = start
        if start is not None:  # straight into a session: its styles are read with the app's
            self.css_path = [*self.css_path, _screens_css()]
        self.clock = clock
        self.player_factory = player_factory
        self.record = record
        self.cue_log = cue_log
        self.cautions = cautions or CautionLog()
        self.audio_override = audio_override
        self.voice_override = voice_override
        self.wall_clock = now
        #: Given, "Any cramps last night?" is asked on the library at the day's first start.
        self.morning = morning
        #: The latest session's record, to wait for before asking the history about it.
        self.recording: Written | None = None
        #: Every session's recorder, finished when the app closes.
        self.recorders: list[HistoryRecorder] = []
        #: The signal that ended the app (:meth:`end_by_signal`), if one did.
        self.ending_signal: int | None = None
        self.player = SessionPlayer(NullPlayer(), voice=self.effective_settings.voice)
        self._problems_seen: set[str] = set()
        #: What the library was read from, to notice a routine file changed, added or removed.
        self._watch: LibraryWatch | None = None
        self._looking = False  # a look (and a reading) is under way on a thread
        for theme in CUSTOM_THEMES:
            self.register_theme(theme)
        self._start_with_theme(THEMES[self.settings.theme])

    def _start_with_theme(self, name: str) -> None:
        """Use theme ``name`` from the start, before any CSS is parsed.

        Setting ``self.theme`` here would have Textual parse the app's CSS a
        second time when it starts (its theme watcher re-parses everything
        that is already loaded, into a fresh cache), which costs the first
        frame over 10 ms. Nothing is parsed yet, so giving the stylesheet the
        theme's variables is enough; the rest is what the watcher does.
        """
        self.set_reactive(App.theme, name)
        self.stylesheet.set_variables(self.get_css_variables())
        dark = self.current_theme.dark
        classes = {c: False for c in self.classes if c.startswith("-theme-")}
        classes.update({f"-theme-{name}": True, "-dark-mode": dark, "-light-mode": not dark})
        self.update_classes(classes, update=False)
        use_truecolor_theme(self, self.ansi_theme)

    @property
    def overrides(self) -> Overrides:
        """``--audio`` and ``--no-voice``, until the settings screen changes them."""
        return Overrides(audio=self.audio_override, voice=self.voice_override)

    @property
    def effective_settings(self) -> Settings:
        """The settings in force: the command line over the saved settings over the defaults."""
        return self.overrides.apply(self.settings)

    def get_default_screen(self) -> Screen[Any]:
        return LibraryScreen(self.library, self.listed, prepare=self.settings.prepare)

    def get_driver_class(self) -> type[Driver]:
        # A closed terminal must not stop the app from ending (and recording) properly.
        return hangup_safe(super().get_driver_class())

    def end_by_signal(self, signum: int) -> None:
        """End the app for a signal; a session under way is recorded as ``interrupted``.

        Safe to call from a signal handler on the app's thread (where Python
        runs them): it only sets flags and hands the exit to the loop. The
        session screen's unmount stops the session, so the step in progress
        is recorded too; :func:`run_app` then waits for the recorders.
        """
        if self.ending_signal is None:
            self.ending_signal = signum
        for recorder in self.recorders:
            recorder.interrupted()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # not running yet (on_mount ends it) or over already
        loop.call_soon_threadsafe(self._exit_for_signal)

    def _exit_for_signal(self) -> None:
        """Exit with 128 + the signal, once what is being mounted now is up.

        An exit half-way through a screen's mount (a signal as the coach
        starts) would remove its widgets under its own ``on_mount``: a
        traceback on the way out.
        """
        assert self.ending_signal is not None
        self.call_after_refresh(partial(self.exit, return_code=128 + self.ending_signal))

    def on_mount(self) -> None:
        if self.ending_signal is not None:  # a signal came while it was starting
            self._exit_for_signal()
            return
        self.app_resume_signal.subscribe(self, self._after_resume)
        if self.settings_warning:
            # It quotes the file (its path, a bad key or value): text, never markup.
            self.notify(
                self.settings_warning,
                title="Settings",
                severity="warning",
                timeout=12,
                markup=False,
            )
        choice = self.effective_settings.audio
        if self.start_entry is not None:
            # Straight into a session: its first cue is due at once, so the
            # player is made now (making one returns at once; its backend
            # starts up on its own thread).
            self._set_player(self._new_player(choice), choice)
            self.start_routine(self.start_entry)
        else:
            # The library needs no sound: look for a player once it is drawn.
            self.call_after_refresh(self._make_player, choice)
        if self.index is not None:
            # Also once it is drawn: read the library the list came from, or
            # keep the list of the library already read for the next start.
            self.call_after_refresh(
                self._load_library if self.library is None else self._save_index
            )
        self.call_after_refresh(self._read_screens_css)
        if self.library is not None:
            self.call_after_refresh(self._watch_library_read)
        self.set_interval(WATCH_SECONDS, self.check_library)

    def _read_screens_css(self) -> None:
        """Parse the other screens' styles now, while the library waits for a key.

        The first frame only needs ``app.tcss``. The screens that use
        ``screens.tcss`` name it in their ``CSS_PATH`` too, so one shown
        sooner still has it (Textual then reads it, and parses everything again).
        """
        path = _screens_css()
        if not self.stylesheet.has_source(str(path)):
            self.stylesheet.read(path)
            self.stylesheet.parse()

    def on_unmount(self) -> None:
        self.player.close()

    def _after_resume(self, app: object) -> None:
        """Back from Ctrl+Z: the terminal may have been cleared, so draw everything again."""
        self.screen.refresh(layout=True)
        for widget in self.screen.walk_children():
            widget.refresh()

    # -- the library -----------------------------------------------------------

    @work(thread=True, exclusive=True, group="library")
    def _load_library(self) -> None:
        """Read the library off the loop, hand it over, then update the index if it changed."""
        assert self.index is not None
        watch = LibraryWatch(self.index.folders)  # before reading: a change meanwhile shows
        library = self.index.load()
        watch.depend(library)
        self.post_message(
            LibraryLoaded(library, self._due_today(library), watch, self._trial_tonight())
        )
        prepare = self.settings.prepare
        rows = listing(library, prepare)
        if rows != self.listed:
            self.index.write(library, prepare, rows)

    @work(thread=True, exclusive=True, group="library", exit_on_error=False)
    def _save_index(self) -> None:
        """Keep the list of the library read at start in the index, for the next start."""
        if self.index is not None and self.library is not None:
            self.index.write(self.library, self.settings.prepare)

    def _due_today(self, library: Library) -> list[tuple[Due, Entry]]:
        """The programs of ``library`` with a session due today (the "Today" entries)."""
        from stretch_coach import agenda

        moment = self.wall_clock() if self.wall_clock is not None else agenda.now()
        return agenda.due_entries(library, agenda.program_day(moment))

    def _trial_tonight(self) -> str | None:
        """Which tonight is in a personal trial, shortly (``None``: none, or unreadable)."""
        from stretch_coach import agenda

        moment = self.wall_clock() if self.wall_clock is not None else agenda.now()
        try:
            return agenda.trial_tonight(moment, short=True)
        except Exception:  # optional: a history that cannot be read never stops the coach
            return None

    def on_library_loaded(self, message: LibraryLoaded) -> None:
        self.library = message.library
        if message.watch is not None:
            self._watch = message.watch
        for screen in self.screen_stack:
            if isinstance(screen, LibraryScreen):
                screen.library_loaded(message.library, message.today, trial=message.trial)
        if self.morning is not None and isinstance(self.screen, LibraryScreen):
            from stretch_coach.tui.widgets.checkin import offer_morning_check_in

            offer_morning_check_in(self, self.morning, self.wall_clock)

    # -- routine files changed on disk ----------------------------------------

    @work(thread=True, exclusive=True, group="library-watch", exit_on_error=False)
    def _watch_library_read(self) -> None:
        """Start watching the library given at start (it was read before the app)."""
        library = self.library
        if library is not None and library.folders:
            watch = LibraryWatch(library.folders)
            watch.depend(library)
            self.call_from_thread(setattr, self, "_watch", watch)

    def on_library_screen_shown(self, message: LibraryScreen.Shown) -> None:
        # Back from a session (or any screen): what is due today may have changed.
        self.check_library(today=True)

    def check_library(self, *, today: bool = False) -> None:
        """Read the library again if a routine file changed, was added or removed.

        Only while the library is in view (a session plays what it was given),
        one look at a time; the looking and the reading are done on a thread.

        Args:
            today: also work out the "Today" entries and the trial line again
                when no file changed (coming back to the library after a
                session that was one of them).
        """
        if (
            self._watch is None
            or self.library is None
            or not self.screen_stack  # the app is closing: its screens are gone
            or not isinstance(self.screen, LibraryScreen)
            or self._looking
        ):
            return
        self._looking = True
        self._reread_library(self._watch, self.library, today)

    @work(thread=True, group="library-watch", exit_on_error=False)
    def _reread_library(self, watch: LibraryWatch, old: Library, today: bool = False) -> None:
        from stretch_coach.catalog import LibraryIndex
        from stretch_coach.routine.library import Library

        try:
            if not watch.changed():
                if today:
                    self.post_message(
                        LibraryLoaded(old, self._due_today(old), None, self._trial_tonight())
                    )
                return
            # Both before reading, so that a file saved meanwhile is seen next time.
            fresh = LibraryWatch(watch.folders)
            index = None if self.index is None else LibraryIndex(watch.folders, self.index.path)
            library = Library.from_folders(watch.folders, fallback=old.fallback)
            fresh.depend(library)
            self.post_message(
                LibraryLoaded(library, self._due_today(library), fresh, self._trial_tonight())
            )
            if index is not None:
                index.write(library, self.settings.prepare)  # the next start lists it as now
        finally:
            self._looking = False  # one assignment: safe from this thread, read on the loop

    # -- audio ----------------------------------------------------------------

    @work(thread=True, exclusive=True, group="player", exit_on_error=False)
    def _make_player(self, choice: str) -> None:
        """Look for a player off the loop (it may probe for programs), then swap it in."""
        player = self._new_player(choice)
        self.call_from_thread(self._set_player, player, choice)

    def _new_player(self, choice: str) -> Player:
        from stretch_coach.coach import new_player

        # Always with a voice, so that turning it on mid-session can speak.
        return new_player(choice, self._audio_problem, self._ring, factory=self.player_factory)

    def _set_player(self, player: Player, choice: str) -> None:
        if choice != self.effective_settings.audio:
            player.close()  # the choice changed while this one was being made
            return
        old = self.player.inner
        self.player.inner = player
        if old is not player:
            old.close()

    def _audio_problem(self, text: str) -> None:
        self.report_audio_problem(text)

    def report_audio_problem(self, text: str) -> None:
        """Show a sound problem once; safe to call from any thread."""
        self.post_message(Notice("Sound", text))  # post_message is thread-safe

    def report_history_problem(self, text: str) -> None:
        """Show a history problem once; safe to call from any thread."""
        self.post_message(Notice("History", text))

    def on_notice(self, message: Notice) -> None:
        if message.text not in self._problems_seen:
            self._problems_seen.add(message.text)
            self.notify(
                message.text, title=message.title, severity="warning", timeout=8, markup=False
            )

    def _ring(self) -> None:
        """The terminal bell for the bell player, from whichever thread it plays on."""
        if on_app_thread(self):
            self.bell()
        else:
            self.call_from_thread(self.bell)

    # -- settings -------------------------------------------------------------

    def action_open_settings(self) -> None:
        """The settings form, showing the saved settings (not the command line's)."""
        from stretch_coach.coach import new_player
        from stretch_coach.tui.screens.settings import SettingsScreen

        self.push_screen(
            SettingsScreen(
                self.settings,
                path=self.settings_file.path,
                warning=self.settings_warning,
                make_player=partial(new_player, factory=self.player_factory),
            )
        )

    def on_settings_screen_changed(self, message: SettingsScreen.Changed) -> None:
        self.change_settings(message.settings)
        if self.settings_warning is None:
            message.form.warning_resolved()

    def change_settings(self, settings: Settings) -> None:
        """Apply new settings at once and save them (saying so if an old file is moved aside)."""
        old, self.settings = self.settings, settings
        if settings.theme != old.theme:
            self.theme = THEMES[settings.theme]
        if settings.audio != old.audio:
            self.audio_override = None  # choosing in settings beats --audio
            self._make_player(settings.audio)
        if settings.voice != old.voice:
            self.voice_override = None
            self.player.set_voice(settings.voice)
        if settings.prepare != old.prepare:
            for screen in self.screen_stack:
                if isinstance(screen, LibraryScreen):
                    screen.set_prepare(settings.prepare)
        try:
            self.settings_file, note = save_settings(settings, self.settings_file)
        except OSError as err:
            self.notify(
                f"Could not save settings: {err}", title="Settings", severity="error", markup=False
            )
            return
        self.settings_warning = None
        if note:
            self.notify(note, title="Settings", severity="warning", timeout=12, markup=False)

    # -- history and diary ----------------------------------------------------

    def action_open_history(self) -> None:
        """The history screen (its reading starts before the screen is built)."""
        from stretch_coach.tui.records import start_reading

        reading = start_reading(self, self.wall_clock)  # first: it runs while the screen is built
        from stretch_coach.tui.screens.history import HistoryScreen

        self.push_screen(HistoryScreen(now=self.wall_clock, reading=reading))

    def action_open_diary(self) -> None:
        """The diary form, to log a cramp."""
        from stretch_coach.tui.screens.diary import open_diary

        open_diary(self, now=self.wall_clock)

    # -- the flow between screens ---------------------------------------------

    def on_library_screen_start_routine(self, message: LibraryScreen.StartRoutine) -> None:
        self.start_routine(message.entry)

    def start_routine(self, entry: Entry) -> None:
        """Start a routine: its cautions first if not yet read (unless it is urgent), then
        the session."""
        if not entry.valid or entry.routine is None:
            first = entry.problems[0] if entry.problems else "it cannot be read"
            self.notify(
                f"{entry.shown} is not a valid routine: {first}", severity="error", markup=False
            )
            return
        from stretch_coach.routine.library import cautions_of

        routine = entry.routine
        # Its own cautions and its includes': a caution newly included shows again.
        cautions = cautions_of(entry)
        # An urgent routine's cautions are beside its session, not a screen before it.
        if not routine.urgent and self.cautions.needs_showing(routine.id, cautions):
            from stretch_coach.tui.screens.caution import CautionScreen

            def answered(go_on: bool | None) -> None:
                if go_on:
                    self.cautions.acknowledge(routine.id, cautions)
                    self._open_session(entry)

            self.push_screen(CautionScreen(entry), answered)
        else:
            self._open_session(entry)

    def prepare_session(self, entry: Entry) -> PreparedSession | None:
        """A session of ``entry`` with its listeners; ``None`` (said why) if it cannot be played."""
        from stretch_coach import coach
        from stretch_coach.errors import UserError

        try:
            timeline = coach.session_timeline(entry, self.effective_settings.prepare, entry.id)
        except UserError as err:
            self.notify(err.message, severity="error", markup=False)
            return None
        if self.clock is None:
            from stretch_coach.engine.clock import MonotonicClock

            self.clock = MonotonicClock()
        prepared = coach.prepare_session(
            entry,
            timeline,
            clock=self.clock,
            player=self.player,
            cue_log=self.cue_log,
            record=self.record,
            on_audio_problem=self.report_audio_problem,
            on_history_problem=self.report_history_problem,
            now=self.wall_clock,
        )
        self.recording = prepared.recorder
        if prepared.recorder is not None:
            self.recorders.append(prepared.recorder)
            if self.ending_signal is not None:
                prepared.recorder.interrupted()
        return prepared

    def _open_session(self, entry: Entry) -> None:
        from stretch_coach.tui.screens.session import SessionScreen

        prepared = self.prepare_session(entry)
        if prepared is not None:
            self.push_screen(SessionScreen(prepared), self._session_ended)

    def _session_ended(self, outcome: Outcome | None) -> None:
        """The session dismissed itself with how it went: its summary takes its place."""
        if outcome is None:
            return
        from stretch_coach.tui.screens.summary import SummaryScreen

        recorder = self.recording
        rate = partial(self._rate_session, recorder) if recorder is not None else None
        summary = SummaryScreen(outcome, rate=rate)
        self.push_screen(summary)
        if outcome.counts:  # the morning check-in follows the day's first counted session
            from stretch_coach.tui.widgets.checkin import offer_check_in

            offer_check_in(
                self, summary, self.wall_clock, recording=self.recording, clock=self.clock
            )

    def _rate_session(self, recorder: Written, effort: int | None, pain: int | None) -> None:
        """Keep the summary's effort and pain rating with the session, off the loop."""

        def write() -> None:
            from stretch_coach.tui.records import open_store

            recorder.wait(5.0)  # its start is written first: the number is known by then
            session_id = getattr(recorder, "session_id", None)
            if session_id is None:
                return  # not recorded (no history): nothing to rate
            try:
                with open_store(self, create=True) as store:
                    store.rate_session(session_id, effort=effort, pain=pain)
            except Exception as err:
                self.report_history_problem(f"The rating was not kept: {err}")

        self.run_worker(write, thread=True, group="rating", exit_on_error=False)

    def action_help(self, title: str) -> None:
        """The keys of the screen in front, headed ``title``."""
        from stretch_coach.tui.screens.dialogs import HelpScreen, describe_keys

        self.push_screen(HelpScreen(describe_keys(self.screen), title))

    def action_suspend(self) -> None:
        """Ctrl+Z: pause the session first, then go to the background."""
        from stretch_coach.tui.screens.session import SessionScreen

        for screen in self.screen_stack:
            if isinstance(screen, SessionScreen):
                screen.pause_for_suspend()
        self.action_suspend_process()


def run_app(args: argparse.Namespace, routine: str | None) -> int:
    """Open the coach: the library, or straight into ``routine``'s session.

    Args:
        args: the parsed command line: ``library`` (folders), and optionally
            ``audio``, ``voice``/``no_voice`` and ``cue_log``, for this run only
            (the command line beats the saved settings, which beat the defaults).
        routine: an id or a file to start at once, or ``None`` for the library.

    Returns:
        The exit code (0 on a normal quit).

    Raises:
        UserError: for a routine that is not in the library, or a bad folder.
        RoutineError: for a routine that is invalid. Both before any screen opens.
    """
    from stretch_coach import coach
    from stretch_coach.catalog import LibraryIndex
    from stretch_coach.routine.folders import library_folders

    index = LibraryIndex(library_folders(getattr(args, "library", None) or []))
    settings, settings_file, warning = open_settings()
    # The library list can be drawn from the index; the library is then read
    # after the first frame. A session to start needs the library now.
    listed = index.read(settings.prepare) if routine is None else None
    library = index.load() if listed is None else None
    entry = None
    if routine is not None:
        assert library is not None
        from stretch_coach import agenda

        entry = agenda.playable(library, routine).entry
        coach.session_timeline(entry, settings.prepare, routine)  # too long: say so before a screen
    overrides = coach.Overrides.from_args(args)
    cue_log = coach.open_cue_log(
        getattr(args, "cue_log", None), getattr(args, "library", None) or []
    )
    app = CoachApp(
        library,
        listed=listed or (),
        index=index if routine is None else None,  # a session's start is not the moment to write it
        settings=settings,
        settings_file=settings_file,
        settings_warning=warning,
        start=entry,
        audio_override=overrides.audio,
        voice_override=overrides.voice,
        record=True,
        cue_log=cue_log,
        morning=MorningAsk() if routine is None else None,
    )
    # The handlers stay until the recorders are done: a second SIGTERM
    # must not cut the last write short.
    with ending_on_signals(app):
        try:
            result = app.run()
        finally:
            for recorder in app.recorders:
                recorder.close()  # a session cut short is written as interrupted
            if cue_log is not None:
                cue_log.close()
    if app.ending_signal is not None:
        return 128 + app.ending_signal
    return int(result or app.return_code or 0)


@contextlib.contextmanager
def ending_on_signals(app: CoachApp) -> Iterator[None]:
    """While inside, :data:`ENDING_SIGNALS` end ``app`` by :meth:`CoachApp.end_by_signal`.

    Python-level handlers, not the loop's: Python runs them on the main
    thread even while it waits on a lock, so the app hears the signal
    however busy its loop is. Once the app has ended, a signal only sets
    the exit code. The previous handlers are back on the way out.
    """
    previous = {signum: signal.getsignal(signum) for signum in ENDING_SIGNALS}

    def handler(signum: int, frame: object) -> None:
        app.end_by_signal(signum)

    for signum in ENDING_SIGNALS:
        signal.signal(signum, handler)
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)
