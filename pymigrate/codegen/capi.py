"""The CPython C API functions and objects compiled code uses, declared as externals.

Only functions exported by libpython (never macros) and a few layouts that are
stable across CPython 3.8-3.13 release builds: ob_type at offset 8, a float's
value at 16, a list's/tuple's size at 16, a list's item array at 24, a tuple's
items inline at 24 and a type's tp_name at 24.
"""

from __future__ import annotations

from llvmlite import ir  # type: ignore[import-untyped]

I1 = ir.IntType(1)
I8 = ir.IntType(8)
I32 = ir.IntType(32)
I64 = ir.IntType(64)
F64 = ir.DoubleType()
PTR = ir.PointerType()
VOID = ir.VoidType()

OB_TYPE = 8
FLOAT_VALUE = 16
VAR_SIZE = 16
LIST_ITEMS = 24
TUPLE_ITEMS = 24
TP_NAME = 24
METH_FASTCALL_KEYWORDS = 0x80 | 0x02

_FUNCS: dict[str, tuple[ir.Type, list[ir.Type], bool]] = {
    "PyErr_SetString": (VOID, [PTR, PTR], False),
    "PyErr_SetObject": (VOID, [PTR, PTR], False),
    "PyErr_SetNone": (VOID, [PTR], False),
    "PyErr_Format": (PTR, [PTR, PTR], True),
    "PyErr_Occurred": (PTR, [], False),
    "PyErr_NoMemory": (PTR, [], False),
    "PyErr_Fetch": (VOID, [PTR, PTR, PTR], False),
    "PyErr_Restore": (VOID, [PTR, PTR, PTR], False),
    "PyErr_Clear": (VOID, [], False),
    "PyErr_CheckSignals": (I32, [], False),
    "PyCode_NewEmpty": (PTR, [PTR, PTR, I32], False),
    "PyFrame_New": (PTR, [PTR, PTR, PTR, PTR], False),
    "PyThreadState_Get": (PTR, [], False),
    "PyTraceBack_Here": (I32, [PTR], False),
    "PyDict_New": (PTR, [], False),
    "PyUnicode_AsUTF8": (PTR, [PTR], False),
    "PyLong_FromLongLong": (PTR, [I64], False),
    "PyLong_AsLongLongAndOverflow": (I64, [PTR, PTR], False),
    "PyLong_AsDouble": (F64, [PTR], False),
    "PyFloat_FromDouble": (PTR, [F64], False),
    "PyFloat_AsDouble": (F64, [PTR], False),
    "PyBool_FromLong": (PTR, [I64], False),
    "PyNumber_TrueDivide": (PTR, [PTR, PTR], False),
    "PyType_IsSubtype": (I32, [PTR, PTR], False),
    "PyObject_IsInstance": (I32, [PTR, PTR], False),
    "PyObject_IsTrue": (I32, [PTR], False),
    "PyObject_RichCompareBool": (I32, [PTR, PTR, I32], False),
    "PyObject_GetAttrString": (PTR, [PTR, PTR], False),
    "PyObject_SetAttrString": (I32, [PTR, PTR, PTR], False),
    "PyObject_Vectorcall": (PTR, [PTR, PTR, I64, PTR], False),
    "PyObject_Call": (PTR, [PTR, PTR, PTR], False),
    "PyType_GenericNew": (PTR, [PTR, PTR, PTR], False),
    "PyUnicode_DecodeUTF8": (PTR, [PTR, I64, PTR], False),
    "PyUnicode_Concat": (PTR, [PTR, PTR], False),
    "PyUnicode_GetLength": (I64, [PTR], False),
    "PyUnicode_Substring": (PTR, [PTR, I64, I64], False),
    "PyList_New": (PTR, [I64], False),
    "PyTuple_Size": (I64, [PTR], False),
    "PyList_SetSlice": (I32, [PTR, I64, I64, PTR], False),
    "PyCFunction_NewEx": (PTR, [PTR, PTR, PTR], False),
    "PyDescr_NewMethod": (PTR, [PTR, PTR], False),
    "Py_IncRef": (VOID, [PTR], False),
    "Py_GetRecursionLimit": (I32, [], False),
    "Py_DecRef": (VOID, [PTR], False),
    "malloc": (PTR, [I64], False),
    "calloc": (PTR, [I64, I64], False),
    "realloc": (PTR, [PTR, I64], False),
    "free": (VOID, [PTR], False),
    "memmove": (PTR, [PTR, PTR, I64], False),
    # libm functions without an LLVM intrinsic
    "tan": (F64, [F64], False),
    "asin": (F64, [F64], False),
    "acos": (F64, [F64], False),
    "atan": (F64, [F64], False),
    "sinh": (F64, [F64], False),
    "cosh": (F64, [F64], False),
    "tanh": (F64, [F64], False),
    "asinh": (F64, [F64], False),
    "acosh": (F64, [F64], False),
    "atanh": (F64, [F64], False),
    "expm1": (F64, [F64], False),
    "log1p": (F64, [F64], False),
    "atan2": (F64, [F64, F64], False),
    "hypot": (F64, [F64, F64], False),
    "fmod": (F64, [F64, F64], False),
}

_OBJECTS = (
    "PyFloat_Type", "PyLong_Type", "PyBool_Type", "PyUnicode_Type", "PyList_Type", "PyTuple_Type",
    "_Py_NoneStruct", "_Py_TrueStruct", "_Py_FalseStruct",
)  # fmt: skip


class CApi:
    """Declares C API functions and objects in a module on first use."""

    def __init__(self, module: ir.Module) -> None:
        self.module = module
        self._funcs: dict[str, ir.Function] = {}
        self._globals: dict[str, ir.GlobalVariable] = {}

    def fn(self, name: str) -> ir.Function:
        existing = self.module.globals.get(name)
        if name not in self._funcs and isinstance(existing, ir.Function):
            self._funcs[name] = existing  # declared by hand before (see Bindings.c_fn)
        if name not in self._funcs:
            ret, args, varargs = _FUNCS[name]
            f = ir.Function(self.module, ir.FunctionType(ret, args, var_arg=varargs), name=name)
            if name not in ("malloc", "calloc", "realloc", "free", "memmove") and not name.startswith("Py"):
                f.attributes.add("nounwind")
            self._funcs[name] = f
        return self._funcs[name]

    def obj(self, name: str) -> ir.GlobalVariable:
        """Address of a static object (a type, None, True, False)."""
        if name not in self._globals:
            assert name in _OBJECTS, name
            g = self.module.globals.get(name)  # declared already by the object tier's runtime (static)
            if g is None:
                g = ir.GlobalVariable(self.module, I8, name=name)
                g.linkage = "external"
            self._globals[name] = g
        return self._globals[name]

    def exc(self, name: str) -> ir.GlobalVariable:
        """The `PyObject *PyExc_<name>` variable (load it to get the exception type)."""
        key = "PyExc_" + name
        if key not in self._globals:
            g = ir.GlobalVariable(self.module, PTR, name=key)
            g.linkage = "external"
            self._globals[key] = g
        return self._globals[key]
