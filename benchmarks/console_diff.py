"""The Changes tab under a big diff: an agent (a `command` script) rewrites every line of a 2,500-line file in a
worktree of a fresh git repo, a 5,000-line diff; time from opening the run's record to the coloured diff on
screen, and to the end of it after paging down through it.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LINES = 2500


def _repo(root: Path) -> Path:
    repo = root / "repo"
    repo.mkdir()
    (repo / "big.py").write_text("".join(f"value_{i} = {i}\n" for i in range(LINES)))
    for args in (
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        ["-c", "user.name=bench", "-c", "user.email=bench@localhost", "commit", "-q", "-m", "big"],
    ):
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)
    return repo


async def measure(slug: str, run_id: str) -> tuple[float, float]:
    from core.config import load
    from tui.app import make_app
    from tui.screens.run_detail import RunDetailScreen
    from tui.widgets.changes_panel import ChangesPanel

    app = make_app(load(), watch=False)
    app.animation_level = "none"  # scroll animation is smoothness, not speed: time the drawing
    async with app.run_test(size=(120, 40)) as pilot:
        began = time.perf_counter()
        app.push_screen(RunDetailScreen(slug, run_id, tab="tab-changes"))
        await pilot.pause()
        panel = app.screen.query_one(ChangesPanel)
        log = panel.query_one("#diff")
        while panel.state != "review" or len(log.lines) < 2 * LINES:
            await pilot.pause(0.005)
        shown = time.perf_counter() - began
        log.focus()
        began = time.perf_counter()
        for _ in range(2 * LINES // 30):
            await pilot.press("pagedown")
        return shown, time.perf_counter() - began


def main() -> None:
    from benchmarks._spec import check_ok, clean_spec
    from core.config import load
    from core.engine import DispatchRequest, Engine, collect

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        repo = _repo(root)
        script = root / "rewrite.py"
        script.write_text(
            "from pathlib import Path\n"
            f"Path('big.py').write_text(''.join(f'value_{{i}} = {{i}} * 2\\n' for i in range({LINES})))\n"
        )
        (root / "home").mkdir()
        (root / "home" / "config.toml").write_text(
            f'[models.edit]\nbackend = "command"\nargs = ["{sys.executable}", "{script}"]\n'
        )
        os.environ.update(DISPATCH_HOME=str(root / "home"), DISPATCH_PROJECTS_DIR=str(root / "projects"))
        spec = clean_spec(
            "Double every value in big.py for a load test of the console's diff view.", "The changed file big.py."
        )
        envelope = check_ok(
            asyncio.run(
                collect(Engine(load()).dispatch(DispatchRequest(spec_text=spec, slug="bench", model="edit", cwd=repo)))
            )
        )
        changes = envelope.extras["changes"]
        print(f"diff: {changes['insertions']} insertions, {changes['deletions']} deletions")
        shown, paged = asyncio.run(measure("bench", envelope.run_id))
        print(f"record opened to the whole diff on screen: {shown:.2f} s")
        print(f"paging down through it ({2 * LINES // 30} pagedowns): {paged:.2f} s")


if __name__ == "__main__":
    main()
