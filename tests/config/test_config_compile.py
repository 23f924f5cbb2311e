"""Configs resolved by the compiler: where the value comes from, how it is parsed, how
class-level expressions over it become decorator arguments and parameter defaults, and
what the IR and every target's start command carry."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from flowc.analyzer import ConfigInputs
from flowc.compiler import analyze_source
from flowc.ir import FlowIR
from runtime_shim.command import parse
from tests.support.emitted_commands import argo_commands, stepfunctions_commands

FLOWS = Path(__file__).parent / "flows"
FLOWC = str(Path(sys.executable).with_name("flowc"))

HEADER = "from flowc import Config, FlowSpec, Parameter, config_expr, environment, project, step\n"
BODY = """
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"""


def _flow(members: str, prelude: str = "", decorators: str = "") -> str:
    return f"{HEADER}{prelude}\n{decorators}\nclass CfgFlow(FlowSpec):\n{members}{BODY}"


def _analyze(
    tmp_path: Path, source: str, inputs: ConfigInputs | None = None
) -> tuple[FlowIR | None, list[str]]:
    path = tmp_path / "flow.py"
    path.write_text(source, encoding="utf-8")
    analysis = analyze_source(str(path), source, None, inputs)
    return analysis.ir, [
        f"{d.code}:{d.span.start.line if d.span else 0}" for d in analysis.diagnostics
    ]


def _configs(ir: FlowIR | None) -> dict[str, Any]:
    assert ir is not None
    return {c.name: c.value for c in ir.configs}


def test_json_file_relative_to_the_flow_and_overrides(tmp_path: Path) -> None:
    (tmp_path / "cfg.json").write_text('{"a": {"b": 1}}', encoding="utf-8")
    (tmp_path / "other.json").write_text('{"a": {"b": 2}}', encoding="utf-8")
    source = _flow('    cfg = Config("cfg", default="cfg.json")\n')
    ir, found = _analyze(tmp_path, source)
    assert found == [] and _configs(ir) == {"cfg": {"a": {"b": 1}}}
    assert ir is not None and ir.configs[0].origin == "default"
    by_path = ConfigInputs.gather(paths=(("cfg", str(tmp_path / "other.json")),))
    assert _configs(_analyze(tmp_path, source, by_path)[0]) == {"cfg": {"a": {"b": 2}}}
    by_value = ConfigInputs.gather(values=(("cfg", '{"a": {"b": 3}}'),))
    ir, _ = _analyze(tmp_path, source, by_value)
    assert _configs(ir) == {"cfg": {"a": {"b": 3}}}
    assert ir is not None and ir.configs[0].origin == "value"


def test_metaflow_environment_variables_and_the_command_line_replacing_them() -> None:
    env = {
        "METAFLOW_FLOW_CONFIG_VALUE": json.dumps({"a": {"x": 1}}),
        "METAFLOW_FLOW_CONFIG": json.dumps({"b": "b.json"}),
    }
    inputs = ConfigInputs.gather(environ=env)
    assert inputs.values == {"a": '{"x": 1}'} and inputs.paths == {"b": "b.json"}
    given = ConfigInputs.gather(values=(("a", "{}"),), environ=env)
    assert given.values == {"a": "{}"} and given.paths == {}
    with pytest.raises(ValueError, match="METAFLOW_FLOW_CONFIG_VALUE"):
        ConfigInputs.gather(environ={"METAFLOW_FLOW_CONFIG_VALUE": "[1]"})


def test_default_values_library_parsers_and_plain(tmp_path: Path) -> None:
    (tmp_path / "cfg.toml").write_text("[model]\nlayers = 4\n", encoding="utf-8")
    members = (
        '    literal = Config("literal", default_value={"n": 1})\n'
        '    named = Config("named", default_value=DEFAULTS)\n'
        '    text = Config("text", default_value=\'{"t": true}\')\n'
        '    toml = Config("toml", default="cfg.toml", parser="tomllib.loads")\n'
        '    imported = Config("imported", default="cfg.toml", parser=loads)\n'
        '    raw = Config("raw", default_value="just text", plain=True)\n'
        '    unset = Config("unset")\n'
    )
    prelude = 'from tomllib import loads\nDEFAULTS = {"m": [1, 2]}\n'
    ir, found = _analyze(tmp_path, _flow(members, prelude))
    assert found == []
    assert _configs(ir) == {
        "literal": {"n": 1},
        "named": {"m": [1, 2]},
        "text": {"t": True},
        "toml": {"model": {"layers": 4}},
        "imported": {"model": {"layers": 4}},
        "raw": "just text",
        "unset": None,
    }


def test_config_values_in_decorators_and_parameter_defaults(tmp_path: Path) -> None:
    members = (
        '    cfg = Config("cfg", default_value={"name": "Proj", "n": 2, "env": {"K": "v"}})\n'
        '    wide = Config("wide", default_value={"vars": {"A": "1"}})\n'
        '    count = Parameter("count", default=cfg.n)\n'
        "    label = Parameter(\"label\", default=config_expr(\"cfg['name'] + '-x'\"))\n"
    )
    decorators = '@project(name=config_expr("cfg.name.lower()"))'
    source = (
        _flow(members, decorators=decorators)
        .replace(
            "    @step\n    def start",
            '    @environment(vars={"N": config_expr("str(cfg.n * 3)"), **cfg.env})\n'
            "    @step\n    def start",
        )
        .replace("    @step\n    def end", "    @environment(**wide)\n    @step\n    def end")
    )
    ir, found = _analyze(tmp_path, source)
    assert found == [] and ir is not None
    assert ir.decorator("project") is not None
    assert ir.decorator("project").args["name"] == "proj"  # type: ignore[union-attr]
    params = {p.name: (p.type, p.default) for p in ir.parameters}
    assert params == {"count": ("int", 2), "label": ("str", "Proj-x")}
    start_env = ir.step("start").decorator("environment")
    end_env = ir.step("end").decorator("environment")
    assert start_env is not None and start_env.args["vars"] == {"N": "6", "K": "v"}
    assert end_env is not None and end_env.args["vars"] == {"A": "1"}


def test_problems_point_at_the_line_that_names_them(tmp_path: Path) -> None:
    source = _flow('    cfg = Config("cfg", default_value={"a": 1})\n')
    ir, found = _analyze(tmp_path, source, ConfigInputs.gather(values=(("nope", "{}"),)))
    assert ir is None and found == ["FC136:4"]
    both = ConfigInputs.gather(paths=(("cfg", "x.json"),), values=(("cfg", "{}"),))
    assert _analyze(tmp_path, source, both)[1] == ["FC133:5"]
    missing = ConfigInputs.gather(paths=(("cfg", str(tmp_path / "absent.json")),))
    assert _analyze(tmp_path, source, missing)[1] == ["FC131:5"]
    broken = ConfigInputs.gather(values=(("cfg", "{not json"),))
    assert _analyze(tmp_path, source, broken)[1] == ["FC132:5"]
    parser = _flow('    cfg = Config("cfg", default_value="x", parser="no_such_module.load")\n')
    assert _analyze(tmp_path, parser)[1] == ["FC132:5"]


def test_a_flow_function_is_left_to_the_start_task(tmp_path: Path) -> None:
    prelude = "def parse(text):\n    return {'t': text}\n"
    members = '    cfg = Config("cfg", default_value="abc", parser=parse)\n'
    ir, found = _analyze(tmp_path, _flow(members, prelude))
    assert found == ["FC135:7"] and ir is not None
    assert ir.configs[0].pending == {"text": "abc"} and ir.configs[0].value is None
    assert json.loads(ir.config_document() or "") == {"cfg": {"text": "abc"}}


def test_the_ir_carries_configs_deterministically(tmp_path: Path) -> None:
    import jsonschema

    schema = json.loads((Path(__file__).parents[2] / "schemas" / "ir.schema.json").read_text())
    flow = FLOWS / "configured.py"
    outputs = []
    for _ in range(2):
        proc = subprocess.run(
            [
                FLOWC,
                "compile",
                flow.name,
                "--target",
                "ir",
                "--config-value",
                "env",
                '{"vars": {}}',
            ],
            cwd=FLOWS,
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        outputs.append(proc.stdout)
    assert outputs[0] == outputs[1]
    document = json.loads(outputs[0])
    jsonschema.validate(document, schema)
    configs = {c["name"]: c for c in document["configs"]}
    assert configs["env"]["value"] == {"vars": {}} and configs["env"]["origin"] == "value"
    assert configs["settings"]["value"]["model"] == {"layers": 3, "name": "Small"}
    assert configs["made"]["pending"] == {"default_value": True}


def _start_configs(commands: list[Any], ir: FlowIR) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for task in commands:
        command = parse(task.argv)
        if task.step == ir.start:
            seen = json.loads(str(command.configs))
        else:
            assert command.configs is None
    return seen


def test_deployed_specs_carry_the_resolved_values(tmp_path: Path) -> None:
    source = (FLOWS / "configured.py").read_text(encoding="utf-8")
    (tmp_path / "settings.json").write_text('{"model": {"layers": 1, "name": "N"}, "region": "r"}')
    ir, _ = _analyze(tmp_path, source)
    assert ir is not None
    expected = json.loads(ir.config_document() or "")
    assert expected["settings"] == {"value": {"model": {"layers": 1, "name": "N"}, "region": "r"}}
    assert _start_configs(argo_commands(ir), ir) == expected
    assert _start_configs(stepfunctions_commands(ir), ir) == expected
