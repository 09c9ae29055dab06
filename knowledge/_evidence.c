/* What a candidate passage holds of a question's terms, in C: ``knowledge.coverage.measure_plain`` and
``knowledge.proximity.best_share``, the two loops the ranking runs for every candidate of every question.

A term is a 4-tuple ``(spellings, weight, credit, is_domain)`` (``knowledge.coverage.Term``): a tuple of str, two
floats and a bool. ``spelling in text`` is ``PyUnicode_Contains``, what ``str.__contains__`` calls. The sums are
doubles added in the terms' order, as the Python loops add their floats, so every result is bit for bit theirs
(built with -ffp-contract=off: ``found += weight * credit`` must round twice, as Python does).

measure(found_type, terms, plain) -> found_type((found, total, domain))
    ``measure_plain``: ``total`` sums every term's weight; ``found`` sums ``weight * credit`` of the terms one of
    whose spellings ``plain`` contains, and ``domain`` counts those that are domain words.

best_share(terms, joined, parts) -> float
    ``best_share``: the largest share of the terms' total weight that one sentence (``parts``, a tuple of str)
    holds; ``joined`` is ``parts`` joined by a character no spelling holds, to find first which terms the passage
    holds at all.

field_scores(spans, ids, weights, low=0, high=2**32, shift=0) -> dict
    ``knowledge.asked.AskedField.scores`` and ``scores_between``: for each ``(start, end)`` of ``spans``, in
    order, the postings ``ids[start:end]`` (uint32, ascending within a span) with their ``weights`` (float32) whose
    id is in ``[low, high)``: key ``id - shift`` gets ``get(key, 0.0) + weight`` in double, as the Python loop adds
    them (keys inserted in the same order).
*/
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

typedef struct {
    PyObject *spellings; /* borrowed: a tuple of str */
    double weight;
    double credit;
    long domain;
} term_t;

/* ``terms[i]`` read into ``out``; -1 with an exception set when it is not a term. */
static int
read_term(PyObject *item, term_t *out, int with_domain)
{
    if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 4) {
        PyErr_SetString(PyExc_TypeError, "a term is a 4-tuple (spellings, weight, credit, is_domain)");
        return -1;
    }
    out->spellings = PyTuple_GET_ITEM(item, 0);
    if (!PyTuple_Check(out->spellings)) {
        PyErr_SetString(PyExc_TypeError, "a term's spellings are a tuple of str");
        return -1;
    }
    out->weight = PyFloat_AsDouble(PyTuple_GET_ITEM(item, 1));
    if (out->weight == -1.0 && PyErr_Occurred())
        return -1;
    out->credit = PyFloat_AsDouble(PyTuple_GET_ITEM(item, 2));
    if (out->credit == -1.0 && PyErr_Occurred())
        return -1;
    out->domain = 0;
    if (with_domain) {
        out->domain = PyLong_AsLong(PyTuple_GET_ITEM(item, 3));
        if (out->domain == -1 && PyErr_Occurred())
            return -1;
    }
    return 0;
}

/* 1 when ``text`` contains one of ``spellings``, 0 when none, -1 on an error (a spelling that is not a str). */
static int
holds(PyObject *text, PyObject *spellings)
{
    Py_ssize_t n = PyTuple_GET_SIZE(spellings);
    for (Py_ssize_t s = 0; s < n; s++) {
        int in = PyUnicode_Contains(text, PyTuple_GET_ITEM(spellings, s));
        if (in != 0)
            return in;
    }
    return 0;
}

static PyObject *
measure(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "measure(found_type, terms, plain)");
        return NULL;
    }
    PyObject *type = args[0], *terms = args[1], *plain = args[2];
    if (!PyType_Check(type) || !PyType_IsSubtype((PyTypeObject *)type, &PyTuple_Type)) {
        PyErr_SetString(PyExc_TypeError, "found_type must be a tuple type");
        return NULL;
    }
    if (!PyUnicode_Check(plain)) {
        PyErr_SetString(PyExc_TypeError, "plain must be a str");
        return NULL;
    }
    PyObject *seq = PySequence_Fast(terms, "terms must be a sequence");
    if (seq == NULL)
        return NULL;
    double total = 0.0, found = 0.0;
    long domain = 0;
    Py_ssize_t count = PySequence_Fast_GET_SIZE(seq);
    PyObject **items = PySequence_Fast_ITEMS(seq);
    for (Py_ssize_t t = 0; t < count; t++) {
        term_t term;
        if (read_term(items[t], &term, 1) < 0)
            goto fail;
        total += term.weight;
        int in = holds(plain, term.spellings);
        if (in < 0)
            goto fail;
        if (in) {
            found += term.weight * term.credit;
            domain += term.domain;
        }
    }
    Py_DECREF(seq);
    PyObject *values[3] = {PyFloat_FromDouble(found), PyFloat_FromDouble(total), PyLong_FromLong(domain)};
    /* As tuple.__new__(found_type, values) makes it: the tuple's items in an instance of the subtype. */
    PyObject *result = values[0] && values[1] && values[2] ? ((PyTypeObject *)type)->tp_alloc((PyTypeObject *)type, 3)
                                                           : NULL;
    for (int i = 0; i < 3; i++) {
        if (result != NULL)
            PyTuple_SET_ITEM(result, i, values[i]);
        else
            Py_XDECREF(values[i]);
    }
    return result;
fail:
    Py_DECREF(seq);
    return NULL;
}

#define STACK_TERMS 32

static PyObject *
best_share(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "best_share(terms, joined, parts)");
        return NULL;
    }
    PyObject *terms = args[0], *joined = args[1], *parts = args[2];
    if (!PyUnicode_Check(joined) || !PyTuple_Check(parts)) {
        PyErr_SetString(PyExc_TypeError, "joined must be a str and parts a tuple of str");
        return NULL;
    }
    PyObject *seq = PySequence_Fast(terms, "terms must be a sequence");
    if (seq == NULL)
        return NULL;
    Py_ssize_t count = PySequence_Fast_GET_SIZE(seq);
    PyObject **items = PySequence_Fast_ITEMS(seq);
    term_t stack[STACK_TERMS];
    term_t *present = count <= STACK_TERMS ? stack : PyMem_Malloc(sizeof(term_t) * (size_t)count);
    if (present == NULL) {
        Py_DECREF(seq);
        return PyErr_NoMemory();
    }
    double total = 0.0, best = 0.0;
    Py_ssize_t held = 0; /* the terms the passage holds somewhere: present[0 .. held) */
    for (Py_ssize_t t = 0; t < count; t++) {
        term_t term;
        if (read_term(items[t], &term, 0) < 0)
            goto fail;
        total += term.weight;
        int in = holds(joined, term.spellings);
        if (in < 0)
            goto fail;
        if (in) {
            term.weight = term.weight * term.credit; /* what it adds where a sentence holds it */
            present[held++] = term;
        }
    }
    if (held == 1) { /* one term present is in some sentence (no spelling spans a joint) */
        best = present[0].weight > 0.0 ? present[0].weight : 0.0;
    } else if (held > 1) {
        Py_ssize_t n = PyTuple_GET_SIZE(parts);
        for (Py_ssize_t p = 0; p < n; p++) {
            PyObject *sentence = PyTuple_GET_ITEM(parts, p);
            if (!PyUnicode_Check(sentence)) {
                PyErr_SetString(PyExc_TypeError, "parts must be a tuple of str");
                goto fail;
            }
            double found = 0.0;
            for (Py_ssize_t t = 0; t < held; t++) {
                int in = holds(sentence, present[t].spellings);
                if (in < 0)
                    goto fail;
                if (in)
                    found += present[t].weight;
            }
            if (found > best)
                best = found;
        }
    }
    if (present != stack)
        PyMem_Free(present);
    Py_DECREF(seq);
    return PyFloat_FromDouble(held == 0 || total == 0.0 ? 0.0 : best / total);
fail:
    if (present != stack)
        PyMem_Free(present);
    Py_DECREF(seq);
    return NULL;
}

static int
get_array(PyObject *obj, Py_buffer *view, char kind, const char *what)
{
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        return -1;
    const char *fmt = view->format ? view->format : "B";
    if (view->itemsize != 4 || fmt[0] != kind || fmt[1] != '\0') {
        PyErr_Format(PyExc_TypeError, "%s must be an array('%c')", what, kind);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

/* Adds ``weight`` to ``out[key]`` (0.0 when absent), as ``out[key] = out.get(key, 0.0) + weight``. */
static int
add_to(PyObject *out, long long key, double weight)
{
    PyObject *k = PyLong_FromLongLong(key);
    if (k == NULL)
        return -1;
    PyObject *old = PyDict_GetItemWithError(out, k); /* borrowed */
    double value;
    if (old != NULL) {
        value = PyFloat_AsDouble(old);
        if (value == -1.0 && PyErr_Occurred()) {
            Py_DECREF(k);
            return -1;
        }
    } else if (PyErr_Occurred()) {
        Py_DECREF(k);
        return -1;
    } else {
        value = 0.0;
    }
    PyObject *v = PyFloat_FromDouble(value + weight);
    int rc = v == NULL ? -1 : PyDict_SetItem(out, k, v);
    Py_XDECREF(v);
    Py_DECREF(k);
    return rc;
}

static PyObject *
field_scores(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    long long low = 0, high = 1LL << 32, shift = 0;
    if (nargs < 3 || nargs > 6) {
        PyErr_SetString(PyExc_TypeError, "field_scores(spans, ids, weights, low=0, high=2**32, shift=0)");
        return NULL;
    }
    long long *bounds[3] = {&low, &high, &shift};
    for (Py_ssize_t a = 3; a < nargs; a++) {
        *bounds[a - 3] = PyLong_AsLongLong(args[a]);
        if (*bounds[a - 3] == -1 && PyErr_Occurred())
            return NULL;
    }
    Py_buffer idv, wv;
    if (get_array(args[1], &idv, 'I', "ids") < 0)
        return NULL;
    if (get_array(args[2], &wv, 'f', "weights") < 0) {
        PyBuffer_Release(&idv);
        return NULL;
    }
    const uint32_t *ids = idv.buf;
    const float *weights = wv.buf;
    Py_ssize_t n = idv.len / 4 < wv.len / 4 ? idv.len / 4 : wv.len / 4;
    PyObject *out = NULL, *seq = PySequence_Fast(args[0], "spans must be a sequence");
    if (seq == NULL)
        goto done;
    out = PyDict_New();
    Py_ssize_t count = PySequence_Fast_GET_SIZE(seq);
    PyObject **items = PySequence_Fast_ITEMS(seq);
    for (Py_ssize_t t = 0; out != NULL && t < count; t++) {
        Py_ssize_t start, end;
        if (!PyTuple_Check(items[t]) || !PyArg_ParseTuple(items[t], "nn", &start, &end)) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_TypeError, "a span is a tuple (start, end)");
            Py_CLEAR(out);
            break;
        }
        if (start < 0 || end > n || start > end) {
            PyErr_SetString(PyExc_IndexError, "span out of range");
            Py_CLEAR(out);
            break;
        }
        Py_ssize_t lo = start, hi = end; /* bisect_left(ids, low, start, end) */
        while (lo < hi) {
            Py_ssize_t mid = lo + (hi - lo) / 2;
            if ((long long)ids[mid] < low)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (Py_ssize_t j = lo; j < end && (long long)ids[j] < high; j++) {
            if (add_to(out, (long long)ids[j] - shift, (double)weights[j]) < 0) {
                Py_CLEAR(out);
                break;
            }
        }
    }
    Py_XDECREF(seq);
done:
    PyBuffer_Release(&idv);
    PyBuffer_Release(&wv);
    return out;
}

static PyMethodDef methods[] = {
    {"measure", (PyCFunction)(void (*)(void))measure, METH_FASTCALL,
     "measure(found_type, terms, plain): knowledge.coverage.measure_plain"},
    {"best_share", (PyCFunction)(void (*)(void))best_share, METH_FASTCALL,
     "best_share(terms, joined, parts): knowledge.proximity.best_share"},
    {"field_scores", (PyCFunction)(void (*)(void))field_scores, METH_FASTCALL,
     "field_scores(spans, ids, weights, low=0, high=2**32, shift=0): knowledge.asked.AskedField.scores"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_evidence", "What a candidate passage holds of a question's terms, in C.", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__evidence(void)
{
    return PyModule_Create(&module);
}
