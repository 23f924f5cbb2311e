"""The ``card`` verb of a flow's command line: ``card get`` and ``card list``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from flowc.flowcli.card import card
from flowc.flowcli.context import FlowContext
from tests.support.runs import run_local

FLOW = Path(__file__).parent / "flows" / "card_resume.py"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    datastore = str(tmp_path_factory.mktemp("cardcli") / "ds")
    code, run_id = run_local(str(FLOW), datastore, "--local")
    assert code == 0, run_id
    return datastore, run_id


def _card(datastore: str, *args: str) -> Result:
    context = FlowContext(str(FLOW), "CardResumeFlow", datastore_root=datastore, quiet=True)
    return CliRunner().invoke(card, list(args), obj=context)


def test_list_as_json_names_type_id_hash_and_file(run: tuple[str, str], tmp_path: Path) -> None:
    datastore, run_id = run
    out = tmp_path / "list.json"
    done = _card(datastore, "list", f"{run_id}/start/_", "--as-json", "--file", str(out))
    assert done.exit_code == 0, done.output
    listing = json.loads(out.read_text())
    assert listing["pathspec"] == f"CardResumeFlow/{run_id}/start/start"
    (entry,) = listing["cards"]
    assert entry["type"] == "taskspec_card" and entry["id"] is None
    assert entry["filename"] == f"taskspec_card-{entry['hash']}.html"
    # A bare step name means the latest run; stdout carries the JSON without --file.
    printed = _card(datastore, "list", "start", "--as-json")
    assert json.loads(printed.stdout) == listing


def test_get_writes_the_card_or_prints_it(run: tuple[str, str], tmp_path: Path) -> None:
    datastore, run_id = run
    out = tmp_path / "card.html"
    done = _card(datastore, "get", f"{run_id}/start/_", str(out), "--type", "taskspec_card")
    assert done.exit_code == 0, done.output
    assert out.read_text() == f"CardResumeFlow/{run_id}/start/start"
    listing = json.loads(_card(datastore, "list", f"{run_id}/start", "--as-json").stdout)
    short = listing["cards"][0]["hash"][:5]
    printed = _card(datastore, "get", f"{run_id}/start/_", "--hash", short)
    assert printed.stdout.strip() == f"CardResumeFlow/{run_id}/start/start"


def test_a_missing_card_is_reported_with_metaflows_headline(run: tuple[str, str]) -> None:
    datastore, run_id = run
    for args in (
        ("get", f"{run_id}/start/_", "--type", "timeout_card"),
        ("get", f"{run_id}/end/_"),
        ("list", f"{run_id}/end/_", "--as-json"),
    ):
        done = _card(datastore, *args)
        assert done.exit_code == 1
        assert "Card not found in datastore" in done.stderr
    unknown = _card(datastore, "get", f"{run_id}/nowhere/_")
    assert unknown.exit_code == 1 and "Cannot resolve task for pathspec" in unknown.stderr


def _browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A $BROWSER command that records the URL it is asked to open (webbrowser runs it)."""
    opened = tmp_path / "opened.txt"
    script = tmp_path / "browser.sh"
    script.write_text(f'#!/bin/sh\necho "$1" > {opened}\n')
    script.chmod(0o755)
    monkeypatch.setenv("BROWSER", str(script))
    import webbrowser

    # webbrowser reads $BROWSER once per process; make it read this one.
    monkeypatch.setattr(webbrowser, "_tryorder", None)
    monkeypatch.setattr(webbrowser, "_browsers", {})
    return opened


def test_card_view_opens_a_local_copy(
    run: tuple[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    datastore, run_id = run
    opened = _browser(tmp_path, monkeypatch)
    done = _card(datastore, "view", f"{run_id}/start/_")
    assert done.exit_code == 0, done.output
    copy = Path(done.output.strip().splitlines()[-1])
    assert opened.read_text().strip() == copy.as_uri()
    assert copy.read_text() == f"CardResumeFlow/{run_id}/start/start"


def test_flowc_card_reads_a_task_by_pathspec(
    run: tuple[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flowc.cli import cli

    datastore, run_id = run
    runner = CliRunner()
    task = f"CardResumeFlow/{run_id}/start/start"
    listed = runner.invoke(cli, ["card", "list", task, "--datastore", datastore, "--as-json"])
    assert listed.exit_code == 0, listed.output
    (entry,) = json.loads(listed.output)["cards"]
    assert entry["type"] == "taskspec_card"
    got = runner.invoke(cli, ["card", "get", f"{run_id}/start/_", "--datastore", datastore])
    assert got.exit_code == 0 and got.output.strip() == task
    opened = _browser(tmp_path, monkeypatch)
    viewed = runner.invoke(cli, ["card", "view", task, "--datastore", datastore])
    assert viewed.exit_code == 0, viewed.output
    assert opened.read_text().strip().startswith("file://")
    missing = runner.invoke(cli, ["card", "get", task, "--datastore", datastore, "--type", "x"])
    assert missing.exit_code == 1 and "Card not found" in missing.output
