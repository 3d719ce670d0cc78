"""core/ must never pull in the UI: each module is imported alone in a fresh interpreter and checked."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes.openai_server import FakeOpenAI

ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted(
    ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    for path in (ROOT / "core").rglob("*.py")
    if path.name not in ("__main__.py", "quickstart.py")
)


def test_core_modules_import_no_ui() -> None:
    """Each core module, imported in turn in a fresh interpreter, leaves textual, rich and tui unloaded; the
    interpreter says how many it imported, so a list that stopped finding the modules cannot pass."""
    code = (
        "import sys, importlib\n"
        f"for name in {MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "    bad = [m for m in ('textual', 'rich', 'tui') if m in sys.modules]\n"
        "    if bad:\n"
        "        print(name, 'imported', ','.join(bad)); break\n"
        "print(sum(name in sys.modules for name in "
        f"{MODULES!r}"
        "))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(len(MODULES))
    assert {"core.engine", "core.run_record", "core.audit.index_writer"} <= set(MODULES)


@pytest.mark.parametrize(
    "argv",
    [["tiers", "--json"], ["list", "--json"], ["run", "--spec", "examples/hello.md", "--slug", "hygiene", "--json"]],
)
def test_headless_commands_never_import_textual(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeOpenAI() as server:
        monkeypatch.setenv("DISPATCH_BASE_URL", server.base_url)
        code = (
            "import sys; from core.cli import main; "
            f"code = main(['--no-ui', *{argv!r}]); "
            "print(code, [m for m in ('textual', 'rich', 'tui') if m in sys.modules], file=sys.stderr)"
        )
        proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.stderr.strip().splitlines()[-1] == "0 []", proc.stderr
