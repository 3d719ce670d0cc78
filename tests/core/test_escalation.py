"""The escalation ladder, its trail, the settings writer, and `dispatch escalate` from the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
import tomli_w

from core import config as configs
from core import escalation, review
from core.config import Config, ModelConfig, TierConfig
from core.errors import ConfigError, UsageError
from tests.helpers import dispatch
from tests.tui.conftest import seed_run


def priced(general: float, coding: float, agentic: float) -> Config:
    models = {
        name: ModelConfig(name=name, price_out=price)
        for name, price in (("cheap", general), ("mid", coding), ("dear", agentic))
    }
    tiers = {
        "agentic": TierConfig("agentic", ["dear"]),
        "general": TierConfig("general", ["cheap"]),
        "coding": TierConfig("coding", ["mid"]),
    }
    return Config(models=models, tiers=tiers)


def test_the_ladder_climbs_by_price_then_by_the_built_in_order() -> None:
    assert escalation.ladder(priced(1, 5, 20)) == ["general", "coding", "agentic"]
    assert escalation.ladder(priced(1, 30, 20)) == ["general", "agentic", "coding"]
    assert escalation.ladder(priced(0, 0, 0)) == ["general", "coding", "agentic"]
    assert escalation.higher_tiers(priced(1, 5, 20), "coding") == ["agentic"]
    assert escalation.higher_tiers(priced(1, 5, 20), "agentic") == []
    assert escalation.higher_tiers(priced(1, 5, 20), None) == ["general", "coding", "agentic"]


def test_handing_back_needs_a_reason_and_is_kept_in_the_trail(isolated: Path) -> None:
    seed_run("task-one", "20261121-100000-1-1")
    with pytest.raises(UsageError):
        escalation.to_primary("task-one", "20261121-100000-1-1", "  ")
    escalation.to_primary("task-one", "20261121-100000-1-1", "needs a product decision")
    [step] = escalation.history("task-one")
    assert (step.run_id, step.to, step.reason) == (
        "20261121-100000-1-1",
        escalation.PRIMARY,
        "needs a product decision",
    )


def test_escalating_to_a_tier_links_the_new_run_to_the_original(isolated: Path) -> None:
    seed_run("task-one", "20261121-100000-1-1", spec="Goal: the original spec text")
    request = escalation.to_tier(priced(1, 5, 20), "task-one", "20261121-100000-1-1", "agentic", "too hard")
    assert (request.spec_text, request.tier, request.parent_run_id, request.kind) == (
        "Goal: the original spec text",
        "agentic",
        "20261121-100000-1-1",
        "escalation",
    )
    with pytest.raises(UsageError):
        escalation.to_tier(priced(1, 5, 20), "task-one", "20261121-100000-1-1", "nonexistent")


def test_settings_round_trip_through_config_toml(isolated: Path) -> None:
    config = priced(1, 5, 20)
    config.models["cheap"].api_key_env = "CHEAP_KEY"
    config.defaults.theme = "dispatch-light"
    path = configs.save(config, isolated / "home" / "config.toml")
    again = configs.load(path, environ={"DISPATCH_BASE_URL": "http://127.0.0.1:9/v1"})
    assert again.models["cheap"].api_key_env == "CHEAP_KEY" and again.models["dear"].price_out == 20
    assert [t for t in again.tiers] == ["agentic", "general", "coding"]
    assert again.defaults.theme == "dispatch-light"
    configs.save(again, path)
    assert "[models.default]" not in path.read_text(), "a model made from the environment is never written"
    with pytest.raises(ConfigError):
        configs.parse_tables('[tiers.x]\nmodels = ["missing"]\n', path)


def test_cli_escalate_hands_back_and_says_what_is_wrong(isolated: Path) -> None:
    seed_run("task-one", "20261121-100000-1-1")
    done = dispatch(
        "escalate",
        "--slug",
        "task-one",
        "--run",
        "20261121-100000-1-1",
        "--primary",
        "--reason",
        "needs a decision",
        "--json",
    )
    assert done.code == 0 and done.json()["to"] == "primary"
    missing = dispatch("escalate", "--slug", "task-one", "--primary")
    assert missing.code == 2 and "reason is required" in missing.stderr and "Traceback" not in missing.stderr
    assert [s.reason for s in escalation.history("task-one")] == ["needs a decision"]


def test_cli_escalate_defaults_to_the_projects_last_run(isolated: Path) -> None:
    seed_run("task-one", "20261121-100000-1-1")
    seed_run("task-one", "20261121-110000-1-1")
    done = dispatch("escalate", "--slug", "task-one", "--primary", "--reason", "later run", "--json")
    assert done.code == 0 and done.json()["run_id"] == "20261121-110000-1-1"
    empty = dispatch("escalate", "--slug", "nothing-here", "--primary", "--reason", "x")
    assert empty.code == 2 and "has no runs to escalate" in empty.stderr


@pytest.mark.parametrize("target", [["--primary", "--reason", "why"], ["--tier", "general"]])
def test_cli_escalate_of_a_missing_or_damaged_run_is_one_line(isolated: Path, target: list[str]) -> None:
    seed_run("task-one", "20261121-100000-1-1")
    (isolated / "projects" / "task-one" / ".dispatch-logs" / "20261121-100000-1-2-result.json").write_bytes(b"\xff{")
    absent = dispatch("escalate", "--slug", "task-one", "--run", "20261121-100000-9-9", *target)
    assert absent.code == 2 and "no run 20261121-100000-9-9 in project 'task-one'" in absent.stderr
    damaged = dispatch("escalate", "--slug", "task-one", "--run", "20261121-100000-1-2", *target)
    assert damaged.code == 1 and "the record of run 20261121-100000-1-2 cannot be read" in damaged.stderr
    for result in (absent, damaged):
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert escalation.history("task-one") == []


def test_the_reviewer_is_a_configured_model_before_the_built_in_one() -> None:
    config = configs.load(environ={"DISPATCH_BASE_URL": "http://127.0.0.1:9/v1"})
    config.models["second"] = ModelConfig(name="second", base_url="http://127.0.0.1:9/v1")
    assert review.reviewers(config, "default") == (["second", "local"], True)
    assert "local" in config.models and "[models.local]" not in tomli_w.dumps(configs.to_dict(config))
