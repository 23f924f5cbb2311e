"""One target registry: the CLI, the compiler and the README agree with it."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from backends.base import REGISTRY, TARGET_NAMES, TARGETS, get_backend
from flowc.commands.compile import compile_command

ROOT = Path(__file__).resolve().parents[2]


def test_every_target_has_a_backend_and_a_file_name() -> None:
    for name, target in REGISTRY.items():
        assert get_backend(name).name == name
        assert "{" in target.output and target.description
    assert tuple(n for n in TARGET_NAMES if n != "ir") == TARGETS


def test_compile_offers_exactly_the_registered_targets() -> None:
    result = CliRunner().invoke(compile_command, ["--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    choices = re.search(r"--target \[([a-z|]+)\]", result.output)
    assert choices is not None, result.output
    assert tuple(choices.group(1).split("|")) == TARGET_NAMES
    for target in REGISTRY.values():
        assert target.description in " ".join(result.output.split())


def test_the_readme_shows_every_target() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert set(re.findall(r"--target ([a-z]+)", readme)) == set(TARGET_NAMES)
