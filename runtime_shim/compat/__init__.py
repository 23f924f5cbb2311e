"""Modules that stand in for Metaflow's submodules (``metaflow.util``, ``metaflow.decorators``,
``metaflow.plugins``, ...) under flowc; ``runtime_shim.loader._ALIASES`` names each path."""
