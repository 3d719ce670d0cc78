"""The token estimate that decides, before sending, whether a spec and its input files fit a model's context."""

from __future__ import annotations

from core import tokens
from core.batch import budgets
from core.config import ModelConfig


def model(name: str, backend: str = "openai") -> ModelConfig:
    return ModelConfig(name="m", backend=backend, model=name)


def test_the_family_comes_from_the_model_name() -> None:
    assert [tokens.family(model(n)) for n in ("gpt-4o-mini", "openai/gpt-4.1", "o3-mini", "o1")] == ["openai"] * 4
    assert [
        tokens.family(model(n)) for n in ("qwen2.5-coder:7b", "llama3.1", "claude-sonnet", "gpt4all-j", "omni")
    ] == ["other"] * 5
    assert tokens.family(None) == "other"


def test_bytes_not_characters_are_counted_at_the_family_rate_rounded_up() -> None:
    assert tokens.estimate("x" * 29, model("gpt-4o")) == 10 and tokens.estimate("x" * 30, model("gpt-4o")) == 11
    assert tokens.estimate("x" * 25) == 10 and tokens.estimate("x" * 26, model("llama3.1")) == 11
    assert tokens.estimate("請求書" * 10) == 36, "30 characters, 90 bytes"
    assert tokens.estimate("") == 0


def test_a_budget_estimates_with_the_same_count() -> None:
    priced = ModelConfig(name="m", backend="openai", model="gpt-4o", price_in=1.0, price_out=2.0, max_tokens=10)
    assert budgets.estimate_tokens(priced, "請求書" * 10) == (tokens.estimate("請求書" * 10, priced), 10)
    assert budgets.estimate_cost(priced, "x" * 29_000) == priced.cost(10_000, 10)
