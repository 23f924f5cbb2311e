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


# The rest of Metaflow's ``metaflow.exception``: raised by the client, the command line and
# the decorators, and caught by name in flows and their tests.

# A task that exits with this code is not retried; with the next one, it may be.
METAFLOW_EXIT_DISALLOW_RETRY = 202
METAFLOW_EXIT_ALLOW_RETRY = 203


class ParameterFieldFailed(MetaflowException):
    headline = "Parameter field failed"

    def __init__(self, name: str, field: str) -> None:
        import traceback

        super().__init__(
            f"When evaluating the field *{field}* for the Parameter *{name}*, the "
            f"following exception occurred:\n\n{traceback.format_exc()}"
        )


class ParameterFieldTypeMismatch(MetaflowException):
    headline = "Parameter field with a mismatching type"


class ExternalCommandFailed(MetaflowException):
    headline = "External command failed"


class MetaflowNotFound(MetaflowException):
    headline = "Object not found"


class MetaflowNamespaceMismatch(MetaflowException):
    headline = "Object not in the current namespace"

    def __init__(self, namespace: str | None) -> None:
        super().__init__(f"Object not in namespace '{namespace}'")


class MetaflowInvalidPathspec(MetaflowException):
    headline = "Invalid pathspec"


class MetaflowInternalError(MetaflowException):
    headline = "Internal error"


class MetaflowTaggingError(MetaflowException):
    headline = "Tagging error"


class MetaflowUnknownUser(MetaflowException):
    headline = "Unknown user"

    def __init__(self) -> None:
        super().__init__(
            "Metaflow could not determine your user name based on environment "
            "variables ($USERNAME etc.)"
        )


class InvalidDecoratorAttribute(MetaflowException):
    headline = "Unknown decorator attribute"

    def __init__(self, deconame: str, attr: str, defaults: Any) -> None:
        super().__init__(
            f"Decorator '{deconame}' does not support the attribute '{attr}'. "
            f"These attributes are supported: {', '.join(defaults)}."
        )


class CommandException(MetaflowException):
    headline = "Invalid command"


class MetaflowDataMissing(MetaflowException):
    headline = "Data missing"


__all__ = [
    "METAFLOW_EXIT_ALLOW_RETRY",
    "METAFLOW_EXIT_DISALLOW_RETRY",
    *sorted(
        name
        for name, value in list(globals().items())
        if isinstance(value, type) and issubclass(value, Exception) and not name.startswith("_")
    ),
]


def __getattr__(name: str) -> Any:
    # Exceptions defined by ``metaflow_extensions`` packages (their ``exceptions`` modules).
    from runtime_shim.extensions import extension_attribute

    return extension_attribute("metaflow.exception", name)
