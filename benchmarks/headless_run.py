"""Wall time of a whole headless `dispatch run` against a raw httpx script doing the same streamed request.

Both talk to the fake OpenAI server on 127.0.0.1; the goal is dispatch <= 1.5x the raw script
(and <= 0.5x `llm -m`, measured too when the `llm` command is on PATH).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.front_door import largest_imports
from tests.fakes.openai_server import FakeOpenAI, Reply

ROOT = Path(__file__).resolve().parent.parent
RUNS = 7
RAW_SCRIPT = """
import httpx, json, sys
with httpx.Client(trust_env=False) as client:
    with client.stream("POST", sys.argv[1] + "/chat/completions", json={"model": "m", "stream": True,
            "messages": [{"role": "user", "content": open(sys.argv[2]).read()}]}) as response:
        for line in response.iter_lines():
            if line.startswith("data: ") and line != "data: [DONE]":
                for choice in json.loads(line[6:])["choices"]:
                    sys.stdout.write(choice["delta"].get("content") or "")
"""


def timed(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, env=env, cwd=ROOT, check=True, capture_output=True, stdin=subprocess.DEVNULL)
    return time.perf_counter() - started


def median_time(argv: list[str], env: dict[str, str]) -> float:
    timed(argv, env)
    return statistics.median(timed(argv, env) for _ in range(RUNS))


def main() -> None:
    spec = ROOT / "examples" / "hello.md"
    with tempfile.TemporaryDirectory() as home, FakeOpenAI([Reply(text="Hello! " * 50, chunks=100)]) as server:
        env = {
            **os.environ,
            "DISPATCH_HOME": home,
            "DISPATCH_PROJECTS_DIR": f"{home}/projects",
            "DISPATCH_BASE_URL": server.base_url,
        }
        dispatch_s = median_time(
            [sys.executable, "-m", "core", "--no-ui", "run", "--spec", str(spec), "--slug", "bench"], env
        )
        raw_s = median_time([sys.executable, "-c", RAW_SCRIPT, server.base_url, str(spec)], env)
        line = f"dispatch run: {dispatch_s * 1000:.0f} ms   raw httpx: {raw_s * 1000:.0f} ms   ratio {dispatch_s / raw_s:.2f}x (goal <= 1.5x)"
        if llm := shutil.which("llm"):
            llm_s = median_time([llm, "-m", "fake", Path(spec).read_text()], env)
            line += f"   llm -m: {llm_s * 1000:.0f} ms, ratio {dispatch_s / llm_s:.2f}x (goal <= 0.5x)"
        print(line)
        print("largest imports of the headless run:")
        for row in largest_imports(["-m", "core", "--no-ui", "run", "--spec", str(spec), "--slug", "bench"], env):
            print(f"  {row}")


if __name__ == "__main__":
    main()
