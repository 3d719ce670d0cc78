"""The console's flows, driven as a person would with Pilot, against the fake model server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from rich.text import Text
from textual.widgets import Button, DataTable, Input, TextArea

from core import spec as specs
from core.audit.store import Project
from core.escalation import ESCALATIONS
from core.fsutil import read_json_lines
from tests.helpers import GOOD_SPEC, dispatch
from tests.tui.conftest import REPLY, done, loaded, type_spec, until_run_view, wait_for
from tui.screens.confirm import ConfirmScreen
from tui.screens.editor import EditorScreen
from tui.screens.escalate import EscalateScreen
from tui.screens.run_detail import RunDetailScreen
from tui.screens.run_view import RunViewScreen
from tui.screens.tier_picker import TierPickerScreen
from tui.widgets.checklist import QUOTE_STYLE, Checklist
from tui.widgets.run_output import RunOutput
from tui.widgets.runs_table import RunsTable

VAGUE = "Goal: fix it\n\nOutput: the answer\n"


async def dispatch_from_editor(pilot, spec: str) -> RunViewScreen:
    """Open the editor, put the spec in, dispatch it; returns the run view that opens."""
    await pilot.press("f3")
    type_spec(pilot, spec)
    await pilot.pause()
    await pilot.press("ctrl+r")
    assert isinstance(pilot.app.screen, RunViewScreen)
    return pilot.app.screen


async def finished_run(pilot, spec: str) -> RunViewScreen:
    """Dispatch from the editor and wait until the run view has drawn the end of the run."""
    view = await dispatch_from_editor(pilot, spec)
    await wait_for(pilot, lambda: view.live.done and view._finished_drawn, "the run to finish")
    return view


async def test_checklist_is_live_and_a_finding_jumps_to_its_line(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3")
        editor = app.screen
        assert isinstance(editor, EditorScreen)
        type_spec(pilot, VAGUE)
        await pilot.pause()
        rules = [f.rule for f in editor.findings]
        assert "vague-goal" in rules and "vague-output" in rules
        assert editor.query_one("#dispatch", Button).disabled
        assert not editor.query_one("#force", Button).disabled
        checklist = editor.query_one(Checklist)
        index = next(i for i, f in enumerate(editor.findings) if f.rule == "vague-output")
        prompt = checklist.get_option_at_index(index).prompt
        assert isinstance(prompt, Text)
        assert [prompt.plain[span.start : span.end] for span in prompt.spans if span.style == QUOTE_STYLE] == [
            "the answer"
        ]
        checklist.focus()
        checklist.highlighted = index
        await pilot.press("enter")
        assert editor.query_one("#spec", TextArea).cursor_location[0] == 2
        # fix the output contract by typing at the end of its line: the finding goes away as you type
        await pilot.press("end", *" as a JSON list")
        assert "vague-output" not in [f.rule for f in editor.findings]


async def test_the_editor_shows_what_dispatch_lint_finds(app_factory, isolated: Path) -> None:
    spec = GOOD_SPEC.replace("Summarise", "Per yesterday's call, summarise").replace(
        "Plain text, one sentence, at most 30 words.", "Whatever works."
    )
    cli = dispatch("lint", "--spec", "-", "--json", "--cwd", str(isolated), input=spec)
    expected = [(f["rule"], f["line"], f["message"], f["quote"]) for f in cli.json()["findings"]]
    assert {"hidden-context", "vague-output"} <= {rule for rule, *_ in expected}
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3")
        type_spec(pilot, spec)
        await pilot.pause()
        editor = app.screen
        assert isinstance(editor, EditorScreen)
        assert [(f.rule, f.line, f.message, f.quote) for f in editor.findings] == expected


async def test_write_fix_pick_tier_dispatch_stream_resume_and_escalate(app_factory, fake, isolated: Path) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3")
        editor = app.screen
        type_spec(pilot, GOOD_SPEC.replace("Summarise", "As discussed, summarise"))
        await pilot.pause()
        assert editor.query_one("#dispatch", Button).disabled
        type_spec(pilot, GOOD_SPEC)
        await pilot.pause()
        assert not [f for f in editor.findings if f.severity == "error"]
        assert not editor.query_one("#dispatch", Button).disabled

        await pilot.press("ctrl+t")
        assert isinstance(app.screen, TierPickerScreen)
        picker = app.screen
        await pilot.click("#tiers")
        picker.query_one("#tiers").highlighted = list(picker.tiers).index("coding")
        await pilot.pause()
        picker.query_one("#models").highlighted = 1  # "default", the first model of the coding tier
        await pilot.pause()
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, EditorScreen)
        assert editor.choice is not None and (editor.choice.tier, editor.choice.model) == ("coding", "default")

        await pilot.press("ctrl+r")
        assert isinstance(app.screen, RunViewScreen)
        view = app.screen
        await wait_for(pilot, lambda: view.live.done and view._finished_drawn, "the run to finish")
        live = view.live
        assert live.status == "ok" and live.text == REPLY
        assert (live.input_tokens, live.output_tokens) == (12, 7)
        assert view.query_one("#after").display
        record = Project.at(live.slug).read_run(live.run_id)
        assert record["status"] == "ok" and record["model"] == "default"
        assert fake.requests[0]["model"] == "fake-small"
        assert live.tier == "general", "a model chosen by name is reported under the tier that owns it"

        await pilot.press("r")
        assert view.query_one("#prompt", Input).has_focus
        await pilot.press(*"now in French", "enter")
        resumed = await until_run_view(pilot, view)
        assert resumed.live.status == "ok"
        sent = fake.requests[-1]["messages"]
        assert [m["role"] for m in sent][-3:] == ["user", "assistant", "user"]
        assert sent[-1]["content"] == "now in French" and sent[-2]["content"] == REPLY
        earlier = str(resumed.query_one("#earlier").render())
        assert "now in French" in earlier and "audit browser" in earlier, "the conversation so far stays in view"
        assert Project.at(live.slug).read_run(resumed.live.run_id)["parent_run_id"] == live.run_id

        await pilot.press("escape")
        assert app.screen is view
        await pilot.press("e")
        modal = app.screen
        assert isinstance(modal, EscalateScreen)
        assert [b.name for b in modal.query("RadioButton")] == ["coding", "agentic", "primary"]
        await pilot.click(modal.query("RadioButton")[1])
        await pilot.click("#go")
        escalated = await until_run_view(pilot, view)
        assert escalated.live.tier == "agentic" and escalated.live.model == "big"
        assert fake.requests[-1]["model"] == "fake-big"
        child = Project.at(live.slug).read_run(escalated.live.run_id)
        assert child["parent_run_id"] == live.run_id and child["kind"] == "escalation"
        trail, _ = read_json_lines(Project.at(live.slug).logs / ESCALATIONS)
        assert [(t["run_id"], t["to"]) for t in trail] == [(live.run_id, "agentic")]

        await pilot.press("f4")
        audit = app.screen
        await wait_for(pilot, lambda: audit.total == 3, "the three runs in the audit browser")
        table = audit.query_one("#runs", RunsTable)
        kinds = {row[0]: row[2] for row in table.rows}
        assert kinds == {live.run_id: "run", resumed.live.run_id: "resume", escalated.live.run_id: "escalation"}


async def test_escalate_back_to_the_primary_needs_a_reason_and_is_recorded(app_factory, isolated: Path) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        view = await finished_run(pilot, GOOD_SPEC)
        await pilot.press("e")
        modal = app.screen
        assert isinstance(modal, EscalateScreen)
        primary = modal.query("RadioButton").last()
        await pilot.click(primary)
        await pilot.click("#go")
        assert app.screen is modal, "no reason given: the modal must stay open"
        await pilot.click("#reason")
        await pilot.press(*"needs a product decision", "enter")
        assert app.screen is view
        trail_path = Project.at(view.live.slug).logs / ESCALATIONS
        await wait_for(pilot, lambda: read_json_lines(trail_path)[0], "the hand-back recorded")
        trail, _ = read_json_lines(trail_path)
        assert trail[-1]["to"] == "primary" and trail[-1]["reason"] == "needs a product decision"


async def test_force_asks_first_and_is_recorded(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3")
        type_spec(pilot, VAGUE.replace("the answer", "the answer as one sentence"))
        await pilot.pause()
        await pilot.press("ctrl+r")
        assert isinstance(app.screen, EditorScreen), "dispatch must not start while errors stand"
        await pilot.press("ctrl+f")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.click("#yes")
        view = app.screen
        assert isinstance(view, RunViewScreen)
        # to the answer drawn as Markdown: a test that ended with the run quit the app while the view mounted it
        await wait_for(pilot, lambda: view.live.done and not view.query_one(RunOutput).plain, "the forced run drawn")
        record = Project.at(view.live.slug).read_run(view.live.run_id)
        assert record["forced"] is True


async def test_a_refused_task_type_says_why_and_cannot_be_chosen(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3", "ctrl+t")
        picker = app.screen
        picker.query_one("#task-types").highlighted = 4  # shipped-prose
        await pilot.pause()
        assert "never offloaded" in str(picker.query_one("#detail").render())
        assert picker.query_one("#choose", Button).disabled
        await pilot.press("escape")
        assert isinstance(app.screen, EditorScreen)


async def test_open_and_save_spec_files(app_factory, isolated: Path) -> None:
    (isolated / "task.md").write_text(GOOD_SPEC)
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3")
        await pilot.click("#path")
        await pilot.press(*"task.md", "ctrl+o")
        spec = app.screen.query_one("#spec", TextArea)
        await wait_for(pilot, lambda: spec.text == GOOD_SPEC, "the file opened (read in a thread)")
        app.screen.query_one("#path", Input).value = "copy.md"
        await pilot.press("ctrl+s")
        copy = isolated / "copy.md"
        await wait_for(pilot, lambda: copy.exists() and copy.read_text() == GOOD_SPEC, "the copy saved")
        app.screen.query_one("#path", Input).value = "missing.md"
        await pilot.press("ctrl+o")
        await wait_for(
            pilot, lambda: any("does not exist" in n.message for n in app._notifications), "the missing file said"
        )
        assert spec.text == GOOD_SPEC, "a file that is not there leaves the spec as it was"
        (isolated / "other.md").write_text(GOOD_SPEC.replace("Fewer crashes", "Smaller installs"))
        await pilot.click("#path")
        app.screen.query_one("#path", Input).value = "other.md"
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Smaller installs" in spec.text, "enter in the path field opens the file")
        os.symlink("/dev/zero", isolated / "endless.md")
        (isolated / "huge.md").write_text("x" * (specs.MAX_SPEC_CHARS + 1))
        for name, said, press in (
            ("endless.md", "is over 16 MB", lambda: pilot.click("#open")),
            ("huge.md", "over the 1,000,000 a spec may hold", lambda: pilot.press("ctrl+o")),
        ):
            app.screen.query_one("#path", Input).value = name
            await press()
            await wait_for(pilot, lambda said=said: any(said in n.message for n in app._notifications), said)
        assert "Smaller installs" in spec.text, "a file too large to be a spec leaves the spec as it was"


async def test_the_editor_reads_and_writes_spec_files_off_the_loop(app_factory, isolated: Path, monkeypatch) -> None:
    import tui.screens.editor as editor_module

    (isolated / "task.md").write_text(GOOD_SPEC)
    on_loop: list[bool] = []
    read, write = editor_module.read_text_capped, editor_module.atomic_write_text

    def spy_read(path: Path, limit: int) -> str:
        if path.name == "task.md":
            on_loop.append(threading.current_thread() is threading.main_thread())
        return read(path, limit)

    def spy_write(path: Path, text: str) -> None:
        on_loop.append(threading.current_thread() is threading.main_thread())
        write(path, text)

    monkeypatch.setattr(editor_module, "read_text_capped", spy_read)
    monkeypatch.setattr(editor_module, "atomic_write_text", spy_write)
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3")
        app.screen.query_one("#path", Input).value = "task.md"
        await pilot.press("ctrl+o")
        spec = app.screen.query_one("#spec", TextArea)
        await wait_for(pilot, lambda: spec.text == GOOD_SPEC, "the file opened")
        app.screen.query_one("#path", Input).value = "copy.md"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: (isolated / "copy.md").exists(), "the copy saved")
    assert len(on_loop) == 2 and not any(on_loop), "the read and the write ran in a thread"


async def test_cancel_marks_the_run_interrupted(app_factory, fake) -> None:
    from tests.fakes.openai_server import Reply

    fake.replies = [Reply(text="slow answer " * 20, chunks=20, hang_after_first=30)]
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        view = await dispatch_from_editor(pilot, GOOD_SPEC)
        await wait_for(pilot, lambda: bool(view.live.text), "the first tokens")
        await view.refresh_view()
        status = str(view.query_one("#run-status").render())
        assert "estimated while streaming" in status and "/ ~" in status, status
        app.set_focus(None)
        await pilot.press("x")
        await wait_for(pilot, lambda: view.live.done, "the cancel to land")
        record = Project.at(view.live.slug).read_run(view.live.run_id)
        assert record["status"] == "interrupted" and record["reason"] == "cancelled", "cancelled on request"
        assert json.loads(Project.at(view.live.slug).meta_path.read_text())["last_status"] == "interrupted"


async def test_review_and_open_the_record_after_a_run(app_factory, fake) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        view = await finished_run(pilot, GOOD_SPEC)
        await pilot.press("o")
        detail = app.screen
        assert isinstance(detail, RunDetailScreen) and detail.run_id == view.live.run_id
        await loaded(pilot)
        assert detail.query_one("#detail-spec", TextArea).text == GOOD_SPEC
        kinds = [row.kind for row in detail.events]
        assert kinds[0] == "RunStarted" and kinds.count("text") == 1, "the deltas fold into one readable row"
        assert next(row for row in detail.events if row.kind == "text").summary == REPLY
        assert '"type": "RunStarted"' in detail.query_one("#detail-event-json", TextArea).text
        times = [row.elapsed for row in detail.events]
        assert all(t is not None for t in times) and times == sorted(times), "each event says when, in order"
        table = detail.query_one("#detail-events", DataTable)
        shown = [str(table.get_row_at(n)[1]) for n in range(len(detail.events))]
        assert shown == [f"{t:.3f}s" for t in times] and "elapsed_s" not in detail.events[0].summary
        await pilot.press("escape", "v")
        review = await until_run_view(pilot, view)
        assert review.live.request.kind == "review"
        record = Project.at(view.live.slug).read_run(review.live.run_id)
        assert record["kind"] == "review" and record["parent_run_id"] == view.live.run_id
        assert REPLY.strip() in fake.requests[-1]["messages"][-1]["content"]


async def test_resume_reads_the_record_and_session_in_a_thread_not_on_the_loop(app_factory, fake, monkeypatch) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        view = await finished_run(pilot, GOOD_SPEC)
        reads: list[bool] = []  # each record read before the resumed run's view opens: on the loop's thread?
        read_run = Project.read_run

        def spy(project: Project, run_id: str) -> dict:
            if app.screen is view:
                reads.append(threading.current_thread() is threading.main_thread())
            return read_run(project, run_id)

        monkeypatch.setattr(Project, "read_run", spy)
        view.query_one("#prompt", Input).value = "again, shorter"
        await pilot.click("#resume")
        resumed = await until_run_view(pilot, view)
    assert resumed.live.request.kind == "resume"
    assert reads and not any(reads), "the record and the session's turns are read off the loop"


async def test_settings_are_saved_to_config_toml_and_applied(app_factory, config) -> None:
    import tomllib

    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f5")
        await loaded(pilot)
        screen = app.screen
        screen.query_one("#theme").value = "dispatch-light"
        screen.query_one("#timeout", Input).value = "120"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await done(pilot, "settings-save")
        saved = tomllib.loads(config.path.read_text())
        assert saved["defaults"]["theme"] == "dispatch-light" and saved["defaults"]["timeout"] == 120
        assert saved["tiers"]["agentic"]["models"] == ["big"]
        assert app.theme == "dispatch-light" and app.config.defaults.timeout == 120
        screen.query_one("#tables", TextArea).load_text('[tiers.broken]\nmodels = ["nowhere"]\n')
        await pilot.press("ctrl+s")
        await done(pilot, "settings-save")
        assert "nowhere" not in config.path.read_text(), "an invalid config is never written"
        assert any("not saved" in n.message for n in app._notifications)


async def test_settings_edit_the_users_file_in_place_and_say_saved_only_after_a_save(app_factory, config, fake) -> None:
    from core import config as configs

    original = (
        f'# my dispatch setup\n\n[models.default]  # the cheap one\nbase_url = "{fake.base_url}"\n'
        'model = "fake-small"\n\n# tiers below, keep general first\n[tiers.general]\n'
        'models = ["default"]\ntask_types = ["general"]\n\n[defaults]\ntimeout = 600  # ten minutes\n'
    )
    config.path.parent.mkdir(parents=True, exist_ok=True)
    config.path.write_text(original)
    app = app_factory(config=configs.load(config.path))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f5")
        await loaded(pilot)
        screen = app.screen
        status = screen.query_one("#config-path")
        assert screen.query_one("#tables", TextArea).text == original, "the file itself, comments and all"
        assert "saved" not in str(status.render()).replace("unsaved", "")
        screen.query_one("#timeout", Input).value = "90"
        await pilot.pause()
        assert "unsaved changes" in str(status.render())
        await pilot.click("#save")
        await done(pilot, "settings-save")
        written = config.path.read_text()
        assert written == original.replace("timeout = 600", "timeout = 90")
        assert "saved" in str(status.render()) and "unsaved" not in str(status.render())
        assert app.config.defaults.timeout == 90


async def test_settings_read_and_write_config_toml_off_the_loop(app_factory, config, monkeypatch) -> None:
    import tui.screens.settings as settings_module

    reads: list[bool] = []  # for each read of config.toml and each save: on the loop's thread?
    saves: list[bool] = []
    read_text, save_text = Path.read_text, settings_module.configs.save_text

    def spy_read(path: Path, *args, **kwargs) -> str:
        if path == config.path:
            reads.append(threading.current_thread() is threading.main_thread())
        return read_text(path, *args, **kwargs)

    def spy_save(text: str, path: Path):
        saves.append(threading.current_thread() is threading.main_thread())
        return save_text(text, path)

    monkeypatch.setattr(Path, "read_text", spy_read)
    monkeypatch.setattr(settings_module.configs, "save_text", spy_save)
    config.path.parent.mkdir(parents=True, exist_ok=True)
    config.path.write_text("[defaults]\ntimeout = 600\n")
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f5")
        await loaded(pilot)
        app.screen.query_one("#timeout", Input).value = "90"
        await pilot.press("ctrl+s")
        await done(pilot, "settings-save")
        assert reads and saves and not any(reads + saves), "the read on opening and the save ran in a thread"
    assert "timeout = 90" in read_text(config.path)


async def test_a_long_answer_moves_to_plain_text_and_is_all_there(app_factory, fake) -> None:
    from tests.fakes.openai_server import Reply
    from tui.widgets.run_output import STREAM_MARKDOWN_LIMIT, RunOutput
    from tui.widgets.stream_text import StreamText

    long_answer = "\n".join(f"- item {i} with some words" for i in range(STREAM_MARKDOWN_LIMIT // 20))
    fake.replies = [Reply(text=long_answer, chunks=400)]
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        view = await dispatch_from_editor(pilot, GOOD_SPEC)
        output = view.query_one(RunOutput)
        await wait_for(
            pilot,
            lambda: view.live.done and view._finished_drawn and output.plain,
            "the long run to finish in plain text",
        )
        assert output.plain and output.query_one(StreamText).text == long_answer
        assert output.query_one(".note").display, "it says why it is not Markdown"


async def test_a_short_answer_streams_as_plain_text_and_ends_as_markdown(app_factory, fake) -> None:
    from textual.widgets import Markdown

    from tui.widgets.run_output import RunOutput

    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        view = await dispatch_from_editor(pilot, GOOD_SPEC)
        output = view.query_one(RunOutput)
        await wait_for(pilot, lambda: view._finished_drawn and not output.plain, "the answer drawn as Markdown")
        assert output.query_one(Markdown).source == REPLY
        assert not output.query_one(".note").display


async def test_a_review_with_concerns_lands_in_the_inbox(app_factory, fake) -> None:
    from tests.fakes.openai_server import Reply
    from tui.screens.dashboard import DashboardScreen

    fake.replies = [Reply(text=REPLY), Reply(text="VERDICT: concerns\n- point 3 is missing")]
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        view = await finished_run(pilot, GOOD_SPEC)
        await pilot.press("v")
        review = await until_run_view(pilot, view)
        assert review.live.envelope.extras["verdict"] == "concerns"
        await pilot.press("f2")
        dash = app.screen
        assert isinstance(dash, DashboardScreen)
        await wait_for(pilot, lambda: bool(dash.items), "the dashboard to reload by itself")
        assert [(i.kind, i.run_id) for i in dash.items] == [("review: concerns", review.live.run_id)]
        assert view.live.run_id in dash.items[0].detail


async def test_f_keys_reach_the_screen_they_name_even_under_a_run_view(app_factory, fake) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        view = await finished_run(pilot, GOOD_SPEC)
        await pilot.press("o")
        assert isinstance(app.screen, RunDetailScreen)
        await pilot.press("f3")
        assert isinstance(app.screen, EditorScreen)
        await pilot.press("f2", "f3")
        assert isinstance(app.screen, EditorScreen)
        assert view.live.done and Project.at(view.live.slug).read_run(view.live.run_id)["status"] == "ok"


async def test_an_unreachable_model_ends_in_a_notification_that_says_what_to_do(app_factory, isolated: Path) -> None:
    from tests.fakes.local_http import LocalServer, QuietHandler
    from tests.tui.conftest import routed_config

    with LocalServer(QuietHandler) as closed:  # a port that was just free and is closed again on exit
        port = closed.port
    app = app_factory(config=routed_config(f"http://127.0.0.1:{port}/v1", isolated / "home"))
    async with app.run_test(size=(120, 40)) as pilot:
        view = await finished_run(pilot, GOOD_SPEC)
        assert view.live.status == "error" and view.live.envelope.reason == "unavailable"
        said = [str(n.message) for n in app._notifications]
        assert any("cannot connect" in text and "Settings, F5" in text for text in said), said
        assert "Settings, F5" in str(view.query_one("#run-status").render())


async def test_enter_on_a_tier_chooses_it_and_the_route_says_where_it_came_from(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3")
        editor = app.screen
        type_spec(pilot, GOOD_SPEC.replace("Task type: general\n", ""))
        await pilot.pause()
        route = editor.query_one("#route")
        assert "the default: the spec names none" in str(route.render())
        await pilot.press("ctrl+f")
        assert app.screen is editor and any("nothing to force" in n.message for n in app._notifications)
        await pilot.press("ctrl+t")
        picker = app.screen
        assert isinstance(picker, TierPickerScreen)
        assert "-" not in [
            str(option.prompt).split("\n")[-1].strip() for option in picker.query_one("#tiers").options
        ], "no empty description rows"
        await pilot.press("escape")
        assert app.screen is editor and any("route unchanged" in n.message for n in app._notifications)
        await pilot.press("ctrl+t")
        picker = app.screen
        tiers = picker.query_one("#tiers")
        tiers.focus()
        tiers.highlighted = list(picker.tiers).index("coding")
        await pilot.pause()
        await pilot.press("enter")
        assert app.screen is editor and editor.choice is not None and editor.choice.tier == "coding"
        assert "chosen in the tier picker" in str(route.render())


async def test_the_escalate_choice_shows_without_colour_and_typing_reaches_the_reason(app_factory) -> None:
    chosen = []
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await app.push_screen(EscalateScreen(["coding", "agentic"], "general"), chosen.append)
        modal = app.screen
        buttons = list(modal.query("RadioButton"))
        assert "(chosen)" in str(buttons[0].label) and "(chosen)" not in str(buttons[1].label)
        await pilot.click(buttons[2])
        assert "(chosen)" in str(buttons[2].label) and "(chosen)" not in str(buttons[0].label)
        modal.query_one("RadioSet").focus()
        await pilot.press(*"needs a person", "enter")
        assert chosen and chosen[0].to == "primary" and chosen[0].reason == "needs a person"


async def test_a_long_event_line_reads_in_full_at_80_columns(app_factory) -> None:
    from core.engine import DispatchRequest
    from core.events import Notice, RunStarted
    from tui.live import LiveRun

    said = (
        "the model named in the spec is not in config.toml, so the run went to the tier's first model; "
        "add it under [models] to choose it again next time"
    )
    live = LiveRun(key=1, request=DispatchRequest(spec_text=GOOD_SPEC), started=100.0)
    live.apply(RunStarted("20261121-115900-1-1", "release-note", "openai", "default", "general", "general", ""), 0.1)
    live.apply(Notice(said, "warning"), 0.2)
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        app.live_runs[live.key] = live
        await app.push_screen(RunViewScreen(live))
        view = app.screen
        events = view.query_one("#events")
        await wait_for(pilot, lambda: view._shown_log == 2 and events.size.height > 0, "the events drawn")
        await pilot.pause()
        shown = " ".join(events.render_line(y).text for y in range(events.size.height))
        assert " ".join(f"warning: {said}".split()) in " ".join(shown.split()), (
            f"the whole line is on screen: {shown!r}"
        )
        rows = [events.render_line(y).text for y in range(events.size.height)]
        warning = next(number for number, row in enumerate(rows) if "warning:" in row)
        stamp = rows[warning].index("warning:")
        assert rows[warning + 1][:stamp].strip() == "" and rows[warning + 1][stamp] != " ", (
            f"wrapped rows start under the text, the time a column of its own: {rows!r}"
        )
        await pilot.resize_terminal(200, 24)
        await wait_for(pilot, lambda: events.size.width > 180, "the wider terminal")
        await pilot.pause()
        rows = [events.render_line(y).text for y in range(events.size.height)]
        assert any(f"warning: {said}" in row for row in rows), f"wrapped again at the new width: {rows!r}"
