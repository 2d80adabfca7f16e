"""The timeline builds its Cues and Segments without their frozen __init__: equal to them."""

from __future__ import annotations

import dataclasses

from stretch_coach.resources import bundled_routines_dir
from stretch_coach.routine.library import Library
from stretch_coach.timeline import Cue, Segment, timeline_for


def test_every_cue_and_segment_equals_one_made_by_its_constructor() -> None:
    library = Library.from_paths([bundled_routines_dir()])
    checked = 0
    for entry in library.entries:
        timeline = timeline_for(entry)
        for made in (*timeline.cues, *timeline.segments):
            cls = type(made)
            assert cls in (Cue, Segment)
            names = [f.name for f in dataclasses.fields(cls)]
            assert sorted(vars(made)) == sorted(names)  # every field, and nothing else
            again = cls(**{name: getattr(made, name) for name in names})
            assert again == made and hash(again) == hash(made)
            checked += 1
    assert checked > 500
