"""The cautions already read: a broken file never stops the coach (issue 11)."""

from __future__ import annotations

from pathlib import Path

from stretch_coach.settings import CautionLog


def test_a_deeply_nested_cautions_file_reads_as_none_read(tmp_path: Path) -> None:
    path = tmp_path / "cautions.json"
    path.write_text("[" * 200_000 + "]" * 200_000)
    log = CautionLog(path)
    assert log.needs_showing("calf", ["Stop if it hurts."]) is True
    log.acknowledge("calf", ["Stop if it hurts."])  # and it is replaced by a sound one
    assert log.needs_showing("calf", ["Stop if it hurts."]) is False
