"""A flow file's own command line (``python flow.py …``), shaped like Metaflow's.

``flowc.flowcli.context`` is the contract between the top-level group and its verbs; each
verb is a click command in a module of its own.
"""
