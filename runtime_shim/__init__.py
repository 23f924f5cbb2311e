"""In-container runtime: user API, task execution and datastores.

Imports nothing from the compiler (see README.md in this directory).
"""
