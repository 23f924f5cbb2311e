"""Expanding the FLOW arguments of a command (files, directories and globs), and finding
the files a flow names (config and IncludeFile defaults)."""

from __future__ import annotations

import glob
import os


def expand_flow_paths(patterns: tuple[str, ...] | list[str]) -> tuple[list[str], list[str]]:
    """(paths, problems). Directories contribute the ``.py`` files under them that mention
    ``FlowSpec``; a pattern that matches nothing is a problem to report."""
    paths: list[str] = []
    problems: list[str] = []
    for pattern in patterns:
        if os.path.isdir(pattern):
            found = sorted(glob.glob(os.path.join(pattern, "**", "*.py"), recursive=True))
            paths.extend(p for p in found if _mentions_flowspec(p))
        elif os.path.exists(pattern):
            paths.append(pattern)
        else:
            matches = sorted(glob.glob(pattern, recursive=True))
            if not matches:
                problems.append(f"{pattern}: no such file")
            paths.extend(m for m in matches if os.path.isfile(m))
    # The same file named twice (a glob and a path, ./a.py and a.py) is analysed once.
    unique = list(dict.fromkeys(os.path.normpath(p) for p in paths))
    return unique, problems


def _mentions_flowspec(path: str) -> bool:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return "FlowSpec" in handle.read()
    except OSError:
        return False


def display_path(path: str) -> str:
    """A stable spelling of ``path`` for output: relative to the working directory when
    inside it, with forward slashes, so emitted files do not depend on the checkout."""
    absolute = os.path.abspath(path)
    cwd = os.getcwd()
    if absolute.startswith(cwd + os.sep):
        path = os.path.relpath(absolute, cwd)
    return path.replace(os.sep, "/")


def find_beside_flow(path: str, flow_file: str) -> str | None:
    """``path`` in the working directory, else beside the flow file: where a config file
    (``default=``, ``--config PATH``) or an ``IncludeFile`` default is looked up."""
    for candidate in (path, os.path.join(os.path.dirname(os.path.abspath(flow_file)), path)):
        if os.path.isfile(candidate):
            return candidate
    return None
