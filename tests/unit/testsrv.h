/* testsrv.h — a tiny scripted HTTP/1.1 server on 127.0.0.1:0 for the HTTP and auth unit tests:
 * one thread per connection, a handler that answers each request (or resets, hangs, truncates).
 * Ownership: the server owns the recorded requests; a handler's response body is malloc'd and
 * freed by the server after sending. */
#ifndef IDPC_TESTSRV_H
#define IDPC_TESTSRV_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "compiler/util.h"

#define SRV_MAX_REQ 512

struct srv_req {
    char method[16];
    char *target;
    char *headers; /* raw header block */
    char *body;
};

enum srv_action {
    SRV_SEND,
    SRV_RESET,
    SRV_HANG,
    SRV_TRUNCATE
};

struct srv_resp {
    int status;
    struct strbuf headers; /* extra "Name: value\r\n" lines */
    char *body;            /* malloc'd or NULL */
    enum srv_action action;
};

struct srv {
    int fd, port;
    pthread_t th;
    pthread_mutex_t mu;
    atomic_int stop;
    void (*handler)(struct srv *s, int n, const struct srv_req *rq, struct srv_resp *rs);
    void *ctx;
    struct srv_req reqs[SRV_MAX_REQ];
    int nreq, nconn;
    int held[64]; /* connections left hanging (SRV_HANG), closed at stop */
    int nheld;
    pthread_mutex_t handler_mu; /* handlers run one at a time */
    pthread_t conn_th[256];     /* one thread per connection: clients may hold several */
    int nconn_th;
};

struct srv_conn {
    struct srv *s;
    int fd;
};

void srv_sleep_ms(long ms);
bool srv_header(const struct srv_req *rq, const char *name, char *buf, size_t n);
struct srv *srv_start(void (*handler)(struct srv *, int, const struct srv_req *, struct srv_resp *),
                      void *ctx);
void srv_stop(struct srv *s);
int srv_count(struct srv *s);
void resp_json(struct srv_resp *rs, int status, const char *body);

#endif
