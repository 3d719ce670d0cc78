from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest

from core import config as configs
from core import tiers
from core.errors import ConfigError, SpecRejected
from tests.helpers import ROOT, write

CONFIG = """\
[models.cheap]
backend = "openai"
base_url = "http://127.0.0.1:9/v1"
api_key_env = "CHEAP_KEY"
model = "cheap-1"
price_in = 0.5
price_out = 1.5

[models.backup]
base_url = "http://127.0.0.1:9/v1"

[tiers.general]
models = ["cheap", "backup"]
task_types = ["general"]
description = "drafts"

[tiers.coding]
models = ["backup"]
task_types = ["bulk-coding"]
"""


def test_load_models_tiers_and_prices(tmp_path: Path) -> None:
    config = configs.load(write(tmp_path / "c.toml", CONFIG), environ={})
    assert config.models["cheap"].provider_model == "cheap-1"
    assert config.models["cheap"].cost(1_000_000, 2_000_000) == pytest.approx(3.5)
    assert config.tiers["general"].models == ["cheap", "backup"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("[models.x\n", "c.toml: "),
        ('[models.x]\nbackend = "telepathy"\n', "c.toml:2: models.x.backend must be one of openai, local, web"),
        (
            '[models.x]\nbase_url = "http://h/v1"\n\n[tiers.t]\nmodels = ["nope"]\n',
            "c.toml:4: tiers.t names model 'nope'",
        ),
        ('[models.x]\napi_key = "sk-live"\n', "holds an api_key"),
        ('[models.x]\nprice_in = "cheap"\n', "models.x.price_in has the wrong type"),
        ('[models.x]\nmodel = "m"\nprice_in = "cheap"\n', "c.toml:3: models.x.price_in has the wrong type"),
        ('[models.x]\nmodel = "m"\n\n[models.y]\nbackend = "telepathy"\n', "c.toml:5: models.y.backend"),
        ('[models.x]\napi_key_env = "sk-live-abcdef0123456789"\n', "c.toml:2: models.x.api_key_env is not the name"),
        (
            '[models.x]\nmodel = "m"\ntimeout = 0\n',
            "c.toml:3: models.x.timeout must be a positive number of seconds, not 0",
        ),
        ("[models.x]\nprice_out = -1.5\n", "c.toml:2: models.x.price_out must be zero or more, not -1.5"),
        ("[colours]\n", "unknown table 'colours'"),
        (
            '[models.x]\nmodel = "m"\ntemperature = nan\n',
            "c.toml:3: models.x.temperature must be a finite number, not nan",
        ),
        ("[models.x]\nprice_in = inf\n", "c.toml:2: models.x.price_in must be a finite number, not inf"),
        ("[models.x]\ntimeout = nan\n", "c.toml:2: models.x.timeout must be a positive number of seconds, not nan"),
        (
            '[models.x]\nbackend = "command"\nargs = ["{prompt}", 3]\n',
            "c.toml:3: models.x.args must be a list of strings",
        ),
        ("models = 3\n", "c.toml:1: models must be a table"),
        ("tiers = 3\n", "c.toml:1: tiers must be a table"),
        ("defaults = 3\n", "c.toml:1: defaults must be a table"),
        (
            '[models.x]\nmodel = "m"\n[tiers.t]\nmodels = [["x"]]\n',
            "c.toml:4: tiers.t.models must be a non-empty list of model names",
        ),
        (
            '[models.x]\nmodel = "m"\n[tiers.t]\nmodels = ["x"]\ntask_types = "general"\n',
            "c.toml:5: tiers.t.task_types has the wrong type (str)",
        ),
        (
            '[models.x]\nmodel = "m"\n[tiers.t]\nmodels = ["x"]\ntask_types = [1]\n',
            "c.toml:5: tiers.t.task_types must be a list",
        ),
        ('[models.x]\nmodel = "m"\n[tiers.t]\ndescription = "d"\n', "c.toml:3: tiers.t.models is required"),
        ('[tiers.t]\nmodels = ["local"]\nlevel = 1\n', "c.toml:3: tiers.t has unknown key 'level'"),
        ('[defaults]\npermission = "yolo"\n', "c.toml:2: defaults.permission must be one of plan, acceptEdits, bypass"),
        ("[models.x]\nmax_tokens = true\n", "c.toml:2: models.x.max_tokens has the wrong type (bool)"),
        ("[defaults]\ntheme = 3\n", "c.toml:2: defaults.theme has the wrong type (int): it must be a string"),
        (
            '[models.x]\nmodel = "m"\nbase_url = "localhost:8080/v1"\n',
            "c.toml:3: models.x.base_url 'localhost:8080/v1' is not",
        ),
        (
            '[models.x]\nbase_url = "http://127.0.0.1:99999/v1"\n',
            "c.toml:2: models.x.base_url 'http://127.0.0.1:99999/v1' is",
        ),
        ("[defaults]\ntimeout = -5\n", "c.toml:2: defaults.timeout must be a positive number"),
        ("[defaults]\ntimeout = nan\n", "c.toml:2: defaults.timeout must be a positive number of seconds, not nan"),
        (
            '[defaults]\ntimeout = "soon"\n',
            "c.toml:2: defaults.timeout has the wrong type (str): it must be a positive",
        ),
        ('[models.x]\nbackend = "openai"\nbase_ulr = "http://127.0.0.1:1/v1"\n', "c.toml:3: models.x has unknown key"),
        ('[models.x]\nmodel = "m"\n[models.x.sub]\ny = 1\n', "models.x has unknown key 'sub'"),
        (
            '[models.l]\nbackend = "local"\nthread = 2\n',
            "models.l has unknown key 'thread' (known for backend local: gguf",
        ),
        ('[redact]\npatterns = [""]\n', "redact.patterns has '', which matches empty text"),
        ('[redact]\npatterns = ["x*"]\n', "redact.patterns has 'x*', which matches empty text"),
    ],
)
def test_bad_config_names_file_line_and_problem(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        configs.load(write(tmp_path / "c.toml", text), environ={})
    assert expected in caught.value.message


@pytest.mark.parametrize(
    "make, problem",
    [
        (lambda path: path.mkdir(), "Is a directory"),
        (lambda path: path.write_bytes(b'[models.x]\nmodel = "\xff"\n'), "not UTF-8 text"),
    ],
)
def test_unreadable_config_is_a_config_error(tmp_path: Path, make, problem: str) -> None:
    path = tmp_path / "config.toml"
    make(path)
    with pytest.raises(ConfigError) as caught:
        configs.load(path, environ={})
    assert f"cannot read config {path}: {problem}" == caught.value.message


def test_a_config_saved_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b"\xef\xbb\xbf" + CONFIG.encode())
    assert configs.load(path, environ={}).models["cheap"].provider_model == "cheap-1"


def test_bad_config_in_cli_is_one_line_and_exit_2(isolated: Path) -> None:
    write(isolated / "home" / "config.toml", '[models.x]\nbackend = "telepathy"\n')
    proc = subprocess.run([sys.executable, "-m", "core", "models"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert "config.toml:2:" in proc.stderr


def test_base_url_alone_defines_default_model() -> None:
    config = configs.load(
        Path("/nonexistent.toml"), environ={"DISPATCH_BASE_URL": "http://127.0.0.1:1/v1", "DISPATCH_MODEL": "m1"}
    )
    assert config.models["default"].base_url == "http://127.0.0.1:1/v1"
    assert config.models["default"].api_key_env == "DISPATCH_API_KEY"
    route = tiers.resolve(config)
    assert route.models == ["default"] and route.tier == "general"


def test_most_specific_choice_wins(tmp_path: Path) -> None:
    config = configs.load(write(tmp_path / "c.toml", CONFIG), environ={})
    assert tiers.resolve(config, spec_task_type="bulk-coding").tier == "coding"
    assert tiers.resolve(config, task_type="general", spec_tier="coding").tier == "coding"
    assert tiers.resolve(config, tier="general", spec_tier="coding").tier == "general"
    route = tiers.resolve(config, model="backup", tier="general")
    assert route.models == ["backup"] and route.reason == "--model backup given"
    assert tiers.resolve(config, model="backup", task_type="bulk-coding").tier == "coding"
    assert tiers.resolve(config, model="backup", tier="coding").tier == "coding"


@pytest.mark.parametrize(
    "task_type, reason",
    [("frontier-reasoning", "keep it on the primary"), ("shipped-prose", "deliverable prose is never offloaded")],
)
def test_refused_task_types_say_why(tmp_path: Path, task_type: str, reason: str) -> None:
    config = configs.load(write(tmp_path / "c.toml", CONFIG), environ={})
    with pytest.raises(SpecRejected, match=reason):
        tiers.resolve(config, task_type=task_type)


def test_no_model_at_all_routes_to_builtin_local() -> None:
    config = configs.load(Path("/nonexistent.toml"), environ={})
    assert configs.user_models(config) == [] and config.models["local"].builtin
    route = tiers.resolve(config)
    assert route.models == ["local"] and route.tier == "general"


def test_builtin_local_never_displaces_a_users_model(tmp_path: Path) -> None:
    only_models = configs.load(
        write(tmp_path / "c.toml", '[models.mine]\nbase_url = "http://127.0.0.1:1/v1"\n'), environ={}
    )
    assert tiers.resolve(only_models).models == ["mine"]
    assert tiers.resolve(only_models, model="local").models == ["local"]
    from_env = configs.load(Path("/nonexistent.toml"), environ={"DISPATCH_BASE_URL": "http://127.0.0.1:1/v1"})
    assert tiers.resolve(from_env).models == ["default"]
    assert tiers.resolve(from_env, tier="local").models == ["local"]


def test_a_local_tier_exists_beside_configured_ones(tmp_path: Path) -> None:
    config = configs.load(write(tmp_path / "c.toml", CONFIG), environ={})
    assert set(tiers.effective_tiers(config)) == {"general", "coding", "local"}
    assert tiers.resolve(config, spec_tier="local").models == ["local"]


def test_users_own_local_model_replaces_the_builtin(tmp_path: Path) -> None:
    config = configs.load(
        write(
            tmp_path / "c.toml",
            '[models.local]\nbackend = "local"\ncontext_window = 8192\ngguf = "/models/qwen.gguf"\n',
        ),
        environ={},
    )
    local = config.models["local"]
    assert not local.builtin and local.context_window == 8192 and local.options["gguf"] == "/models/qwen.gguf"


@pytest.mark.parametrize("url", ["not a url", "http://[::1", "ftp://127.0.0.1/", "http://127.0.0.1:99999/v1"])
def test_a_bad_base_url_in_the_environment_is_a_config_error(url: str) -> None:
    with pytest.raises(ConfigError, match="DISPATCH_BASE_URL"):
        configs.load(Path("/nonexistent.toml"), environ={"DISPATCH_BASE_URL": url})


def test_env_permission_and_timeout() -> None:
    config = configs.load(
        Path("/nonexistent.toml"),
        environ={"DISPATCH_TIMEOUT": "42", "DISPATCH_PERMISSION": "dangerously-skip-permissions"},
    )
    assert config.defaults.timeout == 42 and config.defaults.permission == "bypass"
    for bad in ("soon", "nan", "-5", "0"):
        with pytest.raises(ConfigError, match="is not a positive number of seconds"):
            configs.load(Path("/nonexistent.toml"), environ={"DISPATCH_TIMEOUT": bad})
    assert configs.load(Path("/nonexistent.toml"), environ={"DISPATCH_TIMEOUT": "inf"}).defaults.timeout == math.inf


def test_a_registered_backend_kind_is_one_a_config_may_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from core import backends

    monkeypatch.setattr(backends, "_KINDS", dict(backends._KINDS))
    path = write(tmp_path / "c.toml", '[models.bird]\nbackend = "pigeon"\n')
    with pytest.raises(ConfigError, match="backend must be one of"):
        configs.load(path, environ={})
    backends.register("pigeon", "tests.nowhere:Pigeon")
    assert configs.load(path, environ={}).models["bird"].backend == "pigeon"


def test_save_writes_back_what_load_reads(tmp_path: Path) -> None:
    config = configs.load(write(tmp_path / "c.toml", CONFIG + "\n[defaults]\ntimeout = 30\n"), environ={})
    config.models["mine"] = configs.ModelConfig(name="mine", backend="local", options={"gguf": "/models/m.gguf"})
    again = configs.load(configs.save(config, tmp_path / "out.toml"), environ={})
    assert again.models == config.models and again.tiers == config.tiers and again.defaults == config.defaults


def test_a_default_table_without_an_endpoint_adds_to_the_environments_model(tmp_path: Path) -> None:
    """A price or a timeout under [models.default] used to hide DISPATCH_BASE_URL: every run then failed, saying to
    set the variable that was set."""
    config = configs.load(
        write(tmp_path / "c.toml", "[models.default]\nprice_in = 1.0\n"),
        environ={"DISPATCH_BASE_URL": "http://127.0.0.1:9/v1", "DISPATCH_MODEL": "m"},
    )
    model = config.models["default"]
    assert (model.base_url, model.api_key_env, model.model, model.price_in) == (
        "http://127.0.0.1:9/v1",
        "DISPATCH_API_KEY",
        "m",
        1.0,
    )
    assert configs.to_dict(config)["models"]["default"] == {"price_in": 1.0}, "saving writes the table, not the env"
    own = configs.load(
        write(tmp_path / "d.toml", '[models.default]\nbase_url = "http://127.0.0.1:8/v1"\n'),
        environ={"DISPATCH_BASE_URL": "http://127.0.0.1:9/v1"},
    )
    assert own.models["default"].base_url == "http://127.0.0.1:8/v1", "a table's own endpoint wins"


def test_a_key_with_a_line_break_inside_is_refused_and_one_around_it_is_trimmed(tmp_path: Path) -> None:
    env = {"DISPATCH_BASE_URL": "http://127.0.0.1:9/v1", "DISPATCH_API_KEY": "sk-proj-Abcdefghij0123\nKLMNOPqrstuv987"}
    with pytest.raises(ConfigError) as caught:
        configs.load(tmp_path / "none.toml", environ=env)
    assert "DISPATCH_API_KEY holds a control character" in caught.value.message
    assert "KLMNOP" not in caught.value.one_line()
    env["DISPATCH_API_KEY"] = "  sk-proj-Abcdefghij0123KLMNOPqrstuv987\n"
    assert configs.load(tmp_path / "none.toml", environ=env).models["default"].api_key_env == "DISPATCH_API_KEY"
