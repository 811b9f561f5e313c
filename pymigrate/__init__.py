"""pymigrate: move a Python package into a typed superset of Python and compile it to native code."""

__version__ = "0.1.0"
