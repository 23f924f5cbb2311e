"""Exceptions raised by the user API, named and worded as Metaflow's so flows that catch
them by name keep working."""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class MetaflowException(Exception):
    """Base class of the errors the user API raises for a misused flow."""

    headline = "Flow failed"

    def __init__(
        self, msg: str = "", lineno: int | None = None, source_file: str | None = None
    ) -> None:
        self.message = msg
        self.line_no = lineno
        self.source_file = source_file
        super().__init__(msg)

    def __str__(self) -> str:
        return self.message


class InvalidNextException(MetaflowException):
    headline = "Invalid self.next() transition detected"


class MergeArtifactsException(MetaflowException):
    headline = "Unable to merge artifacts"

    def __init__(self, msg: str, unhandled: list[str]) -> None:
        super().__init__(msg)
        self.artifact_names = unhandled


class UnhandledInMergeArtifactsException(MergeArtifactsException):
    headline = "Unhandled artifacts in merge"


class MissingInMergeArtifactsException(MergeArtifactsException):
    headline = "Missing artifacts in merge"


def metaflow_class_path(cls: type) -> str:
    """``module.ClassName`` of ``cls`` as a Metaflow flow sees it.

    A class defined by one of the shim's modules is named by the ``metaflow...`` path
    that module is imported as (``runtime_shim.loader._ALIASES``), so ``@catch`` records
    ``metaflow.exception.ExternalCommandFailed`` and
    ``metaflow.plugins.timeout_decorator.TimeoutException``, as Metaflow does.
    """
    from runtime_shim.loader import _ALIASES

    module = cls.__module__
    paths = sorted(alias for alias, target in _ALIASES.items() if target == module)
    return f"{paths[0] if paths else module}.{cls.__qualname__}"


class MetaflowExceptionWrapper(Exception):
    """A picklable record of a caught exception (what ``@catch(var=...)`` stores).

    ``type`` is ``module.ClassName``, ``exception`` the message, ``stacktrace`` the
    formatted traceback; it unpickles without the original exception class.
    """

    def __init__(self, exc: BaseException | None = None) -> None:
        super().__init__()
        if exc is not None:
            self.exception = str(exc)
            self.type = metaflow_class_path(type(exc))
            self.stacktrace: str | None = None
            if sys.exc_info()[0] is not None:
                import traceback

                self.stacktrace = traceback.format_exc()

    def __reduce__(self) -> tuple[Any, ...]:
        return MetaflowExceptionWrapper, (None,), self.__dict__

    def __getstate__(self) -> dict[str, Any]:
        return self.__dict__

    def __setstate__(self, state: dict[str, Any] | None) -> None:
        self.__dict__ = state or {}

    def __repr__(self) -> str:
        return str(self)

    def __str__(self) -> str:
        if self.stacktrace:
            return self.stacktrace
        return f"[no stacktrace]\n{self.type}: {self.exception}"
