/* The hot path of reader.access_log.AccessLog.record for text lines, compiled (optional: the Python code
 * is the reference and runs wherever this module was not built, as CPython's heapq does with _heapq).
 *
 * What it does, and all it does: read the line's key from the ASGI scope, look the line's head up in the
 * log's table of this second's heads (AccessLog._heads, filled by the Python code) and, on a hit, copy the
 * head, the duration's piece (from reader.access_log.DURATIONS), the request id and "]\n" into the writer's
 * batch (a bytearray: its length is its count): what the Python `record` does on that path. Everything
 * that reads what a client sent (escaping, cutting, formatting a new head), the clock's update once a
 * second, the first line of a batch, flushing by time, durations of 10 ms or more and anything unusual (no
 * `client`, a raw path that is not bytes, an exception) goes to the Python `record`. No client bytes are
 * read here but to hash and compare them (the table's lookup) and to copy them into the batch, as Python does.
 *
 * Why compiled: in Python this path is about 7,500 instructions a line, most of them the interpreter's
 * own work, and the access log's target is a few per cent of a cached answer (docs/performance.md, "The
 * access log's compiled hit path").
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stddef.h>  /* offsetof */

/* The same clock as time.perf_counter_ns(), read without making an int object. */
static inline int
perf_counter_ns(long long *now)
{
#if PY_VERSION_HEX >= 0x030D0000
    PyTime_t t;
    /* Not the Raw variant: that one may fail without setting an exception (the GIL is held here). */
    if (PyTime_PerfCounter(&t) < 0) {
        return -1;
    }
    *now = (long long)t;
#else
    *now = (long long)_PyTime_GetPerfCounter();  /* nanoseconds, as perf_counter_ns returns them */
#endif
    return 0;
}

/* Names looked up on every line, interned once. */
static PyObject *s_client, *s_method, *s_raw_path, *s_query_string, *s_http_version;
static PyObject *s_flush_bytes, *s_flush, *s_since, *s_until;
/* Durations under 10 ms come from the table; a longer one goes to Python, which formats it. */
#define TABLE_NS 9999500LL

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    PyObject *fallback;     /* the Python AccessLog.record, bound to the log */
    PyObject *heads;        /* AccessLog._heads: {key: head}, this second's */
    PyObject *pending;      /* the writer's batch, a bytearray (the same one for its life) */
    PyObject *writer;       /* the LogWriter: flush() */
    PyObject *clock;        /* the log's _Clock: since, until */
    PyObject *durations;    /* reader.access_log.DURATIONS */
    PyObject *key;          /* a 9-tuple, refilled for each lookup and emptied after it (see table_entry) */
    Py_ssize_t flush_bytes; /* the writer's, read once: it does not change */
    /* The clock's second, copied after each call into Python: only the Python `record` changes it, and
     * every line that is not served here goes there. Both 0 until the first line: nothing is in the span. */
    long long since, until;
} Recorder;

/* An int argument as a C number (perf_counter_ns() readings, far inside 64 bits): 0 when it is not one. */
static int
as_ns(PyObject *value, long long *n)
{
    if (!PyLong_CheckExact(value)) {
        return 0;
    }
    /* PyLong_AsLong, not AsLongLong: 3.11's AsLongLong goes through a byte array for a two-digit int. */
    *n = sizeof(long) >= 8 ? (long long)PyLong_AsLong(value) : PyLong_AsLongLong(value);
    if (*n == -1 && PyErr_Occurred()) {
        PyErr_Clear();
        return 0;
    }
    return 1;
}

static void
read_bounds(Recorder *self)
{
    PyObject *since = PyObject_GetAttr(self->clock, s_since);
    PyObject *until = since ? PyObject_GetAttr(self->clock, s_until) : NULL;
    self->since = self->until = 0;
    if (until != NULL) {
        long long a = PyLong_AsLongLong(since), b = PyLong_AsLongLong(until);
        if (!PyErr_Occurred()) {
            self->since = a;
            self->until = b;
        }
    }
    Py_XDECREF(since);
    Py_XDECREF(until);
    PyErr_Clear();  /* unreadable bounds: an empty span, so every line goes to Python */
}

/* Empty a key tuple after its lookup, and let it go: it keeps no part of a client's request past its line. */
static void
drop_key(PyObject *key)
{
    for (int i = 0; i < 9; i++) {
        PyObject *part = PyTuple_GET_ITEM(key, i);
        PyTuple_SET_ITEM(key, i, NULL);
        Py_XDECREF(part);
    }
    Py_DECREF(key);
}

/* The Python record with these arguments (or keywords); the clock's bounds are copied afterwards, and an
 * exception of the call is kept through that. */
static PyObject *
call_python(Recorder *self, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    PyObject *result = PyObject_Vectorcall(self->fallback, args, nargsf, kwnames);
#if PY_VERSION_HEX >= 0x030C0000
    PyObject *raised = PyErr_GetRaisedException();
    read_bounds(self);
    PyErr_SetRaisedException(raised);
#else
    PyObject *type, *value, *traceback;
    PyErr_Fetch(&type, &value, &traceback);
    read_bounds(self);
    PyErr_Restore(type, value, traceback);
#endif
    return result;
}

/* The writer's flush_bytes, or -1 when it has no such int (such as the tests' stand-ins): read once, as it does
 * not change. */
static Py_ssize_t
writer_flush_bytes(PyObject *writer)
{
    PyObject *value = PyObject_GetAttr(writer, s_flush_bytes);
    Py_ssize_t n = value != NULL && PyLong_CheckExact(value) ? PyLong_AsSsize_t(value) : -1;
    Py_XDECREF(value);
    PyErr_Clear();
    return n < 0 ? -1 : n;
}

/* The entry of this second's table for the line (a new reference), or NULL (no exception set) when Python
 * must make the line: an unusual scope, a miss. The key is the Python record's, in the same order, so the
 * same table answers both; it is built in a tuple made once and refilled (a new tuple a line costs an
 * allocation and the garbage collector's count), emptied again after the lookup. */
static PyObject *
table_entry(Recorder *self, PyObject *const *args)
{
    PyObject *scope = args[0];
    if (!PyDict_CheckExact(scope)) {
        return NULL;
    }
    PyObject *client = PyDict_GetItemWithError(scope, s_client);
    PyObject *method = PyDict_GetItemWithError(scope, s_method);
    PyObject *raw_path = PyDict_GetItemWithError(scope, s_raw_path);
    PyObject *query = PyDict_GetItemWithError(scope, s_query_string);
    PyObject *version = PyDict_GetItemWithError(scope, s_http_version);
    if (client == NULL || method == NULL || raw_path == NULL || query == NULL || version == NULL
        || !PyTuple_CheckExact(client) || PyTuple_GET_SIZE(client) < 1 || !PyBytes_CheckExact(raw_path)) {
        PyErr_Clear();
        return NULL;
    }
    PyObject *parts[9] = {PyTuple_GET_ITEM(client, 0), method, raw_path, query, version,
                          args[6], args[7], args[2], args[3]};  /* ..., referer, agent, status, sent */
#if PY_VERSION_HEX >= 0x030E0000
    /* 3.14 keeps a tuple's hash in the tuple once computed: a refilled one would answer with the last line's. */
    if (1) {
#else
    /* Held elsewhere: by a lookup still under way (an element's __eq__ called the log again), or kept by one.
     * That one is left to its holder, untouched: make another. */
    if (Py_REFCNT(self->key) != 1) {
#endif
        PyObject *fresh = PyTuple_New(9);
        if (fresh == NULL) {
            PyErr_Clear();
            return NULL;
        }
        PyObject_GC_UnTrack(fresh);  /* (see Recorder_new) */
        Py_SETREF(self->key, fresh);
    }
    /* This lookup's own reference: a call made from inside it (an element's __eq__ recording a line) finds the
     * tuple held twice and fills another, where it would refill and empty this one mid-lookup, or free it. */
    PyObject *key = Py_NewRef(self->key);
    for (int i = 0; i < 9; i++) {
        PyTuple_SET_ITEM(key, i, Py_NewRef(parts[i]));
    }
    PyObject *entry = PyDict_GetItemWithError(self->heads, key);
    if (entry == NULL || !PyBytes_CheckExact(entry)) {
        PyErr_Clear();  /* a miss, or an unhashable part: Python makes the head, or raises as it would */
        drop_key(key);
        return NULL;
    }
    /* Held: the lookup may have run an element's __eq__, and what follows must not see the table change. */
    Py_INCREF(entry);
    drop_key(key);
    return entry;
}

/* The line of record's 8 arguments `args`, its start and end given as C numbers, copied into the batch where
 * the hit path applies: 1 when done, 0 when Python must do it (no exception set), -1 on an error after the
 * batch was changed. */
static int
add_hit(Recorder *self, PyObject *const *args, long long start, long long end)
{
    PyObject *request_id = args[1];
    /* A line of another second, a negative or long duration, a batch's first line (it schedules the
     * batch's flush): Python's. */
    if (start < self->since || start >= self->until || end < start || end - start >= TABLE_NS
        || !PyBytes_CheckExact(request_id) || PyByteArray_GET_SIZE(self->pending) == 0 || self->flush_bytes < 0) {
        return 0;
    }
    PyObject *head = table_entry(self, args);
    if (head == NULL) {
        return 0;
    }
    /* Code the lookup ran (an element's __eq__) may have written the batch out: its first line is Python's
     * again (the Python record, too, looks at the batch after the lookup). */
    Py_ssize_t micros = (Py_ssize_t)((end - start + 500) / 1000);  /* to the nearest microsecond */
    Py_ssize_t size = PyByteArray_GET_SIZE(self->pending);
    /* (A batch of half the address space, and the pieces' lengths, summed below cannot overflow.) */
    if (size == 0 || size > PY_SSIZE_T_MAX / 2 || micros >= PyList_GET_SIZE(self->durations)
        || !PyBytes_CheckExact(PyList_GET_ITEM(self->durations, micros))) {
        Py_DECREF(head);
        return 0;
    }
    PyObject *duration = PyList_GET_ITEM(self->durations, micros);
    const char *pieces[4] = {PyBytes_AS_STRING(head), PyBytes_AS_STRING(duration), PyBytes_AS_STRING(request_id),
                             "]\n"};
    const Py_ssize_t lengths[4] = {PyBytes_GET_SIZE(head), PyBytes_GET_SIZE(duration),
                                   PyBytes_GET_SIZE(request_id), 2};
    Py_ssize_t grown = size;
    for (int i = 0; i < 4; i++) {
        grown += lengths[i];
    }
    /* From here the batch changes: what fails now (memory, a buffer exported meanwhile) is raised, as the Python
     * code's `+=` would. PyByteArray_Resize over-allocates as it grows, as a list does. */
    if (PyByteArray_Resize(self->pending, grown) < 0) {
        Py_DECREF(head);
        return -1;
    }
    char *to = PyByteArray_AS_STRING(self->pending) + size;
    for (int i = 0; i < 4; i++) {
        memcpy(to, pieces[i], (size_t)lengths[i]);
        to += lengths[i];
    }
    Py_DECREF(head);
    if (grown >= self->flush_bytes) {
        PyObject *flushed = PyObject_CallMethodNoArgs(self->writer, s_flush);
        if (flushed == NULL) {
            return -1;
        }
        Py_DECREF(flushed);
    }
    return 1;
}

static int
usable(Recorder *self)
{
    if (self->fallback == NULL) {  /* cleared by the garbage collector: unreachable, but be safe */
        PyErr_SetString(PyExc_RuntimeError, "the access log's recorder was cleared");
        return 0;
    }
    return 1;
}

/* record(scope, request_id, status, sent, start, end, referer, agent): AccessLog.record's arguments. */
static PyObject *
Recorder_record(Recorder *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    if (!usable(self)) {
        return NULL;
    }
    long long start, end;
    int done = nargs == 8 && kwnames == NULL && as_ns(args[4], &start) && as_ns(args[5], &end)
        ? add_hit(self, args, start, end) : 0;
    if (done < 0) {
        return NULL;
    }
    if (done == 0) {
        return call_python(self, args, (size_t)nargs, kwnames);
    }
    Py_RETURN_NONE;
}

/* recorder(scope, request_id, status, sent, start, referer, agent): the line of a request that ends now,
 * its end read here: an int object is made only when the line goes to Python. */
static PyObject *
Recorder_vectorcall(PyObject *op, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    Recorder *self = (Recorder *)op;
    if (PyVectorcall_NARGS(nargsf) != 7 || kwnames != NULL) {
        PyErr_SetString(PyExc_TypeError,
                        "expected 7 positional arguments: scope, request_id, status, sent, start, referer, agent");
        return NULL;
    }
    long long now, start;
    if (!usable(self) || perf_counter_ns(&now) < 0) {
        return NULL;
    }
    /* The record arguments' order, end left out until it is needed. */
    PyObject *full[8] = {args[0], args[1], args[2], args[3], args[4], NULL, args[5], args[6]};
    int done = as_ns(args[4], &start) ? add_hit(self, full, start, now) : 0;
    if (done < 0) {
        return NULL;
    }
    if (done == 1) {
        Py_RETURN_NONE;
    }
    if ((full[5] = PyLong_FromLongLong(now)) == NULL) {
        return NULL;
    }
    PyObject *result = call_python(self, full, 8, NULL);
    Py_DECREF(full[5]);
    return result;
}

static PyObject *
Recorder_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    PyObject *fallback, *heads, *pending, *writer, *clock, *durations;
    static char *names[] = {"fallback", "heads", "pending", "writer", "clock", "durations", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OO!O!OOO!:Recorder", names, &fallback, &PyDict_Type, &heads,
                                     &PyByteArray_Type, &pending, &writer, &clock, &PyList_Type, &durations)) {
        return NULL;
    }
    PyObject *key = PyTuple_New(9);
    if (key == NULL) {
        return NULL;
    }
    /* Empty (NULL items) but during a lookup: no Python code may see it, so the garbage collector does not
     * track it, and Recorder_traverse does not visit it (it holds nothing between lines). */
    PyObject_GC_UnTrack(key);
    Recorder *self = PyObject_GC_New(Recorder, type);
    if (self == NULL) {
        Py_DECREF(key);
        return NULL;
    }
    self->key = key;
    /* -1 (every line to Python) for a writer without one, such as the tests' stand-ins. */
    self->flush_bytes = writer_flush_bytes(writer);
    self->vectorcall = Recorder_vectorcall;
    self->fallback = Py_NewRef(fallback);
    self->heads = Py_NewRef(heads);
    self->pending = Py_NewRef(pending);
    self->writer = Py_NewRef(writer);
    self->clock = Py_NewRef(clock);
    self->durations = Py_NewRef(durations);
    self->since = self->until = 0;
    PyObject_GC_Track(self);
    return (PyObject *)self;
}

/* The recorder is held by its log and holds the log's bound method: a cycle, for the garbage collector. */
static int
Recorder_traverse(Recorder *self, visitproc visit, void *arg)
{
    Py_VISIT(self->fallback);
    Py_VISIT(self->heads);
    Py_VISIT(self->pending);
    Py_VISIT(self->writer);
    Py_VISIT(self->clock);
    Py_VISIT(self->durations);
    return 0;
}

static int
Recorder_clear(Recorder *self)
{
    Py_CLEAR(self->fallback);
    Py_CLEAR(self->heads);
    Py_CLEAR(self->pending);
    Py_CLEAR(self->writer);
    Py_CLEAR(self->clock);
    Py_CLEAR(self->durations);
    Py_CLEAR(self->key);
    return 0;
}

static void
Recorder_dealloc(Recorder *self)
{
    PyObject_GC_UnTrack(self);
    Recorder_clear(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyMethodDef Recorder_methods[] = {
    {"record", (PyCFunction)(void (*)(void))Recorder_record, METH_FASTCALL | METH_KEYWORDS,
     "record(scope, request_id, status, sent, start, end, referer, agent): AccessLog.record, its hit path "
     "compiled."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject RecorderType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "reader._access_log_speedups.Recorder",
    .tp_basicsize = sizeof(Recorder),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_doc = "Recorder(fallback, heads, pending, writer, clock, durations): an AccessLog's text lines, the "
              "lines whose head is in `heads` added here, the others by `fallback` (the Python record).",
    .tp_new = Recorder_new,
    .tp_dealloc = (destructor)Recorder_dealloc,
    .tp_traverse = (traverseproc)Recorder_traverse,
    .tp_clear = (inquiry)Recorder_clear,
    .tp_vectorcall_offset = offsetof(Recorder, vectorcall),
    .tp_call = PyVectorcall_Call,
    .tp_methods = Recorder_methods,
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "reader._access_log_speedups",
    .m_doc = "The hit path of reader.access_log.AccessLog.record for text lines, compiled (optional).",
    .m_size = -1,
};

PyMODINIT_FUNC
PyInit__access_log_speedups(void)
{
    static const char *names[] = {"client", "method", "raw_path", "query_string", "http_version",
                                  "flush_bytes", "flush", "since", "until"};
    PyObject **slots[] = {&s_client, &s_method, &s_raw_path, &s_query_string, &s_http_version,
                          &s_flush_bytes, &s_flush, &s_since, &s_until};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (*slots[i] == NULL && (*slots[i] = PyUnicode_InternFromString(names[i])) == NULL) {
            return NULL;
        }
    }
    if (PyType_Ready(&RecorderType) < 0) {
        return NULL;
    }
    PyObject *m = PyModule_Create(&module);
    if (m == NULL) {
        return NULL;
    }
    if (PyModule_AddObjectRef(m, "Recorder", (PyObject *)&RecorderType) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
