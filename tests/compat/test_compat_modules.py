"""The ``metaflow`` module surface: every registered path imports, names match the checker."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys
import types

import pytest

from flowc.analyzer._imports import MetaflowSurface
from runtime_shim.aliases import install
from runtime_shim.loader import _ALIASES

# Metaflow 2.19's metaflow.exception, as flows and tests catch them by name.
METAFLOW_EXCEPTIONS = (
    "CommandException",
    "ExternalCommandFailed",
    "InvalidDecoratorAttribute",
    "MetaflowDataMissing",
    "MetaflowException",
    "MetaflowInternalError",
    "MetaflowInvalidPathspec",
    "MetaflowNamespaceMismatch",
    "MetaflowNotFound",
    "MetaflowTaggingError",
    "MetaflowUnknownUser",
    "MissingInMergeArtifactsException",
    "ParameterFieldFailed",
    "ParameterFieldTypeMismatch",
    "UnhandledInMergeArtifactsException",
)


@pytest.fixture(autouse=True)
def metaflow_alias() -> None:
    install()


def core_surface() -> MetaflowSurface:
    # No metaflow_extensions package on this path: the core table only.
    return MetaflowSurface.load([p for p in sys.path if "site-packages" in p])


@pytest.mark.parametrize("path", sorted(_ALIASES))
def test_every_registered_path_imports_as_its_module(path: str) -> None:
    module = importlib.import_module(path)
    assert module is importlib.import_module(_ALIASES[path])
    assert module.__spec__ is not None and module.__spec__.name == _ALIASES[path]


@pytest.mark.parametrize("path", sorted(_ALIASES))
def test_every_name_the_checker_accepts_imports(path: str) -> None:
    accepted = core_surface().names(path)
    assert not accepted.open
    missing = []
    for name in sorted(accepted.names):
        try:
            exec(f"from {path} import {name}", {})
        except ImportError:
            missing.append(name)
    assert missing == []


@pytest.mark.parametrize("path", sorted(_ALIASES))
def test_every_name_a_module_defines_is_accepted_by_the_checker(path: str) -> None:
    """The other direction: a class or function defined in the module but left out of its
    ``__all__`` would import fine and be refused by ``flowc check``."""
    module = importlib.import_module(path)
    defined = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and (inspect.isclass(value) or inspect.isfunction(value))
        and value.__module__ == module.__name__
    }
    assert sorted(defined - core_surface().names(path).names) == []


def test_metaflow_exception_has_metaflows_exception_classes() -> None:
    from metaflow import exception

    for name in METAFLOW_EXCEPTIONS:
        cls = getattr(exception, name)
        assert issubclass(cls, exception.MetaflowException), name
        assert cls.headline and isinstance(cls.headline, str)
    assert exception.METAFLOW_EXIT_DISALLOW_RETRY == 202
    assert (
        str(exception.MetaflowNamespaceMismatch("user:me")) == "Object not in namespace 'user:me'"
    )
    unhandled = exception.UnhandledInMergeArtifactsException("conflict", ["x"])
    assert unhandled.artifact_names == ["x"]


def test_one_class_under_both_names() -> None:
    import metaflow
    from metaflow.exception import MetaflowException
    from metaflow.metaflow_current import current

    import runtime_shim.current
    import runtime_shim.exceptions

    assert MetaflowException is runtime_shim.exceptions.MetaflowException
    assert metaflow.MetaflowException is MetaflowException
    assert current is runtime_shim.current.current is metaflow.current


def test_a_prefix_of_registered_paths_is_a_package() -> None:
    cards = importlib.import_module("metaflow.plugins.cards")
    assert isinstance(cards, types.ModuleType) and hasattr(cards, "__path__")
    from metaflow.plugins.cards.exception import CardNotPresentException

    assert "abc/1" in str(CardNotPresentException("abc/1", card_type="blank"))


def test_an_unprovided_path_fails_naming_flowc() -> None:
    with pytest.raises(ModuleNotFoundError, match="flowc") as raised:
        importlib.import_module("metaflow.no_such_module")
    assert raised.value.name == "metaflow.no_such_module"
    with pytest.raises(ImportError):
        exec("from metaflow import no_such_name", {})


def test_a_flow_file_imports_metaflow_without_metaflow_installed(tmp_path: object) -> None:
    """In a fresh interpreter the ``.pth`` fallback resolves ``metaflow`` and its submodules."""
    code = (
        "import metaflow.util, metaflow.exception as e\n"
        "from metaflow.includefile import IncludedFile, IncludeFile\n"
        "from metaflow.decorators import StepDecorator, FlowDecorator\n"
        "print(metaflow.__name__, e.__name__, metaflow.util.is_stringish(b'x'))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == [
        "runtime_shim.metaflow_compat",
        "runtime_shim.exceptions",
        "True",
    ]


def test_util_lists_use_metaflows_encoding() -> None:
    from metaflow.exception import MetaflowInternalError
    from metaflow.util import compress_list, decompress_list, is_stringish, to_bytes, to_unicode

    assert compress_list(["a", "b"]) == "a,b"
    assert compress_list(["task1", "task2", "task13"]) == "task:1,2,13"
    assert decompress_list("task:1,2,13") == ["task1", "task2", "task13"]
    many = [f"run/step/{i}" for i in range(300)]
    packed = compress_list(many)
    assert packed.startswith("!") and len(packed) < len(",".join(many))
    assert decompress_list(packed) == many
    with pytest.raises(MetaflowInternalError):
        compress_list(["a,b"])
    assert is_stringish("x") and is_stringish(b"x") and not is_stringish(1)
    assert to_bytes("é") == "é".encode() and to_unicode(b"\xc3\xa9") == "é"


def test_included_file_carries_its_descriptor_as_json() -> None:
    import json

    from metaflow.includefile import IncludedFile

    assert json.loads(IncludedFile({"type": "uploader-v1", "url": "s3://x"}).descriptor) == {
        "type": "uploader-v1",
        "url": "s3://x",
    }


def test_metaflow_config_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from metaflow import metaflow_config

    monkeypatch.setenv("METAFLOW_ANYTHING", "42")
    assert metaflow_config.from_conf("ANYTHING") == "42"
    assert metaflow_config.DEFAULT_DATASTORE == "local"
    with pytest.raises(AttributeError, match="flowc"):
        _ = metaflow_config.NOT_A_CONFIG_VALUE


def test_submodules_import_as_names_of_their_package() -> None:
    namespace: dict[str, object] = {}
    exec("from metaflow import exception, cards, util, plugins", namespace)
    exec("from metaflow.plugins.cards import exception as card_exception", namespace)
    assert namespace["exception"] is importlib.import_module("runtime_shim.exceptions")
    assert namespace["util"] is importlib.import_module("runtime_shim.compat.util")
    assert namespace["card_exception"] is importlib.import_module("runtime_shim.cards.exception")
    with pytest.raises(ImportError, match="cannot import name"):
        exec("from metaflow import no_such_submodule", {})
