"""The session: a big countdown, what to do, and keys to pause, skip and stop.

The engine owns every second. This screen starts a :class:`Session` and its
:class:`AsyncDriver` (an async worker on the app's loop), sends it the user's
commands, and redraws from ``session.state()`` when something happens (an
engine event, a key) and, while the clock runs, at the next moment a clock on
screen would change, by a deadline on the engine's clock. It never counts
ticks: a redraw that comes late, or one held over a suspend, just draws the
engine's state as it is then.

Engine events arrive through a listener, on the app's loop, and are posted to
this screen as :class:`EngineEvent` messages: cues flash the stage (so the coach
works muted), speech and prompts appear as captions, and at the end of the
session the screen dismisses itself with its :class:`Outcome`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from rich.cells import cell_len
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Digits, ProgressBar, Static

from stretch_coach.routine.durations import format_clock
from stretch_coach.timeline import SegmentKind
from stretch_coach.tui.palette import SessionCommands
from stretch_coach.tui.screens import SCREENS_CSS
from stretch_coach.tui.screens.summary import Outcome
from stretch_coach.tui.widgets.bigdigits import BigDigits
from stretch_coach.tui.widgets.cautions import urgent_cautions
from stretch_coach.tui.widgets.footer import FittingFooter
from stretch_coach.tui.widgets.linedraw import LineBar, LineDigits, LineLabel
from stretch_coach.words import (
    BACK_PART_HELP,
    BACK_STEP_HELP,
    CUE_LABELS,
    NEXT_PART_HELP,
    PAUSE_REASONS,
    SKIP_STEP_HELP,
    START_NOW_HELP,
    capital,
    routine_left_text,
    segment_label,
    segment_where,
)

if TYPE_CHECKING:
    from stretch_coach.coach import PreparedSession
    from stretch_coach.engine.events import Event
    from stretch_coach.engine.session import SessionState
    from stretch_coach.timeline import Cue

#: How long after a shown clock turns over its redraw is due, in seconds: a
#: timer that fires right on the boundary still finds the new second.
REDRAW_MARGIN = 0.002
#: How long a cue lights the stage up, in seconds.
FLASH_SECONDS = 0.6
#: Steps of the progress bars (finer steps would only cost redraws).
BAR_STEPS = 1000

#: Below this height the instructions shrink so the bars and what is next stay in view.
SHORT = 24
#: From this size (columns, rows) the countdown grows, to be read across a room...
LARGE = (120, 40)
#: ...and from this size it grows again.
HUGE = (180, 55)
#: The narrowest the clocks beside the bars get, a space before the words included.
CLOCK_MIN_WIDTH = 10
#: Engine statuses in which the routine is under way.
ACTIVE = ("running", "waiting", "paused")


class EngineEvent(Message):
    """Something the engine reported (a cue, a step, speech, the end)."""

    def __init__(self, event: Event) -> None:
        super().__init__()
        self.event = event


class StillBar(ProgressBar):
    """A progress bar that moves only when told to, its bar drawn by the line API.

    Textual's bar also wakes once a second to work out an ETA, which this
    screen never shows: that timer (one per bar) is not started, and a move
    takes no ETA sample. Its bar is a :class:`LineBar`, which draws the same
    line without Rich; set :attr:`progress` to move it.
    """

    # The bar inside draws the progress and this container has nothing of its
    # own to draw: a move repaints the bar alone (Textual's repaints both).
    progress: reactive[float] = reactive(0.0, repaint=False)
    percentage: reactive[float | None] = reactive[float | None](None, repaint=False)

    def _watch_progress(self, progress: float) -> None:
        """Nothing: Textual's bar takes an ETA sample here, on every move."""

    def compose(self) -> ComposeResult:
        # ProgressBar.compose's bar, as a LineBar; this screen shows no percentage nor ETA.
        yield (LineBar(id="bar").data_bind(ProgressBar.percentage).data_bind(ProgressBar.gradient))

    def _on_mount(self, event: events.Mount) -> None:
        # Handlers run down the classes in MRO order: stopping here keeps
        # ProgressBar.on_mount (the ETA timer) from running; Widget's own
        # mount work is done by hand.
        super()._on_mount(event)
        event.prevent_default()


class SessionScreen(Screen[Outcome]):
    """Plays one routine, and dismisses itself with how it went.

    Args:
        prepared: the session to play, from :mod:`stretch_coach.coach`, with
            its player, history and cue log already listening (not started).
    """

    CSS_PATH = SCREENS_CSS

    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {SessionCommands}
    # The order is the Footer's: what matters most comes first, so a narrow
    # terminal cuts voice, mute and the moving keys from the right; quit and
    # help always keep their room (FittingFooter's keep), from 60 columns up.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "pause", "Pause"),
        Binding("space", "resume", "Resume"),
        Binding("enter", "done", "Done"),
        Binding("c", "count_rep", "Count"),
        # Two pairs, neither told apart by case (caps lock at night): n and b
        # move a part (a side or a set), s and a a whole step; on the keyboard
        # the key that goes back is left of the one that goes on.
        # n in a pause that opens a part begins its work ("Start now"); in the
        # work it ends the part. The engine decides; the footer names which.
        Binding("n", "next_part(True)", "Start now", tooltip=START_NOW_HELP),
        Binding("n", "next_part(False)", "Next part", tooltip=NEXT_PART_HELP),
        Binding("s", "next_step", "Skip step", tooltip=SKIP_STEP_HELP),
        Binding("b", "previous_part", "Back part", tooltip=BACK_PART_HELP),
        Binding("a", "previous_step", "Back step", tooltip=BACK_STEP_HELP),
        # Not in the footer: a and b restart the step or the part once a few
        # seconds in, so the footer's room goes to quit, help and mute (help lists it).
        Binding("r", "restart_step", "Restart", show=False),
        Binding("q", "stop", "Quit"),
        Binding("question_mark", "app.help('Keys: session')", "Help"),
        Binding("m", "set_muted(True)", "Mute"),
        Binding("m", "set_muted(False)", "Unmute"),
        Binding("v", "set_voice(False)", "Voice off"),
        Binding("v", "set_voice(True)", "Voice on"),
    ]
    # Caps lock changes no key's meaning: each letter in capitals does the same
    # (hidden: the footer, the help and the palette show the small letter).
    BINDINGS += [
        Binding(b.key.upper(), b.action, show=False)
        for b in BINDINGS
        if isinstance(b, Binding) and len(b.key) == 1 and b.key.isalpha()
    ]

    def __init__(self, prepared: PreparedSession) -> None:
        super().__init__()
        from stretch_coach.engine.driver import AsyncDriver

        self.prepared = prepared
        self.entry = prepared.entry
        self.timeline = prepared.timeline
        self.player = prepared.player
        self.session = prepared.session
        self.session.add_listener(self._listen)
        self.driver = AsyncDriver(self.session, self.session.clock)
        self.state: SessionState | None = None
        self._shown: dict[str, Any] = {}
        self._cue_text = ""
        self._caption = ""
        self._flash_timer: Timer | None = None
        self._redraw_timer: Timer | None = None
        self._clock_width = 0  # the width both clocks beside the bars are given
        self._leaving = False
        self._big = 0  # the big countdown's scale; 0: the ordinary digits

    # -- layout ---------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # Text from the routine (title, step, side, instructions, what is said,
        # the next step) is shown as written: markup=False, never Textual markup.
        with Horizontal(id="session-top"):
            yield Static(self.entry.title, id="routine-title", markup=False)
            yield Static(id="step-count")
        with Vertical(id="stage"):
            yield Static(id="step-name", markup=False)
            yield Static(id="where", markup=False)
            yield LineDigits("", id="countdown")
            yield BigDigits(id="countdown-big")
            yield Static(id="status-line", markup=False)
            yield Static(id="caption", markup=False)
        yield Static(id="instructions", markup=False)
        with Horizontal(classes="bar-row", id="step-bar-row"):
            yield Static("Step", classes="bar-label")
            yield StillBar(total=BAR_STEPS, show_eta=False, show_percentage=False, id="step-bar")
            yield LineLabel(id="step-left", classes="bar-time")
        with Horizontal(classes="bar-row"):
            yield Static("Routine", classes="bar-label")
            yield StillBar(total=BAR_STEPS, show_eta=False, show_percentage=False, id="routine-bar")
            yield LineLabel(id="routine-left", classes="bar-time")
        yield Static(id="next", markup=False)
        # Compact, no palette hint, and only whole keys: what matters most comes first.
        yield FittingFooter(compact=True, show_command_palette=False, keep=("q", "question_mark"))
        # An urgent routine's cautions, docked beside the step (it had no caution screen first).
        yield from urgent_cautions(self.entry)

    def on_mount(self) -> None:
        self.app.app_suspend_signal.subscribe(self, self._on_app_suspend)
        self.session.start()
        self.run_worker(self.driver.run(), name="engine", group="engine", exclusive=True)
        self.redraw()

    def on_resize(self, event: events.Resize) -> None:
        width, height = event.size
        self.set_class(height < SHORT, "-short")
        scale = 3 if width >= HUGE[0] and height >= HUGE[1] else 2
        self._big = scale if width >= LARGE[0] and height >= LARGE[1] else 0
        self._show_digits(self._shown.get("digits", ""))

    # -- covered: the clock stops while something is over the session -------------

    def on_screen_suspend(self) -> None:
        """Help, the quit question, the palette or any dialog covers the session: pause."""
        if not self._leaving and self.session.state().status in ("running", "waiting"):
            self._command("pause", "covered")

    def on_screen_resume(self) -> None:
        """Uncovered: resume, unless the person paused (or the coach did, for another reason)."""
        state = self.session.state()
        if not self._leaving and state.status == "paused" and state.pause_reason == "covered":
            self._command("resume")

    def on_unmount(self) -> None:
        # Leaving by any road (ctrl+q, an error) ends the session properly, so
        # the audio stops and a history listener sees it end.
        self._leaving = True
        if self.session.state().status in ACTIVE or self.session.state().status == "ready":
            self.session.stop()
        if self.session.status != "finished":
            self.player.stop()  # a finished routine's last sounds play on under the summary

    # -- drawing --------------------------------------------------------------

    def _set(self, key: str, value: Any, apply: Any) -> bool:
        """Call ``apply(value)`` only when ``value`` changed (redraws cost CPU)."""
        if self._shown.get(key, object()) == value:
            return False
        self._shown[key] = value
        apply(value)
        return True

    def redraw(self) -> None:
        """Draw the engine's state as it is now."""
        state = self.session.state()
        previous, self.state = self.state, state
        if previous is None or _bindings_key(previous) != _bindings_key(state):
            self.refresh_bindings()
        seg = state.segment
        status = state.status
        self.set_class(status == "paused", "-paused")
        self.set_class(status == "waiting", "-waiting")
        if seg is None or state.step is None:
            return
        q = self.query_one
        self._set(
            "count",
            (state.step_index, len(self.timeline.steps)),
            lambda v: q("#step-count", Static).update(f"Step {v[0] + 1} of {v[1]}"),
        )
        self._set("name", state.step.name, lambda v: q("#step-name", Static).update(v))
        label = segment_label(seg, state.phase)  # in a repetition with phases: "Lift", "Lower"
        where = segment_where(seg)
        self._set(
            "where",
            f"{label} · {where}" if where else label,
            lambda v: q("#where", Static).update(v),
        )
        ticked = self._set("digits", _digits_text(state), self._show_digits)
        self._set("status", self._status_text(state), lambda v: q("#status-line", Static).update(v))
        self._set("caption", self._caption, lambda v: q("#caption", Static).update(v))
        instructions = (state.step.step.instructions or "").strip()
        self._set("instructions", instructions, lambda v: q("#instructions", Static).update(v))
        step_len = self.timeline.step_length(state.step_index)
        step_left_seconds = (
            None if step_len is None else max(0.0, step_len * (1 - state.step_progress))
        )
        step_left = "self-paced" if step_left_seconds is None else format_clock(step_left_seconds)
        changed = ticked
        changed |= self._set("step-left", step_left, lambda v: self._clock_text("#step-left", v))
        self._schedule(state, step_left_seconds)
        # The clock counts timed seconds only: self-paced steps still to do are
        # said beside it ("0:00 + 2 self-paced left"), never a bare "0:00 left".
        changed |= self._set(
            "routine-left",
            routine_left_text(state),
            lambda v: self._clock_text("#routine-left", v),
        )
        self._set("next", _next_text(state), lambda v: q("#next", Static).update(v))
        if changed or previous is None or previous.segment is not seg or previous.status != status:
            # The bars move with the clocks beside them (once a second, in the
            # same frame), not on every redraw in between: a frame costs CPU.
            total = state.routine_total or 0.0
            self._bar("step-bar", state.step_progress)
            steps = len(self.timeline.steps)
            self._bar(
                "routine-bar",
                state.routine_elapsed / total if total else state.step_index / max(1, steps),
            )

    def _schedule(self, state: SessionState, step_left: float | None) -> None:
        """Redraw again when a clock on screen next turns over (only while it runs).

        Nothing else on screen moves by itself: the rest changes with an
        engine event or a key, which redraw at once (a phase under way changes
        with its cue: the timeline has one at every phase). The delay is read from
        the engine's clock, so a late timer just draws the state as it is.
        """
        if self._redraw_timer is not None:
            self._redraw_timer.stop()
            self._redraw_timer = None
        if state.status != "running" or self._leaving:
            return
        wait = next_turnover(state.segment_remaining, step_left, state.routine_remaining)
        if wait is not None:
            self._redraw_timer = self.set_timer(wait + REDRAW_MARGIN, self.redraw)

    def _clock_text(self, widget_id: str, text: str) -> None:
        """Show a clock beside a bar; the screen's layout is redone only if its width changes.

        Both clocks get the width of the wider (and a space before it), so the
        two bars end in the same column whatever their words ("2:13" beside
        "2:48 + 1 self-paced left"). A layout pass over the whole screen costs
        more than the rest of a second's redraw: the clocks keep their width
        for minutes at a time.
        """
        self.query_one(widget_id, LineLabel).update(text, layout=False)
        shown = (self._shown.get("step-left", ""), self._shown.get("routine-left", ""))
        width = max(CLOCK_MIN_WIDTH, 1 + max(cell_len(t) for t in shown))
        if width != self._clock_width:
            self._clock_width = width
            for clock in self.query(".bar-time"):
                clock.styles.width = width  # a change of width lays the screen out again

    def _bar(self, bar_id: str, progress: float) -> None:
        """Move a bar only when it would look different (half a cell), to save redraws."""
        bar = self.query_one(f"#{bar_id}", StillBar)
        cells = max(1, bar.content_size.width * 2)
        visible = math.floor(max(0.0, min(1.0, progress)) * cells) / cells

        def move(fraction: float) -> None:
            bar.progress = fraction * BAR_STEPS

        self._set(bar_id, visible, move)

    def _show_digits(self, text: str) -> None:
        digits = self.query_one("#countdown", Digits)
        big = self.query_one("#countdown-big", BigDigits)
        # A manual step has no number to show; a big terminal shows it big.
        digits.display = bool(text) and not self._big
        big.display = bool(text) and bool(self._big)
        if self._big:
            big.show(text, self._big)
        else:
            digits.update(text)

    def _status_text(self, state: SessionState) -> str:
        seg = state.segment
        if seg is None:
            return ""
        if state.status == "paused":
            reason = PAUSE_REASONS.get(state.pause_reason or "user", "Paused")
            if state.pause_reason == "covered":
                return f"⏸  {reason}"  # it goes on by itself
            return f"⏸  {reason.upper() if reason == 'Paused' else reason} — press space to resume"
        if seg.kind is SegmentKind.COUNTED:
            return f"{state.counted} of {seg.reps} reps — press c for each, Enter when done"
        if seg.kind is SegmentKind.MANUAL:
            return "Take your time — press Enter when done"
        return self._cue_text

    # -- engine events ----------------------------------------------------------

    def _listen(self, event: Event) -> None:
        """Engine listener: runs on the app's loop, so it only posts a message."""
        self.post_message(EngineEvent(event))

    @on(EngineEvent)
    def _engine_event(self, message: EngineEvent) -> None:
        from stretch_coach.engine import events

        event = message.event
        if isinstance(event, events.CueFired):
            self._cue(event.cue)
        elif isinstance(event, events.StepStarted):
            self._caption = ""
            self._cue_text = ""
        elif isinstance(event, events.Say) and event.kind not in ("instructions", "phase"):
            # Everything the voice says is also written (instructions already are,
            # and a phase's name heads the stage while it lasts: a caption would outstay it).
            self._caption = f"“{event.text}”"
        elif isinstance(event, events.PromptDue):
            self._caption = f"“{event.prompt.say}”"
            self._flash()
        elif isinstance(event, events.RepCounted):
            self._flash()
        elif isinstance(event, events.Ended):
            if not self._leaving:
                self._leaving = True
                self.pop_until_active()  # a dialog or the help over it goes with it
                self.dismiss(self._outcome(event.status))
            return
        self.redraw()

    def _cue(self, cue: Cue) -> None:
        text = CUE_LABELS.get(cue.event, "")
        if cue.event == "phase" and cue.phase is not None:
            text = capital(cue.phase)
        if cue.event == "countdown" and cue.segment is not None:
            seg = self.timeline.segments[cue.segment]
            text = str(round(seg.end - cue.at))
        self._cue_text = text
        if not cue.sound.silent:
            self._flash()

    def _flash(self) -> None:
        """Light the stage up briefly: every sound is also seen."""
        stage = self.query_one("#stage")
        stage.add_class("-cue")
        if self._flash_timer is not None:
            self._flash_timer.stop()
        self._flash_timer = self.set_timer(FLASH_SECONDS, lambda: stage.remove_class("-cue"))

    def _outcome(self, status: str) -> Outcome:
        state = self.session.state()
        tally = self.prepared.tally  # the history's figures, so the summary and it agree
        return Outcome(
            title=self.entry.title,
            status=status,
            seconds=tally.seconds,
            planned_seconds=self.timeline.total,
            steps_done=state.steps_done,
            steps_skipped=state.steps_skipped,
            steps_total=len(self.timeline.steps),
            counts=tally.counts,
        )

    def _on_app_suspend(self, app: object) -> None:
        self.pause_for_suspend()

    def pause_for_suspend(self) -> None:
        """Pause before the app goes to the background (Ctrl+Z)."""
        if self.session.state().status in ("running", "waiting"):
            self._command("pause", "suspend")

    # -- commands ---------------------------------------------------------------

    def _command(self, name: str, *args: str) -> None:
        getattr(self.session, name)(*args)
        self.driver.poke()
        self.redraw()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        state = self.state or self.session.state()
        status = state.status
        seg = state.segment
        if status == "paused" and state.pause_reason == "covered":
            # Behind the palette the keys are those of the session uncovered.
            status = "waiting" if seg is not None and not seg.timed else "running"
        active = status in ACTIVE
        if action == "pause":
            return status in ("running", "waiting")
        if action == "resume":
            return status == "paused"
        untimed = seg is not None and seg.duration is None
        if action == "done":  # the engine resumes a paused self-paced step on done
            return untimed and active
        if action == "count_rep":
            return untimed and active and seg is not None and seg.kind is SegmentKind.COUNTED
        if action == "next_part":
            return active and self.session.part_opening() == parameters[0]
        if action in ("next_step", "restart_step", "previous_part"):
            return active
        if action == "previous_step":
            return active and state.step_index > 0
        if action == "set_muted":
            return self.player.muted != parameters[0]
        if action == "set_voice":
            return self.player.voice != parameters[0]
        return True

    def action_pause(self) -> None:
        self._command("pause", "user")

    def action_resume(self) -> None:
        self._command("resume")

    def action_done(self) -> None:
        self._command("done")

    def action_count_rep(self) -> None:
        self._command("count_rep")

    def action_next_step(self) -> None:
        self._command("next_step")

    def action_next_part(self, opening: bool) -> None:
        # Either footer label: the engine tells a pause from the work as the key arrives.
        self._command("next_part")

    def action_previous_part(self) -> None:
        self._command("previous_part")

    def action_previous_step(self) -> None:
        self._command("previous_step")

    def action_restart_step(self) -> None:
        self._command("restart_step")

    def action_set_muted(self, muted: bool) -> None:
        self.player.set_muted(muted)
        self.notify("Sound off. Cues still show on screen." if muted else "Sound on.", timeout=3)
        self.refresh_bindings()

    def action_set_voice(self, voice: bool) -> None:
        from stretch_coach.engine.hearing import voice_notice

        self.player.set_voice(voice)
        missing = voice_notice(self.player.inner, wanted=voice)
        self.notify(
            missing
            or ("Voice on." if voice else "Voice off. Spoken words still show as captions."),
            timeout=8 if missing else 3,
        )
        self.refresh_bindings()

    def action_stop(self) -> None:
        from stretch_coach.tui.screens.dialogs import ConfirmStop

        def answered(stop: bool | None) -> None:
            if stop and self.session.state().status in ACTIVE:
                self._command("stop")

        self.app.push_screen(ConfirmStop(), answered)


def next_turnover(*clocks: float | None) -> float | None:
    """Seconds until the first of these countdowns shows another figure, or ``None``.

    Each clock counts down in step with the session's position and is shown
    by :func:`format_clock`, which rounds up: ``12.3`` s shows ``0:13`` until
    ``12.0`` is passed, 0.3 s from now. A clock at zero shows ``0:00`` from
    then on, and ``None`` (self-paced) never changes by itself.
    """
    waits = []
    for left in clocks:
        if left is None:
            continue
        whole = max(0, math.ceil(left - 1e-9))  # what format_clock shows
        if whole > 0:
            waits.append(max(left - (whole - 1) - 1e-9, 0.0))
    return min(waits) if waits else None


def _bindings_key(state: SessionState) -> tuple[object, ...]:
    """What the available keys depend on; the Footer is refreshed when it changes."""
    kind = state.segment.kind if state.segment is not None else None
    return (state.status, kind, state.step_index > 0)


def _digits_text(state: SessionState) -> str:
    seg = state.segment
    if seg is None:
        return ""
    if seg.kind is SegmentKind.COUNTED:
        return str(state.counted)
    if state.segment_remaining is None:
        return ""
    return format_clock(state.segment_remaining)


def _next_text(state: SessionState) -> str:
    if state.next_segment is None:
        return "Next: the end of the routine"
    return f"Next: {state.next_label}"
