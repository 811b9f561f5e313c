"""Names shared by the compiled `.so` files and the code that loads them.

The AOT build (codegen) writes them and the import hook (runtime) looks them up, so they live
below both. Standard library only: this is on the cached-import path.
"""

EXEC_SYMBOL = "pymigrate_exec"
"""Exported by every built `.so`: `int pymigrate_exec(PyObject *module)` runs the module body."""
