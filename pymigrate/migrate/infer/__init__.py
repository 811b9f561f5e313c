"""Type inference for unannotated parameters, returns and attributes (static + traced, verified by mypy)."""

from .api import FileTypes, FunctionTypes, InferenceError, PackageTypes, TraceError
from .engine import infer_package

__all__ = ["FileTypes", "FunctionTypes", "InferenceError", "PackageTypes", "TraceError", "infer_package"]
