"""The history screen, the diary form and the cramp check-in, driven with Pilot."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from history_helpers import TODAY, ZONE, add_cramp, add_session, fixed_now, open_history, populate
from textual.widgets import Checkbox, Input, Select, SelectionList, Sparkline, Static
from tui_helpers import run_command, shown, wait_for

from stretch_coach.tui.screens.diary import ConfirmDiscard, DiaryForm, RedFlagNotice
from stretch_coach.tui.screens.history import EMPTY, HistoryScreen
from stretch_coach.tui.screens.library import LibraryScreen
from stretch_coach.tui.screens.summary import SummaryScreen
from stretch_coach.tui.widgets.calendar import CRAMP_MARK, QUIET_MARK, TODAY_MARK, ActivityCalendar
from stretch_coach.tui.widgets.checkin import GUARD_SECONDS, QUESTION, CheckIn

pytestmark = pytest.mark.usefixtures("zone")


def history_path(hermetic: Path) -> Path:
    return hermetic / "data" / "history.sqlite3"


async def loaded(pilot: Any) -> HistoryScreen:
    """The history screen, once its worker has read the history."""
    screen = pilot.app.screen
    assert isinstance(screen, HistoryScreen)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()  # the worker's message is handled
    return screen


def cramps_in_store() -> list[Any]:
    with open_history() as store:
        return store.cramps()


# -- the history screen -------------------------------------------------------


async def test_h_opens_the_history_with_streak_adherence_and_recent_sessions(make_app: Any) -> None:
    with open_history() as store:
        populate(store)
    app = make_app(now=fixed_now)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("h")
        screen = await loaded(pilot)
        overview = screen.overview
        assert (
            overview is not None and overview.streak >= 5
        )  # at least the five evenings before today
        text = await shown(pilot)
        assert f"{overview.streak} days" in text and "in a row with a routine done" in text
        adherence = str(screen.query_one("#adherence", Static).render())
        assert (
            f"a routine on {overview.this_week.days_done} of 3 days so far" in adherence
        )  # Mon..Wed
        assert f"{overview.total_sessions} sessions recorded" in text
        assert "Last 16 weeks" in text
        yesterday = TODAY - timedelta(days=1)
        assert f"{yesterday:%Y-%m-%d} 22:15" in text and "Bedtime calf stretch" in text
        await pilot.press("escape")
        assert isinstance(app.screen, LibraryScreen)


async def test_the_calendar_marks_sessions_cramps_and_today(make_app: Any) -> None:
    with open_history() as store:
        add_session(store, TODAY - timedelta(days=1), "finished")
        add_session(store, TODAY - timedelta(days=2), "stopped")
        add_cramp(store, datetime(2024, 6, 10, 3, 0, tzinfo=ZONE), severity=5)  # Monday
        add_cramp(store, datetime(2024, 6, 3, 3, 0, tzinfo=ZONE))
        add_cramp(store, datetime(2024, 6, 4, 3, 0, tzinfo=ZONE))
        store.check_in(TODAY - timedelta(days=1))  # Tuesday night: no cramps
    app = make_app(now=fixed_now)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("h")
        screen = await loaded(pilot)
        calendar = screen.query_one(ActivityCalendar)
        assert calendar.week_counts()[-2:] == [2, 1]  # last week two, this week one
        lines = (await shown(pilot)).splitlines()
        # A cramp at 03:00 is marked on the evening before: nights go by their evening.
        sunday = next(line for line in lines if "Sun " in line)
        assert sunday.count(CRAMP_MARK) == 2
        monday = next(line for line in lines if "Mon " in line)
        assert monday.count(CRAMP_MARK) == 1
        tuesday = next(line for line in lines if "Tue " in line)
        assert tuesday.count(QUIET_MARK) == 1 and CRAMP_MARK not in tuesday
        wednesday = next(line for line in lines if "Wed " in line)
        assert TODAY_MARK in wednesday and CRAMP_MARK not in wednesday
        assert QUIET_MARK not in wednesday  # tonight is not known yet
        assert "Cramps per week (most 2; this week 1)" in "\n".join(lines)
        sparkline = screen.query_one(Sparkline)
        assert max(sparkline.data or [0]) == 2
        assert screen.overview is not None
        days = screen.overview.days
        assert days[TODAY - timedelta(days=1)].finished == 1
        assert days[TODAY - timedelta(days=2)].finished == 0


async def test_the_history_compares_nights_with_and_without_a_routine(make_app: Any) -> None:
    with open_history() as store:
        add_session(store, TODAY - timedelta(days=2))  # Monday 22:05, then the cramp
        add_cramp(store, datetime(2024, 6, 11, 2, 0, tzinfo=ZONE))
        store.check_in(TODAY - timedelta(days=3))  # Sunday: no routine, no cramp
    app = make_app(now=fixed_now)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("h")
        screen = await loaded(pilot)
        assert screen.overview is not None and screen.overview.insight is not None
        assert screen.overview.insight.to_json()["with"] == {"nights": 1, "cramp_nights": 1}
        text = str(screen.query_one("#insight", Static).render())
        assert "2 known nights: after a routine 1 (1 with a cramp), without 1" in text
        assert "Too few nights to tell yet (1 with, 1 without); keep logging." in text


async def test_an_empty_history_says_so_and_creates_nothing(make_app: Any, hermetic: Path) -> None:
    app = make_app(now=fixed_now)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("h")
        await loaded(pilot)
        text = await shown(pilot)
        assert EMPTY.split(":")[0] in text
        assert "No streak yet" in text
        assert "none logged in these weeks" in text
    assert not history_path(hermetic).exists()


async def test_an_unreadable_history_is_said_plainly(make_app: Any, hermetic: Path) -> None:
    history_path(hermetic).parent.mkdir(parents=True)
    with open_history() as store:
        store._conn.execute("PRAGMA user_version = 999")
    app = make_app(now=fixed_now)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("h")
        await loaded(pilot)
        text = await shown(pilot)
        assert "Could not read the history" in text and "newer" in text


async def test_a_damaged_history_is_said_once_and_left_as_it_is(
    make_app: Any, hermetic: Path
) -> None:
    path = history_path(hermetic)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is not a database" * 100)
    app = make_app(now=fixed_now)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("h")
        await loaded(pilot)
        notices = [n.message for n in app._notifications]
        assert len(notices) == 1 and "kept as it is" in notices[0].lower()
        assert "history repair" in notices[0]
        await pilot.press("escape", "h")
        await loaded(pilot)
        assert len(app._notifications) == 1
    assert path.read_bytes() == b"this is not a database" * 100  # looking changed nothing


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
async def test_small_terminals_put_the_figures_in_one_line(
    make_app: Any, size: tuple[int, int]
) -> None:
    with open_history() as store:
        populate(store)
    app = make_app(now=fixed_now)
    async with app.run_test(size=size) as pilot:
        await pilot.press("h")
        screen = await loaded(pilot)
        text = await shown(pilot)
        width = size[0]
        assert screen.has_class("-narrow") is (width < 72)
        if width < 72:
            assert screen.overview is not None
            assert f"Streak {screen.overview.streak} days" in text
            assert not screen.query_one("#history-stats").display
        assert "Mon" in text and "Sun" in text  # the whole week of days fits
        assert all(len(line) <= width for line in text.splitlines())


def _the_trials_sessions() -> None:
    """The trial's row ("0:39 of 3:57, 1 done, 2 skipped, stopped, not counted") and others."""
    with open_history() as store:
        add_session(store, TODAY - timedelta(days=3), title="Cool-down after exercise")
        add_session(store, TODAY - timedelta(days=2), "interrupted", steps=1)
        started = datetime(2024, 6, 12, 7, 33, tzinfo=ZONE)
        record = store.start_session(
            "wall-calf-stretch", "Wall calf stretch", "sha256:test", 237.0, started_at=started
        )
        record.step_done(0, "Step 1", 39.0)
        record.step_skipped(1, "Step 2", 0.0)
        record.step_skipped(2, "Step 3", 0.0)
        record.finish("stopped", ended_at=started + timedelta(seconds=39))


#: The recent sessions, as drawn at each size: every title whole (at 80 columns
#: the trial saw only "…"); words after a comma go under, then the steps.
RECENT_AT = {
    (80, 24): [
        "When         Routine                        Time  Steps      Ended",
        "06-12 07:33  Wall calf stretch      0:39 of 3:57  1 done,    stopped,",
        "                                                  2 skipped  not counted",
        "06-10 22:05  Bedtime calf stretch   1:00 of 3:05  1 done     interrupted,",
        "                                                             not counted",
        "06-09 22:05  Cool-down after        3:00 of 3:05  3 done     finished",
        "             exercise",
    ],
    (60, 20): [
        "When         Routine               Time  Ended",
        "06-12 07:33  Wall calf stretch     0:39  stopped,",
        "                                         not counted",
        "06-10 22:05  Bedtime calf stretch  1:00  interrupted,",
        "                                         not counted",
        "06-09 22:05  Cool-down after       3:00  finished",
        "             exercise",
    ],
    (100, 30): [
        "When         Routine                         Time  Steps              Ended",
        "06-12 07:33  Wall calf stretch       0:39 of 3:57  1 done, 2 skipped  stopped, not counted",  # noqa: E501 - as drawn, a line of the screen
        "06-10 22:05  Bedtime calf stretch    1:00 of 3:05  1 done             interrupted, not counted",  # noqa: E501
        "06-09 22:05  Cool-down after         3:00 of 3:05  3 done             finished",
        "             exercise",
    ],
}


@pytest.mark.parametrize("size", sorted(RECENT_AT), ids=str)
async def test_recent_sessions_keep_the_routine_readable(
    make_app: Any, size: tuple[int, int]
) -> None:
    _the_trials_sessions()
    app = make_app(now=fixed_now)
    async with app.run_test(size=size) as pilot:
        await pilot.press("h")
        screen = await loaded(pilot)
        screen.query_one("#history-body").scroll_end(animate=False)
        text = await shown(pilot)
    top = next(i for i, line in enumerate(text.splitlines()) if "Recent sessions" in line)
    rows = [
        " ".join(line.strip(" │▁▂▃▄▅▆▇█▔").split())
        for line in text.splitlines()[top + 1 : top + 1 + len(RECENT_AT[size])]
    ]
    assert rows == [" ".join(line.split()) for line in RECENT_AT[size]]
    assert "…" not in "\n".join(rows)


async def test_the_palette_opens_the_history_and_the_diary(make_app: Any) -> None:
    app = make_app(now=fixed_now)
    async with app.run_test(size=(100, 30)) as pilot:
        await run_command(pilot, "history")
        assert isinstance(app.screen, HistoryScreen)
        await pilot.press("escape")
        await run_command(pilot, "diary")
        assert isinstance(app.screen, DiaryForm)


# -- the diary form -----------------------------------------------------------


async def fill(pilot: Any, field: str, text: str) -> None:
    widget = pilot.app.screen.query_one(f"#{field}", Input)
    widget.focus()
    widget.value = ""
    await pilot.press(*text)


async def save_when(pilot: Any, text: str) -> DiaryForm:
    """Open the form, save it with *when* ``text``: it must stay open (refused)."""
    await pilot.press("d")
    await fill(pilot, "when", text)
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert isinstance(pilot.app.screen, DiaryForm)
    return pilot.app.screen


async def test_d_logs_a_cramp_with_every_field(make_app: Any) -> None:
    app = make_app(now=fixed_now)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("d")
        form = app.screen
        assert isinstance(form, DiaryForm)
        assert form.query_one("#when", Input).value == "2024-06-12 21:30"
        assert app.focused is form.query_one("#when", Input)
        await fill(pilot, "when", "2024-06-12 03:10")
        await pilot.press("tab", *"2m", "tab", *"6")
        form.query_one("#leg", Select).value = "left"
        form.query_one("#muscle", Select).value = "calf"
        form.query_one("#woke", Checkbox).focus()
        await pilot.press("space")
        await fill(pilot, "note", "after a long walk")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, DiaryForm))
        assert isinstance(app.screen, LibraryScreen)
        [entry] = cramps_in_store()
        assert entry.at == datetime(2024, 6, 12, 3, 10, tzinfo=ZONE)
        assert (entry.duration_seconds, entry.severity, entry.leg, entry.muscle) == (
            120.0,
            6,
            "left",
            "calf",
        )
        assert entry.woke is True and entry.symptoms == () and entry.note == "after a long walk"
        messages = [n.message for n in app._notifications]
        assert "Saved #1 2024-06-12 03:10, left calf, 2 min, severity 6." in messages


async def test_bad_fields_are_shown_next_to_them_and_nothing_is_written(
    make_app: Any, hermetic: Path
) -> None:
    app = make_app(now=fixed_now)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("d")
        form = app.screen
        await fill(pilot, "when", "2024-06-31 03:00")
        await fill(pilot, "severity", "12")
        await fill(pilot, "duration", "forever")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, DiaryForm)
        shown_errors = {w.id: str(w.render()) for w in form.query(".diary-error.-shown")}
        assert set(shown_errors) == {"when-error", "duration-error", "severity-error"}
        assert "0 to 10" in shown_errors["severity-error"]
        assert "90s" in shown_errors["duration-error"] or "2m" in shown_errors["duration-error"]
        assert app.focused is form.query_one("#when", Input)  # the first problem
        await fill(pilot, "when", "2024-06-12 03:00")
        await fill(pilot, "severity", "4")
        await fill(pilot, "duration", "90s")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, DiaryForm))
        assert not list(form.query(".diary-error.-shown"))
    [entry] = cramps_in_store()
    assert (entry.severity, entry.duration_seconds) == (4, 90.0)


async def test_a_time_in_the_future_is_refused(make_app: Any, hermetic: Path) -> None:
    app = make_app(now=fixed_now)
    async with app.run_test(size=(100, 30)) as pilot:
        form = await save_when(pilot, "2024-06-13 03:00")
        assert "future" in str(form.query_one("#when-error").render())
    assert not history_path(hermetic).exists()


async def test_escape_closes_an_untouched_form_and_asks_about_a_changed_one(
    make_app: Any, hermetic: Path
) -> None:
    app = make_app(now=fixed_now)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("d", "escape")
        assert isinstance(app.screen, LibraryScreen)
        await pilot.press("d")
        await fill(pilot, "note", "x")
        await pilot.press("escape")
        assert isinstance(app.screen, ConfirmDiscard)
        assert "Discard this entry?" in await shown(pilot)
        await pilot.press("n")  # anything but y keeps editing
        assert isinstance(app.screen, DiaryForm)
        assert app.screen.query_one("#note", Input).value == "x"
        await pilot.press("escape", "y")
        assert isinstance(app.screen, LibraryScreen)
    assert not history_path(hermetic).exists()


def notice_text(app: Any) -> str:
    return str(app.screen.query_one("#redflag-text", Static).render())


async def save_entry(
    pilot: Any, when: str, *, duration: str = "", symptom: str | None = None
) -> None:
    await pilot.press("d")
    await fill(pilot, "when", when)
    if duration:
        await fill(pilot, "duration", duration)
    if symptom:
        pilot.app.screen.query_one("#symptoms", SelectionList).select(symptom)
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: not isinstance(pilot.app.screen, DiaryForm))


async def test_every_symptom_is_in_view_at_80x24_and_the_last_is_picked_by_keys(
    make_app: Any,
) -> None:
    # The last two symptoms are the seeds' exposures (reasons to see a doctor):
    # the list once showed six rows and hid them below its own scroll bar.
    app = make_app(now=fixed_now)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("d")
        await fill(pilot, "when", "2024-06-10 02:00")
        symptoms = app.screen.query_one("#symptoms", SelectionList)
        symptoms.focus()
        await pilot.pause()
        labels = [str(symptoms.get_option_at_index(i).prompt) for i in range(8)]
        assert labels[-3:] == ["trouble walking", "contact with toxins", "an infected cut"]
        assert symptoms.size.height == symptoms.option_count == 8 and symptoms.max_scroll_y == 0
        screen_text = await shown(pilot)
        assert all(label in screen_text for label in labels), screen_text
        await pilot.press("end", "space", "ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, RedFlagNotice))
        assert "an infected cut" in notice_text(app)


async def test_a_red_flag_is_said_once_quoting_the_sign_and_the_entry_is_kept(
    make_app: Any,
) -> None:
    app = make_app(now=fixed_now)
    async with app.run_test(size=(100, 30)) as pilot:
        await save_entry(pilot, "2024-06-10 02:00", duration="15m", symptom="swelling")
        assert isinstance(app.screen, RedFlagNotice)
        text = notice_text(app)
        assert (
            text.startswith("This is a reason to see a doctor")
            and "15 min" in text
            and "swelling" in text
        )
        assert "This is a reason to see a doctor" in await shown(pilot)
        await pilot.press("enter")
        assert isinstance(app.screen, LibraryScreen)

        await save_entry(pilot, "2024-06-11 02:00")  # nothing alarming
        assert isinstance(app.screen, LibraryScreen)

        await save_entry(pilot, "2024-06-12 02:00")  # the third in 7 days: frequent cramps
        assert isinstance(app.screen, RedFlagNotice)
        assert "3 cramps logged in 7 days" in notice_text(app)
        await pilot.press("escape")

        await save_entry(pilot, "2024-06-12 04:00")  # still frequent: not said again
        assert isinstance(app.screen, LibraryScreen)
    assert len(cramps_in_store()) == 4


async def test_a_failed_write_keeps_the_form_and_what_was_typed(
    make_app: Any, hermetic: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = hermetic / "not-a-folder"
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_text("")
    monkeypatch.setenv("STRETCH_COACH_DATA_DIR", str(blocker / "data"))
    app = make_app(now=fixed_now)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("d")
        await fill(pilot, "note", "keep me")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: bool(list(app._notifications)))
        await pilot.pause()
        assert isinstance(app.screen, DiaryForm)
        assert app.screen.query_one("#note", Input).value == "keep me"
        message = list(app._notifications)[-1].message
        assert message.startswith("Not saved") and "still in the form" in message


async def test_logging_from_the_history_screen_shows_the_new_cramp(make_app: Any) -> None:
    app = make_app(now=fixed_now)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("h")
        screen = await loaded(pilot)
        await pilot.press("d")
        await fill(pilot, "when", "2024-06-12 02:00")
        await pilot.press("ctrl+s")
        await wait_for(
            pilot, lambda: screen.overview is not None and screen.overview.total_cramps == 1
        )
        assert app.screen is screen
        assert "1 cramp in the diary" in await shown(pilot)


# -- the check-in -------------------------------------------------------------


async def finish_session(pilot: Any) -> SummaryScreen:
    await pilot.pause()
    await pilot.press("enter")  # heel walking's only step is self-paced: done
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, SummaryScreen))
    screen = pilot.app.screen
    assert isinstance(screen, SummaryScreen)
    return screen


async def test_the_first_counted_session_of_the_day_asks_about_cramps(
    recorded_app: Any, clock: Any
) -> None:
    app = recorded_app(now=fixed_now)
    async with app.run_test(size=(80, 24)) as pilot:
        summary = await finish_session(pilot)
        await wait_for(pilot, lambda: bool(summary.query(CheckIn)))
        assert QUESTION in await shown(pilot)
        clock.advance(GUARD_SECONDS)
        await pilot.press("d")
        form = app.screen
        assert isinstance(form, DiaryForm)
        today = TODAY
        assert form.query_one("#when", Input).value == f"{today:%Y-%m-%d} "
        await pilot.press(*"00:05", "ctrl+s")
        await wait_for(pilot, lambda: app.screen is summary)
        await pilot.pause()
        assert "Logged in the diary." in await shown(pilot)
        await pilot.press("d")  # answered: d no longer opens the form
        assert app.screen is summary
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, LibraryScreen))
    [entry] = cramps_in_store()
    assert entry.at.date() == today and (entry.at.hour, entry.at.minute) == (0, 5)


async def test_n_records_last_night_as_a_night_without_cramps(
    recorded_app: Any, clock: Any
) -> None:
    app = recorded_app(now=fixed_now)
    async with app.run_test(size=(80, 24)) as pilot:
        summary = await finish_session(pilot)
        await wait_for(pilot, lambda: bool(summary.query(CheckIn)))
        clock.advance(GUARD_SECONDS)
        await pilot.press("n")
        await wait_for(pilot, lambda: summary.query_one(CheckIn).has_class("-answered"))
        assert "Recorded: no cramps last night." in await shown(pilot)
        await pilot.press("d")  # answered: d no longer opens the form
        assert app.screen is summary
    assert cramps_in_store() == []
    with open_history() as store:
        assert store.checked_in_nights() == [TODAY - timedelta(days=1)]


async def test_the_question_is_not_asked_once_last_night_is_known(recorded_app: Any) -> None:
    with open_history() as store:
        store.check_in(TODAY - timedelta(days=1))
    app = recorded_app(now=fixed_now)
    async with app.run_test(size=(80, 24)) as pilot:
        summary = await finish_session(pilot)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not summary.query(CheckIn)


async def test_keys_pressed_as_the_session_ends_do_not_answer(
    recorded_app: Any, clock: Any
) -> None:
    app = recorded_app(now=fixed_now)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        # Done, then n n n as a tired person skips on: the keys all come
        # before the question is a second and a half old.
        await pilot.press("enter", "n", "n", "n")
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen))
        summary = app.screen
        await wait_for(pilot, lambda: bool(summary.query(CheckIn)))
        check_in = summary.query_one(CheckIn)
        await pilot.press("n", "n", "n", "d")
        await pilot.pause()
        assert app.screen is summary and not check_in.answered  # no answer, no form
        clock.advance(GUARD_SECONDS - 0.1)
        await pilot.press("n")
        await pilot.pause()
        assert not check_in.answered  # still too new
        with open_history() as store:
            assert store.checked_in_nights() == []  # no quiet night recorded by accident
        clock.advance(0.1)
        await pilot.press("n")  # now an answer
        await wait_for(pilot, lambda: check_in.has_class("-answered"))
    assert cramps_in_store() == []
    with open_history() as store:
        assert store.checked_in_nights() == [TODAY - timedelta(days=1)]


async def test_a_session_that_does_not_count_does_not_ask(recorded_app: Any) -> None:
    app = recorded_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("s")  # its only step skipped: played to the end, but not counted
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen))
        summary = app.screen
        assert "Routine ended, most of it skipped" in await shown(pilot)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not summary.query(CheckIn)


async def test_a_later_session_the_same_day_does_not_ask_again(recorded_app: Any) -> None:
    # One clock for the app and the recorder, so "earlier today" is today at any hour.
    earlier = fixed_now() - timedelta(minutes=30)
    with open_history() as store:
        record = store.start_session("x", "Earlier", "sha256:x", 60.0, started_at=earlier)
        record.step_done(0, "Hold", 60.0)  # done: it counts
        record.finish("finished", ended_at=earlier + timedelta(minutes=1))
    app = recorded_app(now=fixed_now)
    async with app.run_test(size=(80, 24)) as pilot:
        summary = await finish_session(pilot)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not summary.query(CheckIn)
        assert QUESTION not in await shown(pilot)


async def test_a_stopped_session_does_not_ask(recorded_app: Any) -> None:
    app = recorded_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("q", "y")
        summary = app.screen
        assert isinstance(summary, SummaryScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not summary.query(CheckIn)


# -- what must never end the coach --------------------------------------------


async def test_an_unexpected_error_reading_the_history_is_shown_not_fatal(
    make_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stretch_coach.history.store import HistoryStore

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ValueError("a row the program cannot read")

    monkeypatch.setattr(HistoryStore, "overview", broken)
    app = make_app(now=fixed_now)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("h")
        await loaded(pilot)
        assert (
            "Could not read the history: ValueError: a row the program cannot read"
            in await shown(pilot)
        )
        await pilot.press("d")  # still usable: log a cramp from here
        assert isinstance(app.screen, DiaryForm)
    assert app.return_code in (None, 0)


async def test_a_date_out_of_range_is_refused_in_the_form(make_app: Any) -> None:
    app = make_app(now=fixed_now)
    async with app.run_test(size=(100, 30)) as pilot:
        form = await save_when(pilot, "9999-12-31 23:59")
        assert form.query_one("#when-error").has_class("-shown")
    assert app.return_code in (None, 0)


async def test_a_save_under_way_cannot_be_cancelled_and_closes_the_form(
    make_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from stretch_coach.history import diary

    release = threading.Event()
    add_entry = diary.add_entry

    def held(store: Any, cramp: Any) -> Any:
        release.wait(10)  # another program holds the history for a moment
        return add_entry(store, cramp)

    monkeypatch.setattr(diary, "add_entry", held)
    app = make_app(now=fixed_now)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("d")
        await fill(pilot, "note", "while it saves")
        await pilot.press("ctrl+s")
        form = app.screen
        assert isinstance(form, DiaryForm) and form.saving
        await pilot.click("#cancel")
        await pilot.press("escape")
        assert app.screen is form  # neither the button nor the key asks to discard now
        await pilot.press("question_mark")  # a dialog over the form while it saves
        release.set()
        await wait_for(pilot, lambda: isinstance(app.screen, LibraryScreen))
        assert [type(s) for s in app.screen_stack] == [LibraryScreen]
    [entry] = cramps_in_store()
    assert entry.note == "while it saves"


def test_one_known_night_is_one_night() -> None:
    from stretch_coach.history.insight import Comparison
    from stretch_coach.tui.screens.history import _insight

    text = _insight(Comparison(1, 0, 0, 0)).plain
    assert text.startswith("1 known night: after a routine 1 (0 with a cramp), without 0")
