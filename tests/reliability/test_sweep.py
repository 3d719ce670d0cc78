"""The canary sweep across every sink and every backend: a value for every key variable the backends read, fake
servers on 127.0.0.1 that echo the key each request carried back in answers, error bodies and headers, then success
and failure paths of the chat, web and local backends and the real agent CLIs, through the CLI (run, show, runs,
status, search, list, costs, batch), the MCP door (tool replies, resources, its log) and the console (its screens).
Then every file under the projects dir and DISPATCH_HOME (events logs, records, the index and its WAL, batch
trails, the local server's log) and every output is searched: zero unmasked canaries."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from tests.agents.clis import AGENTS, Setup, binary, fake_for
from tests.fakes.model_apis import CREDENTIAL, Turn
from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.fakes.website import Website
from tests.helpers import GOOD_SPEC, dispatch, write
from tests.mcp.client import connected
from tests.reliability.common import CANARIES, Sweep, script

ECHO = f"the key you sent: {CREDENTIAL}; again in pieces: {CREDENTIAL}"
ERROR_BODY = json.dumps({"error": {"message": f"invalid key {CREDENTIAL} (Authorization: Bearer {CREDENTIAL})"}})
ECHO_HEADERS = {"x-echoed-key": CREDENTIAL, "retry-after": "0"}
DESC = f"uses {CANARIES['OPENAI_API_KEY']} and {CANARIES['DISPATCH_API_KEY']}"
SPEC = GOOD_SPEC.replace(
    "## Non-goals", f"The router key is {CANARIES['OPENROUTER_API_KEY']}.\n\n## Non-goals"
).replace("Plain text, one sentence, at most 30 words.", "Plain text, at most 2000 words.")
"""A spec that itself holds a canary: what is sent back (echoed by the fake) must be masked as well. Its Output
contract is one the echoes meet, so the runs end ok; CONTRACT_SPEC's is one they break."""
CONTRACT_SPEC = SPEC.replace("Plain text, at most 2000 words.", "One word: yes or no.")
"""The failed check's detail quotes the answer, which holds the echoed key."""


def echoing_replies() -> list[Reply]:
    """An answer streamed in small pieces that repeats the key, then a 401 and a 500 whose bodies and headers do."""
    return [
        Reply(text=ECHO, chunks=len(ECHO) // 3),
        Reply(text=ECHO, chunks=7),
        Reply(status=401, body=ERROR_BODY, headers=ECHO_HEADERS),
        Reply(status=500, body=ERROR_BODY, headers=ECHO_HEADERS),
    ]


def chat_config(home: Path, base_url: str) -> None:
    write(home / "config.toml", f'[models.m]\nbase_url = "{base_url}"\napi_key_env = "MY_PROXY_CREDENTIAL"\n')


def read_everything(sweep: Sweep, slugs: list[str]) -> None:
    """The read-only commands an auditor runs over what the runs left: show (one run: record, events, raw), runs,
    export (md and jsonl on stdout, a tar under DISPATCH_HOME, swept as bytes), status, search, list, costs."""
    for slug in slugs:
        for view in ("--json", "--events", "--raw", None):
            sweep.cli(f"show {slug} {view}", dispatch("show", "--slug", slug, *([view] if view else [])))
        sweep.cli(f"runs {slug}", dispatch("runs", "--slug", slug, "--json"))
        for form in ("md", "jsonl"):
            sweep.cli(f"export {slug} {form}", dispatch("export", "--slug", slug, "--format", form))
        bundle = sweep.isolated / "home" / "exports" / f"{slug}.tar"
        bundle.parent.mkdir(parents=True, exist_ok=True)
        sweep.cli(f"export {slug} tar", dispatch("export", "--slug", slug, "--format", "tar", "-o", str(bundle)))
        sweep.cli(f"status {slug}", dispatch("status", "--slug", slug, "--json"))
    for word in ("canary", "key"):
        sweep.cli(f"search {word}", dispatch("search", word, "--json"))
    sweep.cli("list", dispatch("list", "--json"))
    sweep.cli("costs", dispatch("costs", "--by", "project"))


def test_sweep_of_the_cli_and_batch_on_the_chat_backend(isolated: Path) -> None:
    sweep = Sweep(isolated)
    spec = write(isolated / "task.md", SPEC)
    runs = [("ok", "--json"), ("ok", None), ("denied", "--json"), ("broken", None)]
    with FakeOpenAI([Reply(text=ECHO, chunks=5), Reply(text=ECHO, chunks=3)]) as server:
        chat_config(isolated / "home", server.base_url)
        broken = write(isolated / "contract.md", CONTRACT_SPEC)
        args = ("run", "--spec", str(broken), "--model", "m", "--slug", "contract", "--contract-retries", "1")
        failed = sweep.cli("run contract", dispatch(*args, "--json", env=CANARIES))
    assert failed.json()["reason"] == "contract_violation" and failed.json()["contract"]["attempts"] == 2, failed.stderr
    with FakeOpenAI(echoing_replies()) as server:
        chat_config(isolated / "home", server.base_url)
        for slug, mode in runs:
            sweep.cli(
                f"run {slug}",
                dispatch(
                    "run",
                    "--spec",
                    str(spec),
                    "--model",
                    "m",
                    "--slug",
                    slug,
                    "--desc",
                    DESC,
                    *([mode] if mode else []),
                    env=CANARIES,
                ),
            )
    manifest = write(
        isolated / "batch.jsonl",
        "".join(
            json.dumps({"spec": SPEC, "slug": f"item-{n}", "prompt": f"key {CANARIES['GEMINI_API_KEY']}"}) + "\n"
            for n in range(3)
        ),
    )
    with FakeOpenAI([Reply(text=ECHO), Reply(status=401, body=ERROR_BODY, headers=ECHO_HEADERS)]) as server:
        chat_config(isolated / "home", server.base_url)
        sweep.cli("batch --json", dispatch("batch", str(manifest), "--json", env=CANARIES))
        sweep.cli("batch plain", dispatch("batch", str(manifest), "-j", "1", env=CANARIES))
        sweep.cli("batch list", dispatch("batch", "--list", "--json"))
    assert any(CANARIES["MY_PROXY_CREDENTIAL"][:10] in json.dumps(h) for h in server.headers), "the key was sent"
    assert "the key you sent: ***" in sweep.texts["run ok stdout"], "the echo came back, masked"
    read_everything(sweep, [slug for slug, _ in runs] + ["item-0", "contract"])
    sweep.check("chat backend, CLI and batch")


async def test_sweep_of_the_mcp_door(isolated: Path) -> None:
    sweep = Sweep(isolated)
    with FakeOpenAI(echoing_replies()) as server:
        chat_config(isolated / "home", server.base_url)
        async with connected(isolated / "mcp.log", env=CANARIES) as client:
            replies = [
                await client.call_tool("dispatch", {"spec": SPEC, "slug": "door", "model": "m", "description": DESC}),
                await client.call_tool("dispatch", {"spec": SPEC, "slug": "door", "model": "m"}),
                await client.call_tool("dispatch", {"spec": SPEC, "slug": "shut", "model": "m"}),
                await client.call_tool("batch", {"items": [{"spec": SPEC, "slug": "door-b", "model": "m"}]}),
            ]
            run_id = replies[0].structured_content["run_id"]
            replies += [
                await client.call_tool(name, arguments)
                for name, arguments in (
                    ("status", {"slug": "door"}),
                    ("result", {"run_id": run_id}),
                    ("project", {"slug": "door"}),
                    ("search", {"query": "key"}),
                    ("list", {}),
                    ("review", {"slug": "door", "model": "m"}),
                )
            ]
            resources = [
                await client.read_resource(uri)
                for uri in (
                    f"dispatch://runs/door/{run_id}",
                    f"dispatch://runs/door/{run_id}/result",
                    "dispatch://projects/door",
                )
            ]
    for number, reply in enumerate(replies):
        sweep.add(f"tool reply {number}", reply.content[0].text, json.dumps(reply.structured_content))
    for number, resource in enumerate(resources):
        sweep.add(f"resource {number}", resource.contents[0].text)
    sweep.add("mcp server stderr", (isolated / "mcp.log").read_text())
    assert replies[0].structured_content["status"] == "ok" and "***" in replies[0].structured_content["result"]
    sweep.check("MCP door")


def web_config(home: Path, model_url: str, site: Website) -> None:
    """A web model searching the fake's brave API, and one whose search API refuses the key (and echoes it)."""
    tables = [
        f"""
[models.{name}]
backend = "web"
base_url = "{model_url}"
api_key_env = "MY_PROXY_CREDENTIAL"
search_provider = "brave"
search_url = "{site.url(path)}"
fetch_allowlist = ["127.0.0.1"]
"""
        for name, path in (("researcher", "/api/brave"), ("denied", "/api/denied"))
    ]
    write(home / "config.toml", "".join(tables))


def test_sweep_of_the_web_backend(isolated: Path) -> None:
    """The model's key and the search API's key, each echoed: by the model in its answer and errors, by the search
    API in its results (which the model reads and the events log keeps) and in its error page."""
    sweep = Sweep(isolated)
    spec = write(isolated / "task.md", SPEC)
    with (
        Website(echo=True) as site,
        FakeOpenAI(
            [
                Reply(tool_calls=[{"id": "s1", "name": "web_search", "arguments": {"query": "the answer"}}]),
                Reply(tool_calls=[{"id": "f1", "name": "web_fetch", "arguments": {"url": site.url("/article")}}]),
                Reply(text=f"Answer: 42, from {site.url('/article')}. {ECHO}", chunks=12),
                Reply(status=401, body=ERROR_BODY, headers=ECHO_HEADERS),
            ]
        ) as model,
    ):
        web_config(isolated / "home", model.base_url, site)
        ok = sweep.cli(
            "web ok",
            dispatch(
                "run",
                "--mode",
                "web",
                "--spec",
                str(spec),
                "--model",
                "researcher",
                "--slug",
                "web",
                "--json",
                env=CANARIES,
            ),
        )
        sweep.cli(
            "web 401",
            dispatch(
                "run", "--mode", "web", "--spec", str(spec), "--model", "researcher", "--slug", "web", env=CANARIES
            ),
        )
    with (
        Website(echo=True) as site,
        FakeOpenAI(
            [
                Reply(tool_calls=[{"id": "s1", "name": "web_search", "arguments": {"query": "x"}}]),
                Reply(text="no results"),
            ]
        ) as model,
    ):
        web_config(isolated / "home", model.base_url, site)
        sweep.cli(
            "web search denied",
            dispatch(
                "run", "--mode", "web", "--spec", str(spec), "--model", "denied", "--slug", "web-denied", env=CANARIES
            ),
        )
        assert site.searches and CANARIES["BRAVE_API_KEY"] in json.dumps(site.searches), "the search key was sent"
    assert ok.code == 0 and ok.json()["citations"], ok.stderr
    events = Path(ok.json()["audit_path"].replace("-result.json", "-events.jsonl")).read_text()
    assert "searched with key ***" in events, "the search API's echo reached the model's tool result, masked"
    read_everything(sweep, ["web", "web-denied"])
    sweep.check("web backend")


FAKE_LLAMA = """\
import json, os, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
port = int(sys.argv[sys.argv.index("--port") + 1])
held = " ".join(value for value in os.environ.values() if "canary" in value)

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args):
        pass
    def reply(self, status, body, ctype="application/json"):
        data = body.encode()
        self.send_response(status)
        self.send_header("content-type", ctype)
        self.send_header("content-length", str(len(data)))
        self.send_header("x-echo", (self.headers.get("authorization") or "none") + " " + held)
        self.end_headers()
        self.wfile.write(data)
    def do_GET(self):
        self.reply(200, json.dumps({"status": "ok"}))
    def do_POST(self):
        request = self.rfile.read(int(self.headers.get("content-length") or 0)).decode()
        sys.stderr.write("request: " + request + " auth: " + str(self.headers.get("authorization")) + "\\n")
        sys.stderr.flush()
        prompt = json.dumps(json.loads(request).get("messages"))
        if "FAIL" in prompt:
            self.reply(500, json.dumps({"error": {"message": "cannot serve " + prompt + " " + held}}))
            return
        text = "I was sent: " + prompt + " and hold: " + held
        pieces = [text[i:i + 4] for i in range(0, len(text), 4)]
        events = "".join("data: " + json.dumps({"choices": [{"delta": {"content": p}, "index": 0}]}) + "\\n\\n"
                         for p in pieces)
        events += "data: " + json.dumps({"choices": [{"delta": {}, "finish_reason": "stop", "index": 0}]}) + "\\n\\n"
        self.reply(200, events + "data: [DONE]\\n\\n", "text/event-stream")

sys.stderr.write("fake llama-server on " + str(port) + " holding " + held + "\\n")
ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
"""


def running(program: Path) -> list[int]:
    """Pids of live processes running `program` (a script shows as its interpreter, then the script's path)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if str(program).encode() in argv[:2] and state != "Z":
            found.append(int(entry.name))
    return found


def test_sweep_of_the_local_backend(isolated: Path) -> None:
    """The local backend with a stand-in llama-server (its `bin`) that echoes the prompt it was sent, its request
    headers and any canary its environment holds, in answers, errors, headers and its own log under DISPATCH_HOME.
    MY_PROXY_CREDENTIAL is no key of this backend (no model names it), so it is not one dispatch can know to mask."""
    sweep = Sweep(isolated, [v for k, v in CANARIES.items() if k != "MY_PROXY_CREDENTIAL"])
    server = script(isolated / "fake-llama-server", FAKE_LLAMA)
    gguf = write(isolated / "model.gguf", "not really a model")
    write(
        isolated / "home" / "config.toml",
        f'[models.local]\nbackend = "local"\nbin = "{server}"\ngguf = "{gguf}"\nmax_tokens = 64\n',
    )
    spec = write(isolated / "task.md", SPEC)
    failing = write(isolated / "fail.md", SPEC.replace("## Output", "FAIL on purpose.\n\n## Output"))
    try:
        ok = sweep.cli(
            "local ok",
            dispatch(
                "run", "--spec", str(spec), "--model", "local", "--slug", "loc", "--json", env=CANARIES, timeout=120
            ),
        )
        sweep.cli(
            "local plain",
            dispatch("run", "--spec", str(spec), "--model", "local", "--slug", "loc", env=CANARIES, timeout=120),
        )
        sweep.cli(
            "local 500",
            dispatch(
                "run",
                "--spec",
                str(failing),
                "--model",
                "local",
                "--slug",
                "loc-fail",
                "--json",
                env=CANARIES,
                timeout=120,
            ),
        )
        sweep.cli("local status", dispatch("local", "status", "--json"))
        serving = running(server)
    finally:
        dispatch("local", "stop")
    assert len(serving) == 1, "each dispatch reused the one server (a script `bin` runs as its interpreter)"
    assert running(server) == [], "`local stop` stopped it"
    assert ok.code == 0 and "I was sent" in ok.json()["result"], ok.stderr
    logs = list((isolated / "home" / "state").glob("*.log"))
    assert logs and any("fake llama-server on" in p.read_text() for p in logs), "the server's log is swept too"
    read_everything(sweep, ["loc", "loc-fail"])
    sweep.check("local backend")


def screen_text(app) -> str:  # noqa: ANN001 - a Textual app; tests import textual, core never does
    """What the console shows, as text: the screenshot's glyphs with markup, spacing and line breaks taken out, so
    a key wrapped across two lines is still found."""
    svg = app.export_screenshot()
    glyphs = html.unescape(re.sub(r"<[^>]+>", "", svg))
    return re.sub(r"[\s│┃─━╭╮╰╯▏▕|]+", "", glyphs)


async def test_sweep_of_the_console(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run dispatched from the console's editor against the echoing server: its live view, its error line, and
    the record's screens (envelope, result, events) show no canary."""
    from core import config as configs
    from tests.tui.conftest import wait_for
    from tests.tui.test_flows import finished_run
    from tui.app import make_app
    from tui.screens.run_detail import RunDetailScreen

    for name, value in CANARIES.items():
        monkeypatch.setenv(name, value)
    sweep = Sweep(isolated)
    with FakeOpenAI(echoing_replies()) as server:
        chat_config(isolated / "home", server.base_url)
        app = make_app(configs.load(), clock=lambda: 100.0, watch=False, cwd=isolated)
        app.animation_level = "none"
        async with app.run_test(size=(120, 40)) as pilot:
            for attempt in range(2):
                view = await finished_run(pilot, SPEC)
                sweep.add(
                    f"run view {attempt}",
                    screen_text(app),
                    view.live.text,
                    "\n".join(view.live.log),
                    str(view.live.error),
                )
                await pilot.press("o")
                await wait_for(
                    pilot,
                    lambda: isinstance(app.screen, RunDetailScreen) and bool(app.screen.record),
                    "the record to open",
                )
                for tab in ("tab-envelope", "tab-result", "tab-events", "tab-spec"):
                    app.screen.query_one("#detail-tabs").active = tab
                    await pilot.pause()
                    sweep.add(f"record {attempt} {tab}", screen_text(app))
                await pilot.press("escape", "escape")
                await pilot.pause()
    assert any("***" in text for name, text in sweep.texts.items() if name.startswith("run view 0"))
    sweep.check("console")


AGENT_KEY = {"claude-code": "ANTHROPIC_API_KEY", "codex": "CODEX_API_KEY", "gemini": "GEMINI_API_KEY"}


@pytest.mark.parametrize("agent", AGENTS)
def test_sweep_of_the_real_agent_clis(agent: str, isolated: Path) -> None:
    """The real Claude Code, Codex and Gemini CLIs with a canary as their API key, against fakes that echo that key
    in the answer, a response header and an error body; the CLI's own stdout, stderr and JSON events are captured by
    dispatch and must come out masked."""
    binary(agent)
    sweep = Sweep(isolated)
    spec = write(isolated / "task.md", SPEC)
    turns = [
        Turn(text=ECHO, headers={"x-echoed-key": CREDENTIAL}),
        Turn(status=400, error=f"invalid x-api-key {CREDENTIAL}", headers={"x-echoed-key": CREDENTIAL}),
    ]
    with fake_for(agent, turns) as api:
        setup = Setup(agent, api, isolated / "agent-home")
        table = setup.model_table()
        key = AGENT_KEY[agent]
        table["env"] = {
            name: value
            for name, value in table["env"].items()
            if name not in ("ANTHROPIC_API_KEY", "FAKE_CODEX_KEY", "GEMINI_API_KEY")
        }
        table["env"][key] = f"${{{key}}}"
        table["env"]["MY_PROXY_CREDENTIAL"] = "${MY_PROXY_CREDENTIAL}"
        if agent == "codex":
            codex_config = Path(table["env"]["CODEX_HOME"]) / "config.toml"
            codex_config.write_text(codex_config.read_text().replace("FAKE_CODEX_KEY", key))
        import tomli_w

        write(isolated / "home" / "config.toml", tomli_w.dumps({"models": {"agent": table}}))
        for slug, mode in (("agent-ok", "--json"), ("agent-err", None)):
            sweep.cli(
                f"{agent} {slug}",
                dispatch(
                    "run",
                    "--spec",
                    str(spec),
                    "--model",
                    "agent",
                    "--slug",
                    slug,
                    *([mode] if mode else []),
                    env=CANARIES,
                    timeout=180,
                ),
            )
    sent = json.dumps([(r.headers, r.path) for r in api.model_calls])
    assert CANARIES[key] in sent, f"{agent} sent its key to the fake"
    assert "the key you sent: ***" in sweep.texts[f"{agent} agent-ok stdout"], "the echo came back, masked"
    read_everything(sweep, ["agent-ok", "agent-err"])
    sweep.check(f"agent {agent}")
