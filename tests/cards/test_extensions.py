"""Card types from ``metaflow_extensions`` packages; a broken module hides nothing else."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

GOOD = """
from metaflow.cards import MetaflowCard


class ShoutCard(MetaflowCard):
    type = "shout_card"

    def render(self, task):
        return task.pathspec.upper()


CARDS = [ShoutCard, "not a card"]
"""
BROKEN = """
from metaflow.cards import MetaflowCard


class BrokenCard(MetaflowCard):
    type = "broken_card"


CARDS = [BrokenCard]
raise RuntimeError("this card module cannot be imported")
"""


def test_extension_cards_are_found_and_broken_modules_skipped(tmp_path: Path) -> None:
    cards = tmp_path / "metaflow_extensions" / "acme" / "plugins" / "cards"
    for name, source in (("good", GOOD), ("broken", BROKEN)):
        (cards / name).mkdir(parents=True)
        (cards / name / "__init__.py").write_text(source, encoding="utf-8")
    probe = (
        "import metaflow\n"
        "from runtime_shim.cards.registry import card_types\n"
        "types = card_types()\n"
        "print(sorted(t for t in types if t in ('shout_card', 'broken_card', 'default')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['default', 'shout_card']"
