/*
 * hsi_pcap: a small N-API binding to libpcap for handshake-inspector's live capture.
 *
 * Design (see native/README-section.md):
 *  - One Capture object per pcap handle, opened with pcap_create + setters + pcap_activate,
 *    a BPF filter, non-blocking mode.
 *  - The selectable fd is watched by a libuv poll handle on the main loop: no thread, no
 *    busy loop. When it is readable, pcap_dispatch runs in a loop and packets are copied into
 *    a staging area this module owns; each full batch (or the end of what is queued) is
 *    handed to JS in ONE call: a Buffer holding the packet bytes back to back, and a
 *    Uint32Array of META_FIELDS words per packet.
 *  - Memory safety: JS never sees a pointer into memory this module owns, and this module
 *    never keeps a pointer into memory JS owns. Each batch Buffer is a fresh copy that V8
 *    owns; the staging area is malloc'd here and freed here.
 *  - close() is idempotent, safe from inside the batch callback, and also runs from an
 *    environment cleanup hook (process exit, worker exit) and from the GC finalizer.
 */
#include <node_api.h>
#include <uv.h>
#include <pcap/pcap.h>

#include <errno.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#ifdef __linux__
#include <linux/capability.h>
#include <netpacket/packet.h>
#include <sys/syscall.h>
#endif

/* ---- limits (named, checked before allocating) ---------------------------------------- */

/* A batch is handed to JS when it holds this many packets ... */
#define BATCH_MAX_PACKETS 4096
/* ... or this many bytes (the staging area may exceed it by one packet). */
#define BATCH_MAX_BYTES (4u * 1024u * 1024u)
/* Batches delivered per readiness callback before yielding to the event loop. */
#define MAX_BATCHES_PER_WAKEUP 16
/* The largest snapshot length accepted (libpcap's own maximum for most link types). */
#define SNAPLEN_MAX 262144
/* The largest kernel buffer accepted (1 GiB). */
#define BUFFER_SIZE_MAX (1024 * 1024 * 1024)
/* Read timeout for non-immediate mode, milliseconds (bounds TPACKET_V3 block latency). */
#define READ_TIMEOUT_MS 100
/* Words per packet in the metadata array. */
#define META_FIELDS 6
enum { META_TS_SEC_LO = 0, META_TS_SEC_HI, META_TS_NSEC, META_CAPLEN, META_ORIGLEN, META_OFFSET };

/* ---- helpers ------------------------------------------------------------------------- */

#define NAPI_OK(call)                                                                       \
  do {                                                                                      \
    if ((call) != napi_ok) return NULL;                                                     \
  } while (0)

static napi_value throw_coded(napi_env env, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static napi_value throw_coded(napi_env env, const char *code, const char *fmt, ...) {
  char msg[PCAP_ERRBUF_SIZE + 512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  napi_throw_error(env, code, msg);
  return NULL;
}

static napi_status set_named(napi_env env, napi_value obj, const char *name, napi_value v) {
  return napi_set_named_property(env, obj, name, v);
}

static napi_status set_str(napi_env env, napi_value obj, const char *name, const char *s) {
  napi_value v;
  napi_status st = s ? napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v) : napi_get_null(env, &v);
  if (st != napi_ok) return st;
  return set_named(env, obj, name, v);
}

static napi_status set_num(napi_env env, napi_value obj, const char *name, double d) {
  napi_value v;
  napi_status st = napi_create_double(env, d, &v);
  if (st != napi_ok) return st;
  return set_named(env, obj, name, v);
}

static napi_status set_bool(napi_env env, napi_value obj, const char *name, int b) {
  napi_value v;
  napi_status st = napi_get_boolean(env, b != 0, &v);
  if (st != napi_ok) return st;
  return set_named(env, obj, name, v);
}

/* Reads an optional property: returns 0 when absent/undefined, 1 when present, -1 on error. */
static int get_opt(napi_env env, napi_value obj, const char *name, napi_valuetype want, napi_value *out) {
  bool has = false;
  if (napi_has_named_property(env, obj, name, &has) != napi_ok) return -1;
  if (!has) return 0;
  if (napi_get_named_property(env, obj, name, out) != napi_ok) return -1;
  napi_valuetype t;
  if (napi_typeof(env, *out, &t) != napi_ok) return -1;
  if (t == napi_undefined) return 0;
  if (t != want) {
    throw_coded(env, "ERR_INVALID_ARG_TYPE", "option '%s' has the wrong type", name);
    return -1;
  }
  return 1;
}

static int get_opt_int(napi_env env, napi_value obj, const char *name, int64_t lo, int64_t hi, int64_t *out) {
  napi_value v;
  int r = get_opt(env, obj, name, napi_number, &v);
  if (r <= 0) return r;
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok) return -1;
  if (!(d >= (double)lo && d <= (double)hi) || d != (double)(int64_t)d) {
    throw_coded(env, "ERR_OUT_OF_RANGE", "option '%s' must be an integer in %lld..%lld", name, (long long)lo,
                (long long)hi);
    return -1;
  }
  *out = (int64_t)d;
  return 1;
}

static int get_opt_bool(napi_env env, napi_value obj, const char *name, int *out) {
  napi_value v;
  int r = get_opt(env, obj, name, napi_boolean, &v);
  if (r <= 0) return r;
  bool b;
  if (napi_get_value_bool(env, v, &b) != napi_ok) return -1;
  *out = b ? 1 : 0;
  return 1;
}

/* Copies an optional string property into a malloc'd C string (*out NULL when absent). */
static int get_opt_string(napi_env env, napi_value obj, const char *name, size_t max_len, char **out) {
  napi_value v;
  *out = NULL;
  int r = get_opt(env, obj, name, napi_string, &v);
  if (r <= 0) return r;
  size_t len;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) return -1;
  if (len > max_len) {
    throw_coded(env, "ERR_OUT_OF_RANGE", "option '%s' is longer than %zu bytes", name, max_len);
    return -1;
  }
  char *s = malloc(len + 1);
  if (!s) {
    throw_coded(env, "ENOMEM", "out of memory");
    return -1;
  }
  if (napi_get_value_string_utf8(env, v, s, len + 1, &len) != napi_ok) {
    free(s);
    return -1;
  }
  if (strlen(s) != len) {
    free(s);
    throw_coded(env, "ERR_INVALID_ARG_VALUE", "option '%s' contains a NUL character", name);
    return -1;
  }
  *out = s;
  return 1;
}

/* ---- the capture object ------------------------------------------------------------------ */

typedef struct capture {
  napi_env env;
  pcap_t *p;
  uv_poll_t *poll;   /* malloc'd; freed in its close callback */
  uv_timer_t *timer; /* only when libpcap requires a select timeout */
  napi_ref self_ref; /* strong while started: keeps the JS object alive */
  napi_ref batch_ref;
  napi_ref error_ref;
  napi_async_context async_ctx;
  int started;
  int closed;
  int delivering;      /* inside a JS callback made by this module */
  int release_pending; /* JS references to drop once that callback returns */
  int linktype;
  int snaplen;
  int nano;
  /* staging area for the batch being collected (owned here) */
  uint8_t *data;
  size_t data_len;
  size_t data_cap;
  uint32_t *meta;
  uint32_t count;
  uint64_t internal_dropped; /* packets this module could not stage (out of memory) */
  struct pcap_stat last_stats;
  int have_stats;
  char error[PCAP_ERRBUF_SIZE + 64];
  char iface[IF_NAMESIZE + 1]; /* the device opened ("" for "any" or when unknown) */
  struct capture *next; /* list of open captures, for the environment cleanup hook */
} capture;

static pthread_mutex_t open_list_lock = PTHREAD_MUTEX_INITIALIZER;
static capture *open_list = NULL;

static void list_add(capture *c) {
  pthread_mutex_lock(&open_list_lock);
  c->next = open_list;
  open_list = c;
  pthread_mutex_unlock(&open_list_lock);
}

static void list_remove(capture *c) {
  pthread_mutex_lock(&open_list_lock);
  for (capture **pp = &open_list; *pp; pp = &(*pp)->next) {
    if (*pp == c) {
      *pp = c->next;
      break;
    }
  }
  c->next = NULL;
  pthread_mutex_unlock(&open_list_lock);
}

static void free_staging(capture *c) {
  free(c->data);
  free(c->meta);
  c->data = NULL;
  c->meta = NULL;
  c->data_cap = c->data_len = 0;
  c->count = 0;
}

static void on_handle_closed(uv_handle_t *h) { free(h); }

/* Drops the JS references taken by start(). Deferred while a callback made with them runs. */
static void release_js(capture *c) {
  if (c->delivering) {
    c->release_pending = 1;
    return;
  }
  c->release_pending = 0;
  if (c->batch_ref) napi_delete_reference(c->env, c->batch_ref);
  if (c->error_ref) napi_delete_reference(c->env, c->error_ref);
  if (c->self_ref) napi_delete_reference(c->env, c->self_ref);
  if (c->async_ctx) napi_async_destroy(c->env, c->async_ctx);
  c->batch_ref = c->error_ref = c->self_ref = NULL;
  c->async_ctx = NULL;
}

/* Stops the libuv watchers and (touch_js) drops the JS references. No JS is called. */
static void stop_watching(capture *c, int touch_js) {
  if (c->poll) {
    uv_poll_stop(c->poll);
    uv_close((uv_handle_t *)c->poll, on_handle_closed);
    c->poll = NULL;
  }
  if (c->timer) {
    uv_timer_stop(c->timer);
    uv_close((uv_handle_t *)c->timer, on_handle_closed);
    c->timer = NULL;
  }
  if (touch_js) release_js(c);
  c->started = 0;
}

/* Runs after every JS callback this module makes: finish what JS asked for meanwhile. */
static void after_js(capture *c) {
  c->delivering = 0;
  if (c->release_pending) release_js(c);
  if (c->closed) free_staging(c);
}

/* Closes the pcap handle after taking the final statistics. Idempotent. */
static void close_capture(capture *c, int touch_js) {
  if (c->closed) return;
  stop_watching(c, touch_js);
  if (c->p) {
    struct pcap_stat st;
    if (pcap_stats(c->p, &st) == 0) {
      c->last_stats = st;
      c->have_stats = 1;
    }
    pcap_close(c->p);
    c->p = NULL;
  }
  c->closed = 1;
  if (!c->delivering) free_staging(c);
  list_remove(c);
}

static void env_cleanup(void *arg) {
  napi_env env = (napi_env)arg;
  for (;;) {
    capture *found = NULL;
    pthread_mutex_lock(&open_list_lock);
    for (capture *c = open_list; c; c = c->next) {
      if (c->env == env) {
        found = c;
        break;
      }
    }
    pthread_mutex_unlock(&open_list_lock);
    if (!found) break;
    close_capture(found, 0);
  }
}

static void finalize_capture(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  capture *c = data;
  close_capture(c, 0);
  free_staging(c);
  free(c);
}

static int ensure_staging(capture *c) {
  if (c->meta) return 0;
  c->meta = malloc(sizeof(uint32_t) * META_FIELDS * BATCH_MAX_PACKETS);
  c->data_cap = BATCH_MAX_BYTES + (size_t)c->snaplen;
  c->data = malloc(c->data_cap);
  if (!c->meta || !c->data) {
    free_staging(c);
    return -1;
  }
  return 0;
}

/* pcap_dispatch callback: copy the packet into the staging area (never calls JS). */
static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes) {
  capture *c = (capture *)user;
  if (c->count >= BATCH_MAX_PACKETS) { /* cannot happen: we break at the limit */
    c->internal_dropped++;
    pcap_breakloop(c->p);
    return;
  }
  size_t need = c->data_len + h->caplen;
  if (need > c->data_cap) {
    size_t cap = c->data_cap * 2 > need ? c->data_cap * 2 : need;
    uint8_t *grown = realloc(c->data, cap);
    if (!grown) {
      c->internal_dropped++;
      pcap_breakloop(c->p);
      return;
    }
    c->data = grown;
    c->data_cap = cap;
  }
  memcpy(c->data + c->data_len, bytes, h->caplen);
  uint32_t *m = c->meta + (size_t)c->count * META_FIELDS;
  uint64_t sec = (uint64_t)(int64_t)h->ts.tv_sec;
  m[META_TS_SEC_LO] = (uint32_t)(sec & 0xffffffffu);
  m[META_TS_SEC_HI] = (uint32_t)(sec >> 32);
  m[META_TS_NSEC] = c->nano ? (uint32_t)h->ts.tv_usec : (uint32_t)h->ts.tv_usec * 1000u;
  m[META_CAPLEN] = h->caplen;
  m[META_ORIGLEN] = h->len;
  m[META_OFFSET] = (uint32_t)c->data_len;
  c->count++;
  c->data_len += h->caplen;
  if (c->count >= BATCH_MAX_PACKETS || c->data_len >= BATCH_MAX_BYTES) pcap_breakloop(c->p);
}

/*
 * Fills the staging area from the ring. Returns 1 when the batch is full (more may be
 * queued), 0 when nothing more is queued, or a negative pcap status on error.
 */
static int collect_batch(capture *c) {
  for (;;) {
    int n = pcap_dispatch(c->p, -1, on_packet, (u_char *)c);
    if (n == PCAP_ERROR_BREAK) return 1;
    if (n < 0) return n;
    if (n == 0) return 0;
    if (c->count >= BATCH_MAX_PACKETS || c->data_len >= BATCH_MAX_BYTES) return 1;
  }
}

/* Builds the (data, meta, count) arguments for one staged batch. */
static int batch_args(capture *c, napi_value argv[3]) {
  napi_env env = c->env;
  void *meta_mem = NULL;
  napi_value ab;
  size_t meta_bytes = sizeof(uint32_t) * META_FIELDS * c->count;
  if (napi_create_buffer_copy(env, c->data_len, c->data_len ? c->data : (const void *)"", NULL, &argv[0]) != napi_ok)
    return -1;
  if (napi_create_arraybuffer(env, meta_bytes, &meta_mem, &ab) != napi_ok) return -1;
  if (meta_bytes) memcpy(meta_mem, c->meta, meta_bytes);
  if (napi_create_typedarray(env, napi_uint32_array, META_FIELDS * c->count, ab, 0, &argv[1]) != napi_ok) return -1;
  if (napi_create_uint32(env, c->count, &argv[2]) != napi_ok) return -1;
  return 0;
}

/*
 * Hands the staged batch to JS. from_loop: called from a libuv callback (use
 * napi_make_callback so microtasks run and exceptions reach 'uncaughtException');
 * otherwise called synchronously from JS (a pending exception propagates to the caller).
 * Returns -1 when JS threw (from_loop == 0) or the call failed.
 */
static int deliver(capture *c, int from_loop) {
  napi_env env = c->env;
  napi_value argv[3], cb, recv, result;
  int rc = 0;
  if (c->count == 0) return 0;
  if (batch_args(c, argv) != 0 || napi_get_reference_value(env, c->batch_ref, &cb) != napi_ok ||
      napi_get_reference_value(env, c->self_ref, &recv) != napi_ok) {
    c->count = 0;
    c->data_len = 0;
    return -1;
  }
  c->count = 0;
  c->data_len = 0;
  c->delivering = 1;
  napi_status st;
  if (from_loop)
    st = napi_make_callback(env, c->async_ctx, recv, cb, 3, argv, &result);
  else
    st = napi_call_function(env, recv, cb, 3, argv, &result);
  after_js(c);
  if (st == napi_pending_exception) {
    if (from_loop) {
      napi_value exc;
      if (napi_get_and_clear_last_exception(env, &exc) == napi_ok) napi_fatal_exception(env, exc);
    }
    rc = -1;
  } else if (st != napi_ok) {
    rc = -1;
  }
  return rc;
}

/* Reports a read error to JS's error callback (or as an uncaught exception) and stops. */
static void report_read_error(capture *c, const char *code, const char *msg) {
  napi_env env = c->env;
  napi_value err, cb = NULL, recv = NULL, m, k, result;
  napi_valuetype t = napi_undefined;
  snprintf(c->error, sizeof c->error, "%s", msg);
  if (napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &m) != napi_ok ||
      napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &k) != napi_ok ||
      napi_create_error(env, k, m, &err) != napi_ok) {
    stop_watching(c, 1);
    return;
  }
  if (c->error_ref && napi_get_reference_value(env, c->error_ref, &cb) == napi_ok && cb) napi_typeof(env, cb, &t);
  if (c->self_ref) napi_get_reference_value(env, c->self_ref, &recv);
  /* Stop first: the handle will not be read again whatever the callback does. */
  c->delivering = 1;
  stop_watching(c, 1);
  napi_status st = napi_pending_exception;
  if (t == napi_function && recv) st = napi_make_callback(env, c->async_ctx, recv, cb, 1, &err, &result);
  after_js(c);
  if (t != napi_function || !recv) {
    napi_fatal_exception(env, err);
  } else if (st == napi_pending_exception) {
    napi_value exc;
    if (napi_get_and_clear_last_exception(env, &exc) == napi_ok) napi_fatal_exception(env, exc);
  }
}

/* Drains up to max_batches batches, delivering each. Returns <0 on a JS exception (sync). */
static int pump(capture *c, int max_batches, int from_loop) {
  for (int b = 0; b < max_batches; b++) {
    if (c->closed || !c->p || !c->started) return 0;
    int rc = collect_batch(c);
    if (deliver(c, from_loop) != 0 && !from_loop) return -1;
    if (c->closed || !c->p || !c->started) return 0;
    if (rc < 0) {
      char msg[PCAP_ERRBUF_SIZE + 64];
      snprintf(msg, sizeof msg, "capture read failed: %s", pcap_geterr(c->p));
      report_read_error(c, "READ_FAILED", msg);
      return 0;
    }
    if (rc == 0) return 0;
  }
  return 0;
}

static void wakeup(capture *c, int status) {
  napi_handle_scope scope;
  if (napi_open_handle_scope(c->env, &scope) != napi_ok) return;
  if (status < 0) {
    /* libuv reports POLLERR as EBADF; a read gets libpcap's own words for it (e.g. "The
       interface disappeared") and delivers what was still queued. */
    pump(c, MAX_BATCHES_PER_WAKEUP, 1);
    /* What was queued came first; the read after it may be the one that sees the error. */
    if (!c->closed && c->started) pump(c, 1, 1);
    if (!c->closed && c->started && c->iface[0] && if_nametoindex(c->iface) == 0) {
      /* libpcap's own words when its read sees it first: one message whichever wins the race */
      report_read_error(c, "READ_FAILED", "capture read failed: The interface disappeared");
    } else if (!c->closed && c->started) {
      char msg[256];
      int soerr = 0;
      socklen_t len = sizeof soerr;
      if (getsockopt(pcap_get_selectable_fd(c->p), SOL_SOCKET, SO_ERROR, &soerr, &len) == 0 && soerr != 0)
        snprintf(msg, sizeof msg, "capture failed: %s", strerror(soerr));
      else if (status == UV_EBADF)
        snprintf(msg, sizeof msg, "capture failed: the descriptor reported an error (is the interface down?)");
      else
        snprintf(msg, sizeof msg, "polling the capture failed: %s", uv_strerror(status));
      report_read_error(c, "POLL_FAILED", msg);
    }
  } else {
    pump(c, MAX_BATCHES_PER_WAKEUP, 1);
  }
  napi_close_handle_scope(c->env, scope);
}

static void on_readable(uv_poll_t *h, int status, int events) {
  (void)events;
  wakeup(h->data, status);
}

static void on_timer(uv_timer_t *t) { wakeup(t->data, 0); }

/* ---- JS methods ------------------------------------------------------------------------ */

static capture *unwrap_this(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv, napi_value *self) {
  napi_value this_arg;
  capture *c = NULL;
  if (napi_get_cb_info(env, info, argc, argv, &this_arg, NULL) != napi_ok) return NULL;
  if (napi_unwrap(env, this_arg, (void **)&c) != napi_ok || !c) {
    throw_coded(env, "ERR_INVALID_THIS", "not a Capture object");
    return NULL;
  }
  if (self) *self = this_arg;
  return c;
}

/* The capture behind `this` for the methods that take no arguments. */
static capture *self_of(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  return unwrap_this(env, info, &argc, NULL, NULL);
}

static const char *activate_code(int rc) {
  switch (rc) {
    case PCAP_ERROR_NO_SUCH_DEVICE: return "NO_SUCH_DEVICE";
    case PCAP_ERROR_PERM_DENIED: return "PERM_DENIED";
    case PCAP_ERROR_PROMISC_PERM_DENIED: return "PROMISC_PERM_DENIED";
    case PCAP_ERROR_IFACE_NOT_UP: return "IFACE_NOT_UP";
    case PCAP_ERROR_RFMON_NOTSUP: return "RFMON_NOTSUP";
    case PCAP_ERROR_CANTSET_TSTAMP_TYPE: return "CANTSET_TSTAMP_TYPE";
    case PCAP_ERROR_ACTIVATED: return "ACTIVATED";
    default: return "ACTIVATE_FAILED";
  }
}

typedef struct open_opts {
  char *iface;
  char *filter;
  int64_t snaplen;
  int64_t bufsize;
  int promisc;
  int immediate;
  int want_nano;
  pcap_direction_t dir;
} open_opts;

typedef struct open_result {
  pcap_t *p;
  int kernel_direction;
  char warning[PCAP_ERRBUF_SIZE + 128]; /* empty: no warning */
} open_result;

/* Reads the options object; returns -1 with a pending exception. Strings are malloc'd. */
static int parse_open_opts(napi_env env, napi_value o, open_opts *out) {
  char *direction = NULL;
  memset(out, 0, sizeof *out);
  out->snaplen = SNAPLEN_MAX;
  out->bufsize = 32 * 1024 * 1024;
  out->promisc = out->immediate = out->want_nano = 1;
  out->dir = PCAP_D_INOUT;
  if (get_opt_string(env, o, "iface", 1024, &out->iface) < 0 || get_opt_string(env, o, "filter", 65536, &out->filter) < 0 ||
      get_opt_int(env, o, "snaplen", 1, SNAPLEN_MAX, &out->snaplen) < 0 ||
      get_opt_int(env, o, "bufferSize", 0, BUFFER_SIZE_MAX, &out->bufsize) < 0 ||
      get_opt_bool(env, o, "promisc", &out->promisc) < 0 || get_opt_bool(env, o, "immediate", &out->immediate) < 0 ||
      get_opt_bool(env, o, "nano", &out->want_nano) < 0 || get_opt_string(env, o, "direction", 8, &direction) < 0)
    return -1;
  int bad_direction = 0;
  if (direction) {
    if (strcmp(direction, "in") == 0)
      out->dir = PCAP_D_IN;
    else if (strcmp(direction, "out") == 0)
      out->dir = PCAP_D_OUT;
    else
      bad_direction = strcmp(direction, "inout") != 0;
    free(direction);
  }
  if (bad_direction) {
    throw_coded(env, "ERR_INVALID_ARG_VALUE", "option 'direction' must be 'in', 'out' or 'inout'");
    return -1;
  }
  if (!out->iface) {
    throw_coded(env, "ERR_INVALID_ARG_VALUE", "Capture(options): 'iface' is required");
    return -1;
  }
  return 0;
}

/*
 * pcap_create → setters → pcap_activate → direction → filter → non-blocking. Returns -1
 * with a pending exception (and the handle closed) on failure.
 */
static int open_pcap(napi_env env, const open_opts *o, open_result *r) {
  char errbuf[PCAP_ERRBUF_SIZE];
  errbuf[0] = 0;
  memset(r, 0, sizeof *r);
  pcap_t *p = pcap_create(o->iface, errbuf);
  if (!p) {
    throw_coded(env, "CREATE_FAILED", "cannot create a capture on %s: %s", o->iface, errbuf);
    return -1;
  }
  pcap_set_snaplen(p, (int)o->snaplen);
  pcap_set_promisc(p, o->promisc);
  pcap_set_immediate_mode(p, o->immediate);
  pcap_set_timeout(p, READ_TIMEOUT_MS);
  if (o->bufsize > 0) pcap_set_buffer_size(p, (int)o->bufsize);
  /* Nanosecond kernel timestamps when the platform has them; microseconds otherwise
     (pcap_get_tstamp_precision tells which after activation). */
  if (o->want_nano) pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);

  int rc = pcap_activate(p);
  if (rc < 0) {
    const char *detail = pcap_geterr(p);
    const char *status = pcap_statustostr(rc);
    if (detail && *detail && strcmp(detail, status) != 0)
      throw_coded(env, activate_code(rc), "%s: %s (%s)", o->iface, status, detail);
    else
      throw_coded(env, activate_code(rc), "%s: %s", o->iface, status);
    goto fail;
  }
  if (rc == PCAP_WARNING_PROMISC_NOTSUP)
    snprintf(r->warning, sizeof r->warning, "promiscuous mode not supported on %s: %s", o->iface, pcap_geterr(p));
  else if (rc == PCAP_WARNING_TSTAMP_TYPE_NOTSUP)
    snprintf(r->warning, sizeof r->warning, "the requested time stamp type is not supported on %s", o->iface);
  else if (rc > 0)
    snprintf(r->warning, sizeof r->warning, "%s: %s", pcap_statustostr(rc), pcap_geterr(p));

  /* Loopback: every packet passes twice (out, then in); capturing one direction gives
     it once. */
  if (o->dir != PCAP_D_INOUT && pcap_setdirection(p, o->dir) != 0) {
    throw_coded(env, "SETDIRECTION_FAILED", "cannot restrict the capture direction on %s: %s", o->iface, pcap_geterr(p));
    goto fail;
  }
#if defined(__linux__) && defined(PACKET_IGNORE_OUTGOING)
  /* libpcap drops the other direction in user space, after the kernel queued and counted
     it; PACKET_IGNORE_OUTGOING (Linux 4.20+) keeps it out of the ring and the counters. */
  if (o->dir == PCAP_D_IN) {
    int one = 1;
    r->kernel_direction = setsockopt(pcap_fileno(p), SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one) == 0;
  }
#endif
  if (o->filter && *o->filter) {
    struct bpf_program prog;
    if (pcap_compile(p, &prog, o->filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
      throw_coded(env, "BAD_FILTER", "invalid capture filter \"%s\": %s", o->filter, pcap_geterr(p));
      goto fail;
    }
    int frc = pcap_setfilter(p, &prog);
    pcap_freecode(&prog);
    if (frc != 0) {
      throw_coded(env, "SETFILTER_FAILED", "cannot install the capture filter: %s", pcap_geterr(p));
      goto fail;
    }
  }
  if (pcap_setnonblock(p, 1, errbuf) != 0) {
    throw_coded(env, "NONBLOCK_FAILED", "cannot make the capture non-blocking: %s", errbuf);
    goto fail;
  }
  if (pcap_get_selectable_fd(p) < 0) {
    throw_coded(env, "NO_SELECTABLE_FD", "%s: this capture has no selectable descriptor", o->iface);
    goto fail;
  }
  r->p = p;
  return 0;
fail:
  pcap_close(p);
  return -1;
}

/* Sets the read-only facts about an open capture on the JS object. */
static napi_status describe_capture(napi_env env, napi_value self, const capture *c, const open_opts *o,
                                    const open_result *r) {
  const char *dname = pcap_datalink_val_to_name(c->linktype);
  napi_status st;
  if ((st = set_num(env, self, "linkType", c->linktype)) != napi_ok ||
      (st = set_str(env, self, "linkTypeName", dname)) != napi_ok ||
      (st = set_num(env, self, "snaplen", c->snaplen)) != napi_ok ||
      (st = set_str(env, self, "precision", c->nano ? "nano" : "micro")) != napi_ok ||
      (st = set_str(env, self, "warning", r->warning[0] ? r->warning : NULL)) != napi_ok ||
      (st = set_str(env, self, "iface", o->iface)) != napi_ok ||
      (st = set_str(env, self, "filter", o->filter ? o->filter : "")) != napi_ok ||
      (st = set_str(env, self, "direction", o->dir == PCAP_D_IN ? "in" : o->dir == PCAP_D_OUT ? "out" : "inout")) != napi_ok)
    return st;
  return set_bool(env, self, "kernelDirection", r->kernel_direction);
}

/* new Capture({ iface, snaplen, promisc, immediate, bufferSize, filter, nano, direction }) */
static napi_value Capture_new(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], self, target, ret = NULL;
  NAPI_OK(napi_get_new_target(env, info, &target));
  if (!target) return throw_coded(env, "ERR_CONSTRUCT_CALL_REQUIRED", "Capture must be called with new");
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, &self, NULL));
  napi_valuetype t = napi_undefined;
  if (argc >= 1) NAPI_OK(napi_typeof(env, argv[0], &t));
  if (t != napi_object) return throw_coded(env, "ERR_INVALID_ARG_TYPE", "Capture(options): options must be an object");

  open_opts o;
  open_result r;
  capture *c = NULL;
  if (parse_open_opts(env, argv[0], &o) != 0 || open_pcap(env, &o, &r) != 0) goto done;
  c = calloc(1, sizeof *c);
  if (!c) {
    pcap_close(r.p);
    throw_coded(env, "ENOMEM", "out of memory");
    goto done;
  }
  c->env = env;
  c->p = r.p;
  if (o.iface && strlen(o.iface) <= IF_NAMESIZE) snprintf(c->iface, sizeof c->iface, "%s", o.iface);
  c->linktype = pcap_datalink(r.p);
  c->snaplen = pcap_snapshot(r.p);
  if (c->snaplen <= 0 || c->snaplen > SNAPLEN_MAX) c->snaplen = SNAPLEN_MAX;
  c->nano = pcap_get_tstamp_precision(r.p) == PCAP_TSTAMP_PRECISION_NANO;
  if (napi_wrap(env, self, c, finalize_capture, NULL, NULL) != napi_ok) {
    pcap_close(r.p);
    free(c);
    goto done;
  }
  list_add(c); /* from here the finalizer owns c */
  if (describe_capture(env, self, c, &o, &r) == napi_ok) ret = self;
done:
  free(o.iface);
  free(o.filter);
  return ret;
}

/* start(onBatch(data: Buffer, meta: Uint32Array, count: number), onError?(err)) */
static napi_value Capture_start(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], self;
  capture *c = unwrap_this(env, info, &argc, argv, &self);
  if (!c) return NULL;
  if (c->closed) return throw_coded(env, "CLOSED", "the capture is closed");
  if (c->started) return throw_coded(env, "ALREADY_STARTED", "the capture is already started");
  if (c->delivering) return throw_coded(env, "BUSY", "start() cannot be called from inside the batch callback");
  napi_valuetype t0 = napi_undefined, t1 = napi_undefined;
  if (argc >= 1) NAPI_OK(napi_typeof(env, argv[0], &t0));
  if (argc >= 2) NAPI_OK(napi_typeof(env, argv[1], &t1));
  if (t0 != napi_function) return throw_coded(env, "ERR_INVALID_ARG_TYPE", "start(onBatch): onBatch must be a function");
  if (t1 != napi_function && t1 != napi_undefined)
    return throw_coded(env, "ERR_INVALID_ARG_TYPE", "start(onBatch, onError): onError must be a function");
  if (ensure_staging(c) != 0) return throw_coded(env, "ENOMEM", "out of memory for the capture batch");

  uv_loop_t *loop;
  NAPI_OK(napi_get_uv_event_loop(env, &loop));
  c->poll = malloc(sizeof *c->poll);
  if (!c->poll) return throw_coded(env, "ENOMEM", "out of memory");
  int fd = pcap_get_selectable_fd(c->p);
  int urc = uv_poll_init(loop, c->poll, fd);
  if (urc != 0) {
    free(c->poll);
    c->poll = NULL;
    return throw_coded(env, "POLL_FAILED", "cannot watch the capture descriptor: %s", uv_strerror(urc));
  }
  c->poll->data = c;

  napi_value name;
  NAPI_OK(napi_create_string_utf8(env, "hsi:pcap", NAPI_AUTO_LENGTH, &name));
  if (napi_async_init(env, NULL, name, &c->async_ctx) != napi_ok ||
      napi_create_reference(env, argv[0], 1, &c->batch_ref) != napi_ok ||
      (t1 == napi_function && napi_create_reference(env, argv[1], 1, &c->error_ref) != napi_ok) ||
      napi_create_reference(env, self, 1, &c->self_ref) != napi_ok) {
    c->started = 1;
    stop_watching(c, 1);
    return throw_coded(env, "START_FAILED", "cannot start the capture");
  }
  c->started = 1;
  urc = uv_poll_start(c->poll, UV_READABLE, on_readable);
  if (urc != 0) {
    stop_watching(c, 1);
    return throw_coded(env, "POLL_FAILED", "cannot watch the capture descriptor: %s", uv_strerror(urc));
  }
  const struct timeval *tmo = pcap_get_required_select_timeout(c->p);
  if (tmo) {
    uint64_t ms = (uint64_t)tmo->tv_sec * 1000u + (uint64_t)tmo->tv_usec / 1000u;
    if (ms == 0) ms = 1;
    c->timer = malloc(sizeof *c->timer);
    if (!c->timer || uv_timer_init(loop, c->timer) != 0) {
      free(c->timer);
      c->timer = NULL;
      stop_watching(c, 1);
      return throw_coded(env, "POLL_FAILED", "cannot start the capture timer");
    }
    c->timer->data = c;
    uv_timer_start(c->timer, on_timer, ms, ms);
  }
  return NULL;
}

/* dispatch(): synchronously deliver whatever is queued now (used to drain before close). */
static napi_value Capture_dispatch(napi_env env, napi_callback_info info) {
  capture *c = self_of(env, info);
  if (!c) return NULL;
  if (c->delivering) return throw_coded(env, "BUSY", "dispatch() cannot be called from inside the batch callback");
  if (c->closed || !c->started) return NULL;
  /* Bounded: at most this many batches, so a flood cannot keep us here forever. A JS
     exception from the batch callback stays pending and propagates to the caller. */
  pump(c, MAX_BATCHES_PER_WAKEUP * 4, 0);
  return NULL;
}

/* stop(): stop watching the descriptor (the handle stays open; stats still work). */
static napi_value Capture_stop(napi_env env, napi_callback_info info) {
  capture *c = self_of(env, info);
  if (!c) return NULL;
  stop_watching(c, 1);
  return NULL;
}

/* close(): stop, take final statistics, pcap_close. Safe to call any number of times. */
static napi_value Capture_close(napi_env env, napi_callback_info info) {
  capture *c = self_of(env, info);
  if (!c) return NULL;
  close_capture(c, 1);
  return NULL;
}

/* stats() → { received, dropped, ifDropped, internalDropped, final } */
static napi_value Capture_stats(napi_env env, napi_callback_info info) {
  capture *c = self_of(env, info);
  if (!c) return NULL;
  struct pcap_stat st;
  int final = 1;
  if (c->p) {
    if (pcap_stats(c->p, &st) != 0)
      return throw_coded(env, "STATS_FAILED", "cannot read capture statistics: %s", pcap_geterr(c->p));
    c->last_stats = st;
    c->have_stats = 1;
    final = 0;
  } else if (c->have_stats) {
    st = c->last_stats;
  } else {
    memset(&st, 0, sizeof st);
  }
  napi_value o;
  NAPI_OK(napi_create_object(env, &o));
  NAPI_OK(set_num(env, o, "received", st.ps_recv));
  NAPI_OK(set_num(env, o, "dropped", st.ps_drop));
  NAPI_OK(set_num(env, o, "ifDropped", st.ps_ifdrop));
  NAPI_OK(set_num(env, o, "internalDropped", (double)c->internal_dropped));
  NAPI_OK(set_bool(env, o, "final", final));
  return o;
}

static napi_value Capture_closed_get(napi_env env, napi_callback_info info) {
  capture *c = self_of(env, info);
  if (!c) return NULL;
  napi_value v;
  NAPI_OK(napi_get_boolean(env, c->closed != 0, &v));
  return v;
}

/* ---- module functions -------------------------------------------------------------------- */

static napi_status address_string(napi_env env, const struct sockaddr *sa, napi_value *out, const char **family) {
  char buf[INET6_ADDRSTRLEN + 64];
  buf[0] = 0;
  *family = NULL;
  if (!sa) return napi_get_null(env, out);
  switch (sa->sa_family) {
    case AF_INET:
      *family = "IPv4";
      inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, sizeof buf);
      break;
    case AF_INET6:
      *family = "IPv6";
      inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf, sizeof buf);
      break;
#ifdef __linux__
    case AF_PACKET: {
      const struct sockaddr_ll *ll = (const struct sockaddr_ll *)sa;
      *family = "MAC";
      size_t n = ll->sll_halen < 8 ? ll->sll_halen : 8, pos = 0;
      for (size_t i = 0; i < n; i++) pos += (size_t)snprintf(buf + pos, sizeof buf - pos, i ? ":%02x" : "%02x", ll->sll_addr[i]);
      break;
    }
#endif
    default:
      *family = NULL;
      return napi_get_null(env, out);
  }
  return napi_create_string_utf8(env, buf, NAPI_AUTO_LENGTH, out);
}

/* findAllDevs() → [{ name, description, addresses: [{family, address, netmask, broadaddr, dstaddr}], flags }] */
static napi_value FindAllDevs(napi_env env, napi_callback_info info) {
  (void)info;
  pcap_if_t *devs = NULL;
  char errbuf[PCAP_ERRBUF_SIZE];
  if (pcap_findalldevs(&devs, errbuf) != 0) return throw_coded(env, "FINDALLDEVS_FAILED", "cannot list interfaces: %s", errbuf);
  napi_value arr;
  if (napi_create_array(env, &arr) != napi_ok) {
    pcap_freealldevs(devs);
    return NULL;
  }
  uint32_t i = 0;
  for (pcap_if_t *d = devs; d; d = d->next, i++) {
    napi_value o, addrs;
    if (napi_create_object(env, &o) != napi_ok || set_str(env, o, "name", d->name) != napi_ok ||
        set_str(env, o, "description", d->description) != napi_ok || napi_create_array(env, &addrs) != napi_ok)
      goto fail;
    uint32_t j = 0;
    for (pcap_addr_t *a = d->addresses; a; a = a->next) {
      const char *fam = NULL, *ignored;
      napi_value ao, addr, mask, bcast, dst;
      if (address_string(env, a->addr, &addr, &fam) != napi_ok) goto fail;
      if (!fam) continue;
      if (address_string(env, a->netmask, &mask, &ignored) != napi_ok ||
          address_string(env, a->broadaddr, &bcast, &ignored) != napi_ok ||
          address_string(env, a->dstaddr, &dst, &ignored) != napi_ok || napi_create_object(env, &ao) != napi_ok ||
          set_str(env, ao, "family", fam) != napi_ok || set_named(env, ao, "address", addr) != napi_ok ||
          set_named(env, ao, "netmask", mask) != napi_ok || set_named(env, ao, "broadaddr", bcast) != napi_ok ||
          set_named(env, ao, "dstaddr", dst) != napi_ok || napi_set_element(env, addrs, j++, ao) != napi_ok)
        goto fail;
    }
    const char *conn;
    switch (d->flags & PCAP_IF_CONNECTION_STATUS) {
      case PCAP_IF_CONNECTION_STATUS_CONNECTED: conn = "connected"; break;
      case PCAP_IF_CONNECTION_STATUS_DISCONNECTED: conn = "disconnected"; break;
      case PCAP_IF_CONNECTION_STATUS_NOT_APPLICABLE: conn = "not-applicable"; break;
      default: conn = "unknown";
    }
    if (set_named(env, o, "addresses", addrs) != napi_ok || set_bool(env, o, "loopback", d->flags & PCAP_IF_LOOPBACK) != napi_ok ||
        set_bool(env, o, "up", d->flags & PCAP_IF_UP) != napi_ok ||
        set_bool(env, o, "running", d->flags & PCAP_IF_RUNNING) != napi_ok ||
        set_bool(env, o, "wireless", d->flags & PCAP_IF_WIRELESS) != napi_ok ||
        set_str(env, o, "connection", conn) != napi_ok || napi_set_element(env, arr, i, o) != napi_ok)
      goto fail;
  }
  pcap_freealldevs(devs);
  return arr;
fail:
  pcap_freealldevs(devs);
  return NULL;
}

/* Runs a compiled filter over packets given as Uint8Arrays (read synchronously, not kept). */
static napi_value filter_matches(napi_env env, struct bpf_program *prog, napi_value list) {
  bool is_array = false;
  uint32_t n = 0;
  napi_value out;
  if (napi_is_array(env, list, &is_array) != napi_ok || !is_array)
    return throw_coded(env, "ERR_INVALID_ARG_TYPE", "compileFilter(..., packets): packets must be an array of Uint8Array");
  NAPI_OK(napi_get_array_length(env, list, &n));
  NAPI_OK(napi_create_array_with_length(env, n, &out));
  for (uint32_t i = 0; i < n; i++) {
    napi_value item, b;
    bool is_ta = false;
    napi_typedarray_type type;
    size_t len, off;
    void *ptr = NULL;
    NAPI_OK(napi_get_element(env, list, i, &item));
    NAPI_OK(napi_is_typedarray(env, item, &is_ta));
    if (!is_ta) return throw_coded(env, "ERR_INVALID_ARG_TYPE", "compileFilter(..., packets): element %u is not a Uint8Array", i);
    NAPI_OK(napi_get_typedarray_info(env, item, &type, &len, &ptr, NULL, &off));
    if (type != napi_uint8_array) return throw_coded(env, "ERR_INVALID_ARG_TYPE", "compileFilter(..., packets): element %u is not a Uint8Array", i);
    struct pcap_pkthdr h;
    memset(&h, 0, sizeof h);
    h.caplen = h.len = (bpf_u_int32)len;
    int match = len > 0 ? pcap_offline_filter(prog, &h, ptr) != 0 : 0;
    NAPI_OK(napi_get_boolean(env, match, &b));
    NAPI_OK(napi_set_element(env, out, i, b));
  }
  return out;
}

/*
 * compileFilter(expr, linkType?, snaplen?, packets?) → { ok, error, instructions, matches }:
 * checks a BPF expression with pcap_open_dead (no device, no privileges needed) and, given
 * packets (Uint8Array[] of that link type), says which ones it accepts.
 */
static napi_value CompileFilter(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  napi_valuetype t = napi_undefined;
  if (argc >= 1) NAPI_OK(napi_typeof(env, argv[0], &t));
  if (t != napi_string) return throw_coded(env, "ERR_INVALID_ARG_TYPE", "compileFilter(expr): expr must be a string");
  int32_t linktype = DLT_EN10MB, snaplen = SNAPLEN_MAX;
  if (argc >= 2) {
    NAPI_OK(napi_typeof(env, argv[1], &t));
    if (t == napi_number) NAPI_OK(napi_get_value_int32(env, argv[1], &linktype));
  }
  if (argc >= 3) {
    NAPI_OK(napi_typeof(env, argv[2], &t));
    if (t == napi_number) NAPI_OK(napi_get_value_int32(env, argv[2], &snaplen));
  }
  napi_value packets = NULL;
  if (argc >= 4) {
    NAPI_OK(napi_typeof(env, argv[3], &t));
    if (t != napi_undefined) packets = argv[3];
  }
  if (snaplen < 1 || snaplen > SNAPLEN_MAX) snaplen = SNAPLEN_MAX;
  size_t len;
  NAPI_OK(napi_get_value_string_utf8(env, argv[0], NULL, 0, &len));
  if (len > 65536) return throw_coded(env, "ERR_OUT_OF_RANGE", "compileFilter(expr): expr is longer than 65536 bytes");
  char *expr = malloc(len + 1);
  if (!expr) return throw_coded(env, "ENOMEM", "out of memory");
  if (napi_get_value_string_utf8(env, argv[0], expr, len + 1, &len) != napi_ok) {
    free(expr);
    return NULL;
  }
  pcap_t *p = pcap_open_dead(linktype, snaplen);
  if (!p) {
    free(expr);
    return throw_coded(env, "CREATE_FAILED", "pcap_open_dead failed for link type %d", linktype);
  }
  struct bpf_program prog;
  int ok = pcap_compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) == 0;
  napi_value o = NULL, matches = NULL;
  if (ok && packets) matches = filter_matches(env, &prog, packets);
  if ((!packets || !ok || matches) && napi_create_object(env, &o) == napi_ok && set_bool(env, o, "ok", ok) == napi_ok &&
      set_str(env, o, "error", ok ? NULL : pcap_geterr(p)) == napi_ok &&
      set_num(env, o, "instructions", ok ? prog.bf_len : 0) == napi_ok &&
      (!matches || set_named(env, o, "matches", matches) == napi_ok)) {
    /* o is complete */
  } else {
    o = NULL;
  }
  if (ok) pcap_freecode(&prog);
  pcap_close(p);
  free(expr);
  return o;
}

static napi_value LibVersion(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value v;
  NAPI_OK(napi_create_string_utf8(env, pcap_lib_version(), NAPI_AUTO_LENGTH, &v));
  return v;
}

/*
 * dropCapabilities() → { ok, error }: clears the calling thread's effective, permitted and
 * inheritable capability sets (Linux capset). For a process given CAP_NET_RAW by file
 * capabilities, after the capture is open. Per-thread: it covers the main (JS) thread.
 */
static napi_value DropCapabilities(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value o;
  NAPI_OK(napi_create_object(env, &o));
#ifdef __linux__
  struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2];
  memset(data, 0, sizeof data);
  if (syscall(SYS_capset, &hdr, data) == 0) {
    NAPI_OK(set_bool(env, o, "ok", 1));
    NAPI_OK(set_str(env, o, "error", NULL));
  } else {
    NAPI_OK(set_bool(env, o, "ok", 0));
    NAPI_OK(set_str(env, o, "error", strerror(errno)));
  }
#else
  NAPI_OK(set_bool(env, o, "ok", 0));
  NAPI_OK(set_str(env, o, "error", "not supported on this platform"));
#endif
  return o;
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor methods[] = {
      {"start", NULL, Capture_start, NULL, NULL, NULL, napi_default_method, NULL},
      {"dispatch", NULL, Capture_dispatch, NULL, NULL, NULL, napi_default_method, NULL},
      {"stop", NULL, Capture_stop, NULL, NULL, NULL, napi_default_method, NULL},
      {"close", NULL, Capture_close, NULL, NULL, NULL, napi_default_method, NULL},
      {"stats", NULL, Capture_stats, NULL, NULL, NULL, napi_default_method, NULL},
      {"closed", NULL, NULL, Capture_closed_get, NULL, NULL, napi_enumerable | napi_configurable, NULL},
  };
  napi_value cls, fn;
  NAPI_OK(napi_define_class(env, "Capture", NAPI_AUTO_LENGTH, Capture_new, NULL, sizeof methods / sizeof methods[0],
                            methods, &cls));
  NAPI_OK(set_named(env, exports, "Capture", cls));
  NAPI_OK(napi_create_function(env, "findAllDevs", NAPI_AUTO_LENGTH, FindAllDevs, NULL, &fn));
  NAPI_OK(set_named(env, exports, "findAllDevs", fn));
  NAPI_OK(napi_create_function(env, "compileFilter", NAPI_AUTO_LENGTH, CompileFilter, NULL, &fn));
  NAPI_OK(set_named(env, exports, "compileFilter", fn));
  NAPI_OK(napi_create_function(env, "libVersion", NAPI_AUTO_LENGTH, LibVersion, NULL, &fn));
  NAPI_OK(set_named(env, exports, "libVersion", fn));
  NAPI_OK(napi_create_function(env, "dropCapabilities", NAPI_AUTO_LENGTH, DropCapabilities, NULL, &fn));
  NAPI_OK(set_named(env, exports, "dropCapabilities", fn));
  NAPI_OK(set_num(env, exports, "META_FIELDS", META_FIELDS));
  NAPI_OK(set_num(env, exports, "BATCH_MAX_PACKETS", BATCH_MAX_PACKETS));
  NAPI_OK(set_num(env, exports, "BATCH_MAX_BYTES", BATCH_MAX_BYTES));
  NAPI_OK(set_num(env, exports, "SNAPLEN_MAX", SNAPLEN_MAX));
  NAPI_OK(napi_add_env_cleanup_hook(env, env_cleanup, env));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
