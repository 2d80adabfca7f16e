"""The clocks: fake time for tests, and active time that stands still while paused."""

from __future__ import annotations

import pytest

from stretch_coach.engine.clock import FakeClock, MonotonicClock, PausableClock


def test_monotonic_clock_never_goes_back() -> None:
    clock = MonotonicClock()
    readings = [clock.now() for _ in range(1000)]
    assert readings == sorted(readings)


def test_fake_clock_moves_only_when_told() -> None:
    clock = FakeClock(10.0)
    assert clock.now() == 10.0
    clock.advance(2.5)
    assert clock.now() == 12.5
    clock.set(20.0)
    assert clock.now() == 20.0


def test_fake_clock_refuses_to_go_back() -> None:
    clock = FakeClock(5.0)
    with pytest.raises(ValueError):
        clock.advance(-1.0)
    with pytest.raises(ValueError):
        clock.set(4.0)


def test_active_time_stands_still_while_paused_and_carries_on_exactly() -> None:
    clock = FakeClock(100.0)
    active = PausableClock(clock)
    start = active.active()
    clock.advance(3.0)
    active.pause()
    assert active.paused
    clock.advance(50.0)
    assert active.active() - start == 3.0
    active.resume()
    assert not active.paused
    assert active.active() - start == 3.0
    clock.advance(1.5)
    assert active.active() - start == 4.5


def test_pause_and_resume_twice_change_nothing() -> None:
    clock = FakeClock()
    active = PausableClock(clock)
    clock.advance(1.0)
    active.pause()
    clock.advance(1.0)
    active.pause()  # the first pause stands
    clock.advance(1.0)
    active.resume()
    active.resume()
    assert active.active() == 1.0


def test_pause_at_cuts_active_time_back_to_an_earlier_instant() -> None:
    clock = FakeClock()
    active = PausableClock(clock)
    clock.advance(4.0)
    clock.advance(10.0)  # a gap found after the fact
    active.pause_at(4.0)
    assert active.active() == 4.0
    active.resume()
    clock.advance(1.0)
    assert active.active() == 5.0


def test_pause_at_never_reaches_back_before_the_last_resume() -> None:
    clock = FakeClock()
    active = PausableClock(clock)
    clock.advance(2.0)
    active.pause()
    clock.advance(5.0)
    active.resume()  # at 7.0, active 2.0
    clock.advance(1.0)
    active.pause_at(3.0)  # before the resume: clamped to it
    assert active.active() == 2.0


def test_pause_at_a_future_instant_pauses_now() -> None:
    clock = FakeClock()
    active = PausableClock(clock)
    clock.advance(2.0)
    active.pause_at(9.0)
    clock.advance(5.0)
    assert active.active() == 2.0
