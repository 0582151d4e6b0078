/* testsrv.c — see testsrv.h. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "testsrv.h"

void srv_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

bool srv_header(const struct srv_req *rq, const char *name, char *buf, size_t n)
{
    size_t nl = strlen(name);
    for (const char *p = rq->headers; p && *p;) {
        const char *eol = strstr(p, "\r\n");
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
            const char *v = p + nl + 1;
            while (*v == ' ')
                v++;
            size_t vl = len - (size_t)(v - p);
            snprintf(buf, n, "%.*s", (int)vl, v);
            return true;
        }
        if (!eol)
            break;
        p = eol + 2;
    }
    return false;
}

static void send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

/* Reads one request; false when the peer closed or we are stopping. */
static bool srv_read(struct srv *s, int fd, struct srv_req *rq)
{
    struct strbuf in = STRBUF_INIT;
    char buf[8192];
    size_t need = 0;
    char *hdr_end = NULL;
    for (;;) {
        if (hdr_end && in.len >= need)
            break;
        struct pollfd pfd = {fd, POLLIN, 0};
        int pr = poll(&pfd, 1, 100);
        if (atomic_load(&s->stop)) {
            strbuf_fini(&in);
            return false;
        }
        if (pr <= 0)
            continue;
        ssize_t r = recv(fd, buf, sizeof(buf), 0);
        if (r <= 0) {
            strbuf_fini(&in);
            return false;
        }
        strbuf_add(&in, buf, (size_t)r);
        if (!hdr_end && (hdr_end = strstr(in.buf, "\r\n\r\n"))) {
            size_t hl = (size_t)(hdr_end - in.buf) + 4;
            char *line_end = strstr(in.buf, "\r\n");
            char *sp1 = strchr(in.buf, ' ');
            char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
            if (!line_end || !sp2 || sp1 > line_end) {
                strbuf_fini(&in);
                return false;
            }
            snprintf(rq->method, sizeof(rq->method), "%.*s", (int)(sp1 - in.buf), in.buf);
            rq->target = xstrndup(sp1 + 1, (size_t)(sp2 - sp1 - 1));
            rq->headers = xstrndup(line_end + 2, (size_t)(hdr_end - line_end));
            char cl[32];
            long clen = 0;
            if (srv_header(rq, "Content-Length", cl, sizeof(cl)) &&
                !util_parse_long(cl, 0, 1L << 30, &clen))
                clen = 0;
            need = hl + (size_t)clen;
        }
    }
    size_t hl = (size_t)(hdr_end - in.buf) + 4;
    rq->body = xstrndup(in.buf + hl, need - hl);
    strbuf_fini(&in);
    return true;
}

static const char *reason(int status)
{
    return status < 300 ? "OK" : status < 500 ? "Client Error" : "Server Error";
}

static void *srv_conn_main(void *arg)
{
    struct srv_conn *cn = arg;
    struct srv *s = cn->s;
    int c = cn->fd;
    free(cn);
    for (;;) {
        struct srv_req rq = {0};
        if (!srv_read(s, c, &rq))
            break;
        pthread_mutex_lock(&s->handler_mu);
        pthread_mutex_lock(&s->mu);
        int n = s->nreq;
        if (n < SRV_MAX_REQ)
            s->reqs[s->nreq++] = rq;
        pthread_mutex_unlock(&s->mu);
        struct srv_resp rs = {.status = 200};
        strbuf_init(&rs.headers);
        s->handler(s, n, &rq, &rs);
        bool close_conn = rs.action != SRV_SEND;
        if (rs.action == SRV_HANG) {
            pthread_mutex_lock(&s->mu);
            if (s->nheld < 64) {
                s->held[s->nheld++] = c; /* never answer; the client times out */
                c = -1;
            }
            pthread_mutex_unlock(&s->mu);
        }
        if (rs.action == SRV_SEND || rs.action == SRV_TRUNCATE) {
            size_t bl = rs.body ? strlen(rs.body) : 0;
            char *head = xasprintf("HTTP/1.1 %d %s\r\nContent-Length: %zu\r\n%s%s\r\n", rs.status,
                                   reason(rs.status), bl + (rs.action == SRV_TRUNCATE ? 100 : 0),
                                   rs.body ? "Content-Type: application/json\r\n" : "",
                                   strbuf_str(&rs.headers));
            send_all(c, head, strlen(head));
            if (bl)
                send_all(c, rs.body, bl);
            free(head);
        }
        pthread_mutex_unlock(&s->handler_mu);
        strbuf_fini(&rs.headers);
        free(rs.body);
        if (close_conn)
            break;
    }
    if (c >= 0)
        close(c);
    return NULL;
}

static void *srv_main(void *arg)
{
    struct srv *s = arg;
    while (!atomic_load(&s->stop)) {
        struct pollfd pfd = {s->fd, POLLIN, 0};
        if (poll(&pfd, 1, 100) <= 0)
            continue;
        int c = accept(s->fd, NULL, NULL);
        if (c < 0)
            continue;
        pthread_mutex_lock(&s->mu);
        s->nconn++;
        pthread_mutex_unlock(&s->mu);
        if (s->nconn_th >= 256) {
            close(c);
            continue;
        }
        struct srv_conn *cn = xmalloc(sizeof(*cn));
        cn->s = s;
        cn->fd = c;
        if (pthread_create(&s->conn_th[s->nconn_th], NULL, srv_conn_main, cn) == 0)
            s->nconn_th++;
        else {
            close(c);
            free(cn);
        }
    }
    return NULL;
}

struct srv *srv_start(void (*handler)(struct srv *, int, const struct srv_req *, struct srv_resp *),
                      void *ctx)
{
    struct srv *s = xcalloc(1, sizeof(*s));
    s->handler = handler;
    s->ctx = ctx;
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(s->fd >= 0);
    int one = 1;
    setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(s->fd, 16), 0);
    socklen_t al = sizeof(a);
    assert_int_equal(getsockname(s->fd, (struct sockaddr *)&a, &al), 0);
    s->port = ntohs(a.sin_port);
    pthread_mutex_init(&s->mu, NULL);
    pthread_mutex_init(&s->handler_mu, NULL);
    atomic_init(&s->stop, 0);
    assert_int_equal(pthread_create(&s->th, NULL, srv_main, s), 0);
    return s;
}

void srv_stop(struct srv *s)
{
    atomic_store(&s->stop, 1);
    pthread_join(s->th, NULL);
    for (int i = 0; i < s->nconn_th; i++)
        pthread_join(s->conn_th[i], NULL);
    close(s->fd);
    for (int i = 0; i < s->nheld; i++)
        close(s->held[i]);
    for (int i = 0; i < s->nreq; i++) {
        free(s->reqs[i].target);
        free(s->reqs[i].headers);
        free(s->reqs[i].body);
    }
    pthread_mutex_destroy(&s->mu);
    pthread_mutex_destroy(&s->handler_mu);
    free(s);
}

int srv_count(struct srv *s)
{
    pthread_mutex_lock(&s->mu);
    int n = s->nreq;
    pthread_mutex_unlock(&s->mu);
    return n;
}

void resp_json(struct srv_resp *rs, int status, const char *body)
{
    rs->status = status;
    rs->body = body ? xstrdup(body) : NULL;
}
