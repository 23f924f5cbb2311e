"""Helpers shared by the tests, imported as ``from tests.support.<module> import ...``."""
