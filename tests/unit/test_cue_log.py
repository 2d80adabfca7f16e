"""``--cue-log``: one flushed JSON line per fired cue, matching the timeline one-to-one."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from stretch_coach.engine.clock import FakeClock
from stretch_coach.engine.cue_log import CueLog
from stretch_coach.engine.session import Session
from stretch_coach.timeline import Timeline

FIELDS = ["event", "at", "t", "step", "name", "side", "rep", "set", "phase", "sound"]


class CountingStream(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.flushes = 0

    def flush(self) -> None:
        self.flushes += 1
        super().flush()


@pytest.fixture
def play_logged(play: Callable[..., None]) -> Callable[..., None]:
    def run(timeline: Timeline, log: CueLog, late: float = 0.0) -> None:
        clock = FakeClock()
        play(Session(timeline, clock, listeners=[log]), clock, late=late)

    return run


def test_every_cue_is_logged_once_in_order_with_planned_and_measured_times(
    make_timeline: Callable[..., Timeline], example_yaml: str, play_logged: Callable[..., None]
) -> None:
    timeline = make_timeline(example_yaml)
    stream = CountingStream()
    play_logged(timeline, CueLog(stream), late=0.00123456)
    lines = stream.getvalue().splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == len(timeline.cues)
    assert stream.flushes == len(records)  # each line is flushed as it is written
    for record, cue in zip(records, timeline.cues, strict=False):
        assert list(record) == FIELDS
        planned = cue.to_json()
        assert {k: record[k] for k in ("event", "step", "name", "side", "rep", "set", "sound")} == {
            k: planned[k] for k in ("event", "step", "name", "side", "rep", "set", "sound")
        }
        assert record["at"] == round(cue.at, 4)
        assert record["t"] - record["at"] <= 0.0013  # rounded to 0.1 ms
        assert record["t"] >= record["at"]


def test_silent_cues_are_logged_too(
    make_timeline: Callable[..., Timeline], play_logged: Callable[..., None]
) -> None:
    timeline = make_timeline(
        "title: Q\ncues:\n  start: none\n  end: none\n"
        "steps:\n  - name: Hold\n    hold: 2s\n    prepare: 0\n"
    )
    stream = io.StringIO()
    play_logged(timeline, CueLog(stream))
    records = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(r["event"], r["sound"]) for r in records] == [
        ("start", "none"),
        ("end", "none"),
        ("finish", "finish"),
    ]


def test_a_log_it_opened_is_closed_and_complete(
    tmp_path: Path,
    make_timeline: Callable[..., Timeline],
    example_yaml: str,
    play_logged: Callable[..., None],
) -> None:
    timeline = make_timeline(example_yaml)
    path = tmp_path / "cues.jsonl"
    log = CueLog.open(path)
    play_logged(timeline, log)
    log.close()
    assert log.stream.closed
    assert len(path.read_text(encoding="utf-8").splitlines()) == len(timeline.cues)
