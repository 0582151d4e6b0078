/* Internal interfaces of the Graph emulator; only files under tests/graph-emulator/ include this, and it
 * includes nothing from compiler/ or runtime/ (the emulator shares no code with the client). */
#ifndef EMU_H
#define EMU_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- tiny helpers (util.c) ---- */
void *emu_xmalloc(size_t n);
void *emu_xcalloc(size_t n, size_t size);
void *emu_xrealloc(void *p, size_t n);
char *emu_xstrdup(const char *s);
char *emu_xstrndup(const char *s, size_t n);

struct emu_buf {
    char *data;
    size_t len;
    size_t cap;
};
void emu_buf_add(struct emu_buf *b, const char *s, size_t n);
void emu_buf_adds(struct emu_buf *b, const char *s);
void emu_buf_addf(struct emu_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *emu_buf_steal(struct emu_buf *b);
void emu_buf_free(struct emu_buf *b);

char *emu_read_file(const char *path, size_t *len);
int emu_write_file_atomic(const char *path, const char *data, size_t len);
void emu_random_bytes(unsigned char *out, size_t n);
void emu_guid(char out[37]);
bool emu_is_guid(const char *s);
double emu_now(void);                      /* monotonic seconds */
void emu_iso_now(char *out, size_t size);  /* 2025-05-15T14:11:02.0356168Z */
void emu_date_now(char *out, size_t size); /* 2020-11-25T14:18:08 */
bool emu_strieq(const char *a, const char *b);
bool emu_istarts(const char *s, const char *prefix);
char *emu_url_decode(const char *s, size_t n, bool plus_is_space);
void emu_url_encode(struct emu_buf *b, const char *s);
void emu_b64url_encode(struct emu_buf *b, const unsigned char *data, size_t n);
unsigned char *emu_b64url_decode(const char *s, size_t n, size_t *out_len);
bool emu_parse_long(const char *s, long *out);
bool emu_parse_double(const char *s, double *out);

/* ---- requests and responses ---- */
struct emu_param {
    char *name;
    char *value;
};

struct emu_req {
    char *method;
    char *path; /* below /v1.0, starts with '/', percent-decoded, no query */
    struct emu_param *q;
    size_t nq;
    char *authorization;
    char *consistency;
    char *content_type;
    char *client_request_id;
    char *base;      /* https://host:port, from the Host header */
    char *body;      /* NUL-terminated */
    size_t body_len; /* bytes of body */
    json_t *json;    /* set by emu_req_json() for batch requests with object bodies */
    bool in_batch;
};

struct emu_resp {
    int status;
    json_t *body; /* JSON body, or NULL */
    char *text;   /* a text/plain body (the $count segment), or NULL */
    char retry_after[32];
    char request_id[37];
    char client_request_id[80];
    char location[512];
};

const char *emu_req_param(const struct emu_req *req, const char *name);
void emu_req_free(struct emu_req *req);
void emu_resp_free(struct emu_resp *resp);

/* ---- configuration and global state ---- */
struct emu_config {
    const char *state_path;
    const char *save_path;
    const char *cert_path;
    const char *key_path;
    const char *port_file;
    const char *log_path;
    const char *client_id;
    const char *client_secret;
    const char *client_cert; /* PEM used to verify client assertions */
    const char *fic_issuer;  /* federated identity credential accepted */
    const char *fic_subject;
    const char *fic_audience;
    int token_lifetime;
    bool ca_throttle;
    bool delegated_only;       /* --delegated-only: refuse the delegated-only APIs (settings.c) */
    double directory_throttle; /* requests per second, 0 = off */
    long latency_ms;
    long replication_lag_ms;
    double fault_rate;
    unsigned long seed;
};

struct emu_ctx {
    struct emu_config cfg;
    pthread_mutex_t lock; /* guards everything below */
    json_t *tenant;       /* the idpc-tenant/1 document */
    json_t *tokens;       /* token -> expiry (real, wall seconds) */
    json_t *created;      /* object id -> monotonic creation time (replication lag) */
    double ca_last;       /* last accepted CA request (monotonic) */
    double dir_window;    /* start of the current directory-throttle window */
    long dir_count;
    uint64_t rng;
    FILE *log;
};

/* ---- store.c ---- */
int emu_store_load(struct emu_ctx *ctx, const char *path);
int emu_store_save(struct emu_ctx *ctx, const char *path);
json_t *emu_coll(struct emu_ctx *ctx, const char *path); /* array, created if missing */
json_t *emu_singleton(struct emu_ctx *ctx, const char *path);
json_t *emu_find(json_t *arr, const char *id, size_t *index);
json_t *emu_find_ci(json_t *arr, const char *id, size_t *index);
void emu_mark_created(struct emu_ctx *ctx, const char *id);
bool emu_lagging(struct emu_ctx *ctx, const char *id);
const char *emu_tenant_id(struct emu_ctx *ctx);
uint64_t emu_rand(struct emu_ctx *ctx);
double emu_rand01(struct emu_ctx *ctx);

/* ---- errors (router.c) ---- */
void emu_error(struct emu_resp *resp, int status, const char *code, const char *message);
void emu_error_inner(struct emu_resp *resp, int status, const char *code, const char *message,
                     const char *inner_message);
void emu_error_not_found(struct emu_resp *resp, const char *id);
void emu_error_bad(struct emu_resp *resp, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void emu_ok(struct emu_resp *resp, int status, json_t *body);
json_t *emu_entity(const struct emu_req *req, const char *context, json_t *obj);
bool emu_body_object(const struct emu_req *req, struct emu_resp *resp, json_t **out);

/* ---- query.c: $filter, $select, $top, paging, $count ---- */
/* Answers a GET on a collection: filters, counts, pages and selects; takes nothing from items. */
void emu_list(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp,
              const char *context, json_t *items, bool directory);
json_t *emu_select(const struct emu_req *req, const json_t *obj);
bool emu_select_context(const struct emu_req *req, struct emu_buf *ctxname);

/* ---- dispatch (router.c) and the resource modules ---- */
void emu_dispatch(struct emu_ctx *ctx, struct emu_req *req, struct emu_resp *resp);
/* Each returns true when it recognised the path (and then filled resp). */
bool emu_ca_route(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp, char **seg,
                  size_t nseg);
bool emu_dir_route(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp,
                   char **seg, size_t nseg);
/* pim.c: PIM role settings (roleManagementPolicies, roleManagementPolicyAssignments) */
bool emu_pim_route(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp,
                   char **seg, size_t nseg);
/* governance.c: PIM for Groups (schedule requests, schedules, a group's PIM policies) and access
 * review definitions */
bool emu_governance_route(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp,
                          char **seg, size_t nseg);
bool emu_pol_route(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp,
                   char **seg, size_t nseg);
/* settings.c: GET /groups/{id}/groupLifecyclePolicies */
void emu_group_lifecycle_policies(struct emu_ctx *ctx, const struct emu_req *req,
                                  struct emu_resp *resp, const char *gid);
/* consent.c: /policies/adminConsentRequestPolicy */
bool emu_consent_route(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp,
                       char **seg, size_t nseg);
bool emu_settings_route(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp,
                        char **seg, size_t nseg);
/* signins.c: GET /auditLogs/signIns with $filter on createdDateTime and paging */
bool emu_signins_route(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp,
                       char **seg, size_t nseg);
void emu_batch(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp);
void emu_token(struct emu_ctx *ctx, const char *tenant, const struct emu_req *req,
               struct emu_resp *resp);
bool emu_token_valid(struct emu_ctx *ctx, const char *authorization, const char **why);
void emu_log_inner(const struct emu_req *req, int status, const char *request_id); /* main.c */

/* references (directory.c): does a live, replicated directory object with this id exist? */
bool emu_dir_object_exists(struct emu_ctx *ctx, const char *id, const char **kind);

/* ---- validation helpers (schema.c) ---- */
enum emu_ftype {
    EF_ANY,
    EF_STR,
    EF_BOOL,
    EF_INT,
    EF_STRLIST,
    EF_ENUM,
    EF_ENUMLIST,
    EF_FLAGS,
    EF_OBJ,
    EF_OBJLIST
};
struct emu_field {
    const char *name;
    enum emu_ftype type;
    const char *const *enums;    /* NULL-terminated, for EF_ENUM/EF_ENUMLIST/EF_FLAGS */
    const struct emu_field *sub; /* for EF_OBJ / EF_OBJLIST, NULL-name terminated */
    bool nonnull;
};
/* Checks obj against fields (unknown keys, types, enums); canonicalises enum casing in place.
 * Annotation keys (containing "@odata.") pass. On failure writes a reason to err. */
bool emu_check(json_t *obj, const struct emu_field *fields, const char *where, char *err,
               size_t errsz);
const char *emu_enum_canon(const char *const *enums, const char *v);
/* PIM's requestSchedule (scheduleInfo) of every schedule request, role or group (Graph v1.0
 * "requestSchedule resource type": startDateTime, expiration, recurrence). */
extern const struct emu_field EMU_SCHEDULE_INFO[];

#endif
