"""Type inference for unannotated parameters, returns and attributes (static + traced, verified by mypy)."""

from .api import FileTypes, FunctionTypes, PackageTypes
from .engine import infer_package

__all__ = ["FileTypes", "FunctionTypes", "PackageTypes", "infer_package"]
