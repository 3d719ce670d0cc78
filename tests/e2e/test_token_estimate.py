"""The estimate that refuses an over-large spec before sending (core/tokens.py) errs high for the built-in model:
checked against its own tokenizer (llama-server's /tokenize) on this repo's code, prose, config and JSON."""

from __future__ import annotations

import json

import httpx
import pytest

from core import tokens
from core.config import builtin_local
from core.local.server import ServerState
from tests.helpers import ROOT


def samples() -> dict[str, str]:
    record = {
        "run_id": "20261202-074405-18407-1",
        "status": "ok",
        "usage": {"input_tokens": 12, "output_tokens": 3},
        "changes": {"files": [{"path": "src/invoices.py", "status": "modified", "insertions": 2}]},
    }
    return {
        "python": (ROOT / "core" / "engine.py").read_text(),
        "prose": (ROOT / "README.md").read_text(),
        "toml": (ROOT / "pyproject.toml").read_text(),
        "json": json.dumps([record] * 50, indent=2),
        "japanese": "請求書が二重に発行されました。返金をお願いします。" * 20,
    }


@pytest.mark.parametrize("kind", sorted(samples()))
def test_the_estimate_is_at_least_the_real_count(kind: str, shared_state: ServerState) -> None:
    text = samples()[kind]
    answer = httpx.post(f"http://127.0.0.1:{shared_state.port}/tokenize", json={"content": text}, timeout=60)
    real = len(answer.json()["tokens"])
    estimated = tokens.estimate(text, builtin_local())
    assert real <= estimated, f"{kind}: estimated {estimated}, the model counts {real}"
    assert estimated <= 2 * real, f"{kind}: estimated {estimated} for {real}, too cautious to be useful"
