"""User strings reach the step byte-for-byte: never evaluated by Argo's ``{{ }}``
templating, Kubernetes' ``$(VAR)`` expansion, YAML or a shell."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from backends.argo import encode_parameter_value
from tests.support.argo import FLOWS_DIR, REPO, artifacts, load_ir, manifest
from tests.support.argo_harness import Harness

FLOW = str((FLOWS_DIR / "user_strings.py").relative_to(REPO))
NASTY = (
    "q\"uo'te\nline2 {{workflow.uid}} {{inputs.parameters.idx}} {{=1+1}} "
    "${HOME} $(echo hi) $(PLAIN) $(FLOWC_LBRACE) $$ $ \\ ünïcödé 🚀 #: - [x] *a &b {{ }}"
)
SUBMITTED = "at submit: {{workflow.name}} $(PLAIN) ${X} `id` ' \" \n\t {{=1}} ✓"
# The only Argo expressions flowc writes itself.
OWN_TAGS = re.compile(
    r"\{\{(workflow\.name|retries|item|inputs\.parameters\.(idx|iteration)|"
    r"workflow\.parameters\.[A-Za-z0-9_-]+|tasks\.[a-z0-9-]+\.outputs\."
    r"parameters\.(count|switch)|=asInt\(inputs\.parameters\.iteration\) \+ 1)"
    r"\}\}"
)


def _run(tmp_path: Path, params: dict[str, str] | None = None) -> dict[str, dict[str, object]]:
    text = manifest(FLOW, datastore_root=str(tmp_path), extra={"kind": "Workflow"})
    result = Harness.from_yaml(text, cwd=str(REPO), workflow_name="strings-run").submit(params)
    assert result.phase == "Succeeded", result.message + "".join(n.stderr for n in result.nodes)
    return artifacts(str(tmp_path), "UserStringsFlow", "strings-run")


def test_defaults_and_env_values_arrive_unchanged(tmp_path: Path) -> None:
    start = _run(tmp_path)["start/_"]
    assert start["param_value"] == NASTY
    assert start["env_value"] == NASTY
    assert start["trailing"] == "ends with $"


def test_submit_time_value_arrives_unchanged(tmp_path: Path) -> None:
    done = _run(tmp_path, {"text": encode_parameter_value(SUBMITTED)})
    assert done["start/_"]["param_value"] == SUBMITTED
    assert done["end/_"]["seen"] == SUBMITTED


def test_unencoded_value_would_be_templated(tmp_path: Path) -> None:
    """The harness models Argo's substitution: a raw ``{{...}}`` in a value is expanded.
    This is why submit-time values go through ``encode_parameter_value``."""
    done = _run(tmp_path, {"text": '"uid={{workflow.uid}}"'})
    assert done["start/_"]["param_value"] != "uid={{workflow.uid}}"


def test_manifest_holds_no_user_template_syntax() -> None:
    doc = next(yaml.safe_load_all(manifest(FLOW)))
    # Argo templates the spec; every expression in it must be one flowc wrote.
    spec = yaml.safe_dump(doc["spec"], allow_unicode=True, width=10**6)
    tags = re.findall(r"\{\{.*?\}\}", spec, re.DOTALL)
    assert tags and all(OWN_TAGS.fullmatch(tag) for tag in tags), tags
    # The flow's docstring is kept verbatim in metadata, which Argo does not template.
    assert (
        doc["metadata"]["annotations"]["workflows.argoproj.io/description"]
        == load_ir(FLOW).docstring
    )


@pytest.mark.parametrize(
    "value",
    [NASTY, SUBMITTED, {"a": ["{{x}}", "$(y)"]}, 1.5, None, True, "}}{{", "{", "$", "\u2028\x00"],
)
def test_encoded_values_are_inert_json(value: object) -> None:
    import json

    encoded = encode_parameter_value(value)
    assert "{{" not in encoded and "$" not in encoded
    assert json.loads(encoded) == value
