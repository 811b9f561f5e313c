/* A hand-written CPython extension with one trivial function, add1(x), registered the way
   pymigrate registers a compiled fn (METH_FASTCALL | METH_KEYWORDS, `x` accepted by keyword,
   int overflow reported as OverflowError): the baseline for call overhead. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *add1(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames) {
    PyObject *arg = NULL;
    Py_ssize_t nkw = kwnames == NULL ? 0 : PyTuple_GET_SIZE(kwnames);
    if (nargs == 1 && nkw == 0) {
        arg = args[0];
    } else if (nargs == 0 && nkw == 1 &&
               PyUnicode_CompareWithASCIIString(PyTuple_GET_ITEM(kwnames, 0), "x") == 0) {
        arg = args[0];
    } else {
        PyErr_SetString(PyExc_TypeError, "add1() takes exactly one argument (x)");
        return NULL;
    }
    if (!PyLong_Check(arg)) {
        PyErr_Format(PyExc_TypeError, "add1() argument 'x' must be int, not %.50s", Py_TYPE(arg)->tp_name);
        return NULL;
    }
    long long x = PyLong_AsLongLong(arg);
    if (x == -1 && PyErr_Occurred()) return NULL;
    long long r;
    if (__builtin_add_overflow(x, 1LL, &r)) {
        PyErr_SetString(PyExc_OverflowError, "integer overflow in add1()");
        return NULL;
    }
    return PyLong_FromLongLong(r);
}

static PyMethodDef methods[] = {
    {"add1", (PyCFunction)(void (*)(void))add1, METH_FASTCALL | METH_KEYWORDS, "Return x + 1."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "callext", NULL, -1, methods};

PyMODINIT_FUNC PyInit_callext(void) { return PyModule_Create(&module); }
