"""The Output contract on real runs, through the CLI against the fake OpenAI server on 127.0.0.1: a broken
contract never ends `ok`, the envelope says which phrase failed and how, a re-ask in the same session can fix it,
and lint shows what will be enforced."""

from __future__ import annotations

import json
from pathlib import Path

from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.helpers import GOOD_SPEC, dispatch, write

CODE_SPEC = GOOD_SPEC.replace(
    "Plain text, one sentence, at most 30 words.", "One Python code block that defines `summary()`, nothing else."
)
CODE = "```python\ndef summary():\n    return 'Faster, clearer, steadier.'\n```"


def config(home: Path, base_url: str, extra: str = "") -> None:
    write(home / "config.toml", f'{extra}[models.m]\nbase_url = "{base_url}"\napi_key_env = "NONE_NEEDED"\n')


def run(tmp_path: Path, spec: str, *args: str):
    return dispatch("run", "--spec", str(write(tmp_path / "task.md", spec)), "--model", "m", "--json", *args)


def test_a_broken_contract_ends_the_run_an_error_that_names_the_phrase_and_keeps_the_answer(
    tmp_path: Path, isolated: Path
) -> None:
    answer = "Sure! Here is the function:\n" + CODE
    with FakeOpenAI([Reply(text=answer)]) as server:
        config(isolated / "home", server.base_url)
        result = run(tmp_path, CODE_SPEC)
    envelope = result.json()
    assert result.code == 1 and envelope["status"] == "error" and envelope["reason"] == "contract_violation"
    assert envelope["result"] == answer, "the answer is kept in full"
    assert envelope["contract"]["passed"] is False and envelope["contract"]["attempts"] == 1
    failed = [c for c in envelope["contract"]["checks"] if c["passed"] is False]
    assert failed == [
        {
            "rule": "only",
            "source": "nothing else",
            "passed": False,
            "detail": "prose outside the block: 'Sure! Here is the function:'",
        }
    ]
    assert "breaks its Output contract: only ('nothing else')" in envelope["error"]
    assert "breaks its Output contract" in result.stderr
    stored = json.loads(Path(envelope["audit_path"]).read_text())
    assert stored["contract"] == envelope["contract"] and stored["status"] == "error"


def test_an_answer_that_keeps_the_contract_ends_ok_with_each_check_listed(tmp_path: Path, isolated: Path) -> None:
    with FakeOpenAI([Reply(text=CODE)]) as server:
        config(isolated / "home", server.base_url)
        result = run(tmp_path, CODE_SPEC)
    envelope = result.json()
    assert result.code == 0 and envelope["status"] == "ok", result.stderr
    rules = {c["rule"]: c["passed"] for c in envelope["contract"]["checks"]}
    assert rules == {"code-block": True, "only": True} and envelope["contract"]["passed"] is True


def test_one_re_ask_in_the_same_session_fixes_the_answer_and_both_are_recorded(tmp_path: Path, isolated: Path) -> None:
    first = "Here you go:\n" + CODE
    with FakeOpenAI([Reply(text=first), Reply(text=CODE)]) as server:
        config(isolated / "home", server.base_url)
        result = run(tmp_path, CODE_SPEC, "--contract-retries", "1")
        asked = server.requests
    envelope = result.json()
    assert result.code == 0 and envelope["status"] == "ok", result.stderr
    assert envelope["result"] == CODE and envelope["contract"]["attempts"] == 2
    assert envelope["contract"]["earlier"][0]["result"] == first
    assert [a["number"] for a in envelope["attempts"]] == [1, 2]
    follow_up = asked[1]["messages"]
    assert [m["role"] for m in follow_up] == ["system", "user", "assistant", "user"]
    assert follow_up[2]["content"] == first, "the re-ask continues the same conversation"
    assert "prose outside the block" in follow_up[3]["content"] and "'nothing else'" in follow_up[3]["content"]
    assert envelope["usage"]["input_tokens"] > 0 and "asking again (1 of 1)" in result.stderr


def test_the_retries_come_from_the_config_and_the_last_failure_is_reported(tmp_path: Path, isolated: Path) -> None:
    with FakeOpenAI([Reply(text="no code here")]) as server:
        config(isolated / "home", server.base_url, "[defaults]\ncontract_retries = 2\n\n")
        result = run(tmp_path, CODE_SPEC)
        calls = len(server.requests)
    envelope = result.json()
    assert result.code == 1 and envelope["reason"] == "contract_violation"
    assert calls == 3 and envelope["contract"]["attempts"] == 3 and len(envelope["contract"]["earlier"]) == 2


def test_no_contract_skips_the_checks(tmp_path: Path, isolated: Path) -> None:
    with FakeOpenAI([Reply(text="no code here")]) as server:
        config(isolated / "home", server.base_url)
        result = run(tmp_path, CODE_SPEC, "--no-contract")
    assert result.code == 0 and "contract" not in result.json(), result.stdout


def test_a_label_outside_the_set_fails_and_a_contract_with_nothing_checkable_passes_nothing(
    tmp_path: Path, isolated: Path
) -> None:
    labels = GOOD_SPEC.replace(
        "Plain text, one sentence, at most 30 words.", "One word: positive, negative or neutral."
    )
    loose = GOOD_SPEC.replace("Plain text, one sentence, at most 30 words.", "A friendly announcement line.")
    with FakeOpenAI([Reply(text="Mixed."), Reply(text="Anything at all.")]) as server:
        config(isolated / "home", server.base_url)
        outside = run(tmp_path, labels)
        unchecked = run(tmp_path, loose)
    assert outside.code == 1 and "'Mixed.' is not one of: positive, negative, neutral" in outside.json()["error"]
    assert unchecked.code == 0 and unchecked.json()["contract"]["passed"] is None
    assert unchecked.json()["contract"]["checks"][0]["passed"] is None


def test_bad_retries_are_a_usage_error(tmp_path: Path, isolated: Path) -> None:
    result = dispatch("run", "--prompt", "x", "--contract-retries", "-1")
    assert result.code == 2 and "Traceback" not in result.stderr and "--contract-retries" in result.stderr
    many = dispatch("run", "--prompt", "x", "--contract-retries", "9")
    assert many.code == 2 and "--contract-retries 9 is more than 5" in many.stderr
    write(isolated / "home" / "config.toml", "[defaults]\ncontract_retries = 9\n")
    shown = dispatch("run", "--prompt", "x")
    assert shown.code != 0 and "contract_retries" in shown.stderr and "Traceback" not in shown.stderr


def test_lint_lists_the_checks_it_derived_and_warns_when_there_are_none(tmp_path: Path) -> None:
    checked = dispatch("lint", "--spec", str(write(tmp_path / "a.md", CODE_SPEC)))
    assert checked.code == 0, checked.stdout
    assert "contract: 'One Python code block' -> checks code-block" in checked.stdout
    assert "contract: 'nothing else' -> checks only" in checked.stdout
    loose = GOOD_SPEC.replace("Plain text, one sentence, at most 30 words.", "A friendly announcement line.")
    warned = dispatch("lint", "--spec", str(write(tmp_path / "b.md", loose)), "--json")
    assert warned.code == 1
    assert [f["rule"] for f in warned.json()["findings"]] == ["unchecked-output"]
    assert warned.json()["contract"] == [
        {
            "rule": "unchecked",
            "source": "A friendly announcement line.",
            "unchecked": "no mechanical check could be drawn from this phrase",
        }
    ]


def test_accept_records_the_operators_call_and_show_lists_the_checks(tmp_path: Path, isolated: Path) -> None:
    with FakeOpenAI([Reply(text="no code here"), Reply(text=CODE)]) as server:
        config(isolated / "home", server.base_url)
        broken = run(tmp_path, CODE_SPEC, "--slug", "acc").json()
        fine = run(tmp_path, CODE_SPEC, "--slug", "fine").json()
    refused = dispatch("accept", "--slug", "fine")
    assert refused.code == 2 and "did not fail its Output contract" in refused.stderr
    taken = dispatch("accept", "--slug", "acc", "--note", "a sketch is enough", "--json")
    assert taken.code == 0, taken.stderr
    assert taken.json() == {
        **taken.json(),
        "run_id": broken["run_id"],
        "by": "operator",
        "failed": ["code-block", "only"],
    }
    shown = dispatch("show", "--slug", "acc", "--last")
    assert "FAILED: code-block ('One Python code block'): no fenced python code block" in shown.stdout
    assert "accepted anyway by the operator" in shown.stdout and "a sketch is enough" in shown.stdout
    assert dispatch("show", "--slug", "acc", "--last", "--json").json()["status"] == "error", "the record is as sealed"
    assert "passed: only ('nothing else')" in dispatch("show", "--slug", "fine", "--last").stdout
    assert fine["status"] == "ok"
    nowhere = dispatch("accept", "--slug", "nosuch")
    assert nowhere.code == 2 and "has no runs" in nowhere.stderr
