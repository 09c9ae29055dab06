/* The BM25 query loop of ``knowledge.index`` in C: the same float32 arithmetic as its numpy path, in one pass.

accumulate(scores, ids, impacts, dense, terms)
    ``scores``: a writable C-contiguous float32 buffer, one score per passage. ``ids`` (int32) and ``impacts``
    (float32): a channel's postings; ``dense`` (float32): its dense rows, one impact per passage each. ``terms``:
    ``(start, end, factor)`` in the query's order: the postings ``[start, end)`` of a sparse term, or, when
    ``start`` is negative, dense row ``end``. Each passage's score gets ``impact * (float)factor`` (the impact
    itself when ``factor`` is 1.0), rounded to float32 and added in float32, term by term: numpy's
    ``impacts * np.float32(factor)`` then ``np.add.at`` (or the row's vector add), so every score is bit for bit
    numpy's.

top(scores, k) -> list[(id, score)]
    The ``k`` best passages with a positive score, best first; among equal scores the lower id first.

Built with -ffp-contract=off (setup.py): a fused multiply-add would round once where numpy rounds twice.
*/
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int
get_buffer(PyObject *obj, Py_buffer *view, int writable, char kind, const char *what)
{
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, view, flags) < 0)
        return -1;
    const char *fmt = view->format ? view->format : "B";
    if (fmt[0] == '<' || fmt[0] == '=' || fmt[0] == '@')
        fmt++;
    int ok = view->itemsize == 4 && fmt[1] == '\0' &&
             (kind == 'f' ? fmt[0] == 'f' : (fmt[0] == 'i' || fmt[0] == 'l'));
    if (!ok) {
        PyErr_Format(PyExc_TypeError, "%s must be a %s buffer", what, kind == 'f' ? "float32" : "int32");
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

static int
add_terms(float *scores, Py_ssize_t n, const int32_t *ids, const float *impacts, Py_ssize_t postings,
          const float *dense, Py_ssize_t rows, PyObject *seq)
{
    Py_ssize_t count = PySequence_Fast_GET_SIZE(seq);
    PyObject **items = PySequence_Fast_ITEMS(seq);
    for (Py_ssize_t t = 0; t < count; t++) {
        Py_ssize_t start, end;
        double factor;
        if (!PyTuple_Check(items[t]) || !PyArg_ParseTuple(items[t], "nnd", &start, &end, &factor)) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_TypeError, "a term is a tuple (start, end, factor)");
            return -1;
        }
        const float f = (float)factor;
        const int scaled = factor != 1.0;
        if (start < 0) { /* a dense row: end is its number */
            if (end < 0 || end >= rows) {
                PyErr_SetString(PyExc_IndexError, "dense row out of range");
                return -1;
            }
            const float *v = dense + end * n;
            if (scaled)
                for (Py_ssize_t j = 0; j < n; j++) {
                    float x = v[j] * f;
                    scores[j] += x;
                }
            else
                for (Py_ssize_t j = 0; j < n; j++)
                    scores[j] += v[j];
            continue;
        }
        if (end < start || end > postings) {
            PyErr_SetString(PyExc_IndexError, "postings span out of range");
            return -1;
        }
        for (Py_ssize_t j = start; j < end; j++) {
            int32_t doc = ids[j];
            if (doc < 0 || doc >= n) {
                PyErr_SetString(PyExc_IndexError, "passage id out of range");
                return -1;
            }
            float x = scaled ? impacts[j] * f : impacts[j];
            scores[doc] += x;
        }
    }
    return 0;
}

static PyObject *
accumulate(PyObject *self, PyObject *args)
{
    PyObject *objs[4], *terms;
    if (!PyArg_ParseTuple(args, "OOOOO", &objs[0], &objs[1], &objs[2], &objs[3], &terms))
        return NULL;
    static const char kinds[4] = {'f', 'i', 'f', 'f'};
    static const char *names[4] = {"scores", "ids", "impacts", "dense"};
    Py_buffer views[4];
    int got = 0;
    for (; got < 4; got++)
        if (get_buffer(objs[got], &views[got], got == 0, kinds[got], names[got]) < 0)
            break;
    int status = -1;
    PyObject *seq = NULL;
    if (got == 4) {
        Py_ssize_t n = views[0].len / 4, postings = views[1].len / 4;
        Py_ssize_t rows = n ? views[3].len / 4 / n : 0;
        if (views[2].len / 4 != postings || (n && views[3].len / 4 % n))
            PyErr_SetString(PyExc_ValueError, "ids, impacts and dense rows do not fit the scores");
        else if ((seq = PySequence_Fast(terms, "terms must be a sequence")) != NULL)
            status = add_terms((float *)views[0].buf, n, (const int32_t *)views[1].buf,
                               (const float *)views[2].buf, postings, (const float *)views[3].buf, rows, seq);
    }
    Py_XDECREF(seq);
    while (got-- > 0)
        PyBuffer_Release(&views[got]);
    if (status < 0)
        return NULL;
    Py_RETURN_NONE;
}

#define TOP_BLOCK 64

/* A min-heap of the best entries so far: the root is the worst (lowest score; among equal, the highest id). */
typedef struct {
    float score;
    int32_t id;
} entry;

static inline int
worse(entry a, entry b)
{
    return a.score < b.score || (a.score == b.score && a.id > b.id);
}

static void
sift_down(entry *heap, Py_ssize_t size, Py_ssize_t i)
{
    for (;;) {
        Py_ssize_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < size && worse(heap[l], heap[m]))
            m = l;
        if (r < size && worse(heap[r], heap[m]))
            m = r;
        if (m == i)
            return;
        entry t = heap[i];
        heap[i] = heap[m];
        heap[m] = t;
        i = m;
    }
}

static void
sift_up(entry *heap, Py_ssize_t i)
{
    while (i > 0) {
        Py_ssize_t p = (i - 1) / 2;
        if (!worse(heap[i], heap[p]))
            return;
        entry t = heap[i];
        heap[i] = heap[p];
        heap[p] = t;
        i = p;
    }
}

/* Each block's maximum score, and a lower bound of the k-th best score: the k-th best of the blocks' maxima (k
   blocks reach it). A block below the bound holds none of the k best. Scores are compared as the int32 of their
   bits, which orders non-negative floats as the floats (a negative score is below every positive one, and only
   positive scores are kept), and lets the maxima be taken with vector instructions. ``heap`` is scratch of k. */
static int32_t
block_bound(const float *s, Py_ssize_t n, Py_ssize_t k, int32_t *maxima, Py_ssize_t blocks, entry *heap)
{
    const int32_t *bits = (const int32_t *)s;
    for (Py_ssize_t b = 0; b < blocks; b++) {
        Py_ssize_t first = b * TOP_BLOCK, last = first + TOP_BLOCK < n ? first + TOP_BLOCK : n;
        int32_t m = INT32_MIN;
        for (Py_ssize_t i = first; i < last; i++)
            m = bits[i] > m ? bits[i] : m;
        maxima[b] = m;
    }
    if (blocks < k)
        return INT32_MIN;
    /* The k largest maxima in a min-heap (scores as ids are unused here: ids all 0). */
    for (Py_ssize_t b = 0; b < blocks; b++) {
        entry e = {0.0f, 0};
        memcpy(&e.score, &maxima[b], sizeof(float));
        if (b < k) {
            heap[b] = e;
            sift_up(heap, b);
        } else if (e.score > heap[0].score) {
            heap[0] = e;
            sift_down(heap, k, 0);
        }
    }
    int32_t bound;
    memcpy(&bound, &heap[0].score, sizeof(float));
    return bound;
}

/* Keeps (x, id) if it is among the k best so far. Ids come in ascending order, so a later id with a score
   equal to the worst kept never displaces it. */
static inline void
offer(entry *heap, Py_ssize_t *size, Py_ssize_t k, float x, int32_t id)
{
    if (*size < k) {
        heap[*size] = (entry){x, id};
        sift_up(heap, (*size)++);
    } else if (x > heap[0].score) {
        heap[0] = (entry){x, id};
        sift_down(heap, k, 0);
    }
}

static int
better_first(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    return worse(*y, *x) ? -1 : worse(*x, *y) ? 1 : 0;
}

/* The k best positive scores into ``heap`` (returns how many), by the block bound. */
static Py_ssize_t
select_top(const float *s, Py_ssize_t n, Py_ssize_t k, entry *heap, int32_t *maxima)
{
    Py_ssize_t blocks = (n + TOP_BLOCK - 1) / TOP_BLOCK;
    int32_t bound = block_bound(s, n, k, maxima, blocks, heap);
    Py_ssize_t size = 0;
    for (Py_ssize_t b = 0; b < blocks; b++) {
        if (maxima[b] < bound)
            continue;
        Py_ssize_t last = (b + 1) * TOP_BLOCK < n ? (b + 1) * TOP_BLOCK : n;
        for (Py_ssize_t i = b * TOP_BLOCK; i < last; i++)
            if (s[i] > 0.0f)
                offer(heap, &size, k, s[i], (int32_t)i);
    }
    return size;
}

static PyObject *
ranked_list(entry *heap, Py_ssize_t size)
{
    qsort(heap, (size_t)size, sizeof(entry), better_first);
    PyObject *out = PyList_New(size);
    for (Py_ssize_t i = 0; out != NULL && i < size; i++) {
        PyObject *pair = Py_BuildValue("(nd)", (Py_ssize_t)heap[i].id, (double)heap[i].score);
        if (pair == NULL) {
            Py_CLEAR(out);
            break;
        }
        PyList_SET_ITEM(out, i, pair);
    }
    return out;
}

static PyObject *
top(PyObject *self, PyObject *args)
{
    PyObject *scores_obj;
    Py_ssize_t k;
    if (!PyArg_ParseTuple(args, "On", &scores_obj, &k))
        return NULL;
    Py_buffer view;
    if (get_buffer(scores_obj, &view, 0, 'f', "scores") < 0)
        return NULL;
    Py_ssize_t n = view.len / 4;
    k = k < n ? k : n;
    if (k <= 0) {
        PyBuffer_Release(&view);
        return PyList_New(0);
    }
    entry *heap = PyMem_Malloc(sizeof(entry) * (size_t)k);
    int32_t *maxima = PyMem_Malloc(sizeof(int32_t) * (size_t)((n + TOP_BLOCK - 1) / TOP_BLOCK));
    PyObject *out = NULL;
    if (heap == NULL || maxima == NULL)
        PyErr_NoMemory();
    else
        out = ranked_list(heap, select_top((const float *)view.buf, n, k, heap, maxima));
    PyMem_Free(maxima);
    PyMem_Free(heap);
    PyBuffer_Release(&view);
    return out;
}

static PyMethodDef methods[] = {
    {"accumulate", accumulate, METH_VARARGS, "Adds each term's impacts times its factor to the scores, in order."},
    {"top", top, METH_VARARGS, "The k best passages with a positive score, best first, lower id first on ties."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "knowledge._scoring", NULL, -1, methods};

PyMODINIT_FUNC
PyInit__scoring(void)
{
    return PyModule_Create(&module);
}
