"""The run's record as it reaches disk (core/run_record.py): what it writes beside the envelope, and that reading
it back gives the envelope with its own extras only."""

from __future__ import annotations

from pathlib import Path

from core.audit.store import Project
from core.envelope import Envelope, Status
from core.events import BackendDone
from core.redact import Redactor
from core.run_record import RECORD_KEYS, RunRecord


def test_a_saved_record_reads_back_as_its_envelope_with_no_record_keys_among_the_extras(isolated: Path) -> None:
    project = Project.at("rec")
    project.ensure(None, "openai", "a goal")
    envelope = Envelope(run_id="20261202-120000-1-1", slug="rec", extras={"verify": {"passed": True}})
    envelope.audit_path = str(project.result_path(envelope.run_id))
    run = RunRecord(envelope, Redactor([]), spec="Goal: x", route={"tier": "general"}, forced=True, description="d")
    run.prompt, run.messages = "sent", [{"role": "user", "content": "sent"}]
    run.finish(BackendDone(status=Status.OK, result="answer"), 0.0, None)
    written = run.save(project)
    assert "chain" in written and set(written) - set(envelope.to_dict()) <= RECORD_KEYS
    again = Envelope.from_dict(project.read_run(envelope.run_id))
    assert again.extras == {"verify": {"passed": True}}, "forced, chain, messages and the rest stay record keys"
    assert again.result == "answer" and again.status == Status.OK


def test_every_field_the_record_adds_is_a_record_key() -> None:
    envelope = Envelope(run_id="r", slug="s")
    run = RunRecord(envelope, Redactor([]), prompt="p", request={}, messages=[])
    run.finish(BackendDone(status=Status.OK), 0.0, None)
    assert set(run.to_dict()) - set(envelope.to_dict()) <= RECORD_KEYS
