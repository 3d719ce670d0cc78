"""Routing (core/tiers.py): which models a spec goes to, chosen from --model, --tier, --task-type and the spec."""

from __future__ import annotations

from pathlib import Path

import pytest

from core import config as configs
from core import tiers
from core.config import Config
from core.errors import ConfigError, SpecRejected
from tests.helpers import write

TWO_TIERS = """
[models.coder]
base_url = "http://127.0.0.1:9/v1"
[models.writer]
base_url = "http://127.0.0.1:9/v1"
[models.spare]
base_url = "http://127.0.0.1:9/v1"
[tiers.coding]
models = ["coder", "spare"]
task_types = ["bulk-coding"]
[tiers.general]
models = ["writer", "spare"]
task_types = ["general"]
"""


def load(tmp_path: Path, text: str) -> Config:
    return configs.load(write(tmp_path / "config.toml", text))


def test_the_task_type_picks_the_tier_and_its_models_in_order(tmp_path: Path) -> None:
    route = tiers.resolve(load(tmp_path, TWO_TIERS), task_type="bulk-coding")
    assert (route.models, route.tier, route.task_type) == (["coder", "spare"], "coding", "bulk-coding")
    assert "bulk-coding" in route.reason


def test_a_spec_without_a_task_type_is_general(tmp_path: Path) -> None:
    route = tiers.resolve(load(tmp_path, TWO_TIERS))
    assert (route.tier, route.models) == ("general", ["writer", "spare"])


def test_a_flag_wins_over_the_spec(tmp_path: Path) -> None:
    config = load(tmp_path, TWO_TIERS)
    assert tiers.resolve(config, tier="coding", spec_tier="general").tier == "coding"
    assert tiers.resolve(config, spec_tier="coding").reason == "the spec's Tier: coding"
    assert tiers.resolve(config, task_type="bulk-coding", spec_task_type="general").tier == "coding"


def test_model_runs_alone_and_names_the_tier_that_owns_it(tmp_path: Path) -> None:
    config = load(tmp_path, TWO_TIERS)
    assert tiers.resolve(config, model="spare").models == ["spare"]
    assert tiers.resolve(config, model="spare", task_type="bulk-coding").tier == "coding"
    assert tiers.resolve(config, model="spare", tier="general", task_type="bulk-coding").tier == "general"


@pytest.mark.parametrize("task_type", ["frontier-reasoning", "shipped-prose"])
def test_task_types_that_are_never_offloaded_are_refused(tmp_path: Path, task_type: str) -> None:
    with pytest.raises(SpecRejected, match="never dispatched"):
        tiers.resolve(load(tmp_path, TWO_TIERS), task_type=task_type)


def test_unknown_names_are_config_errors_that_list_the_known_ones(tmp_path: Path) -> None:
    config = load(tmp_path, TWO_TIERS)
    with pytest.raises(ConfigError, match="unknown tier 'fast'") as tier:
        tiers.resolve(config, tier="fast")
    assert "coding" in tier.value.one_line()
    with pytest.raises(ConfigError, match="unknown task type"):
        tiers.resolve(config, task_type="poetry")
    with pytest.raises(ConfigError):
        tiers.resolve(config, model="nobody")


def test_without_tiers_the_builtin_ones_run_on_the_users_default_model(tmp_path: Path) -> None:
    config = load(tmp_path, '[models.default]\nbase_url = "http://127.0.0.1:9/v1"\n')
    found = tiers.effective_tiers(config)
    assert set(tiers.BUILTIN_TIERS) <= set(found)
    assert all(found[name].models == ["default"] for name in tiers.BUILTIN_TIERS)
    assert tiers.resolve(config, task_type="agentic-coding").tier == "agentic"


def test_task_types_in_ordinary_words_route_as_the_real_ones(tmp_path: Path) -> None:
    config = load(tmp_path, TWO_TIERS)
    assert tiers.resolve(config, task_type="code").task_type == "bulk-coding"
    assert tiers.resolve(config, spec_task_type="writing").tier == "general"
    with pytest.raises(SpecRejected, match="never dispatched"):
        tiers.resolve(config, task_type="reasoning")
    with pytest.raises(ConfigError, match="unknown task type 'codng'") as error:
        tiers.resolve(config, task_type="codng")
    assert "did you mean bulk-coding?" in error.value.one_line()
