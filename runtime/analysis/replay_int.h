/* replay_int.h — pieces shared by the replay files: the directory (replay_dir.c: users, their
 * groups and roles, now and as the configuration would make them), the accumulator (replay.c)
 * and the renderers (replay_render.c).
 * Ownership: a replay_dir owns every string and list it hands out (stable until
 * replay_dir_fini); struct replay owns its tallies. */
#ifndef IDPC_REPLAY_INT_H
#define IDPC_REPLAY_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compiler/model.h"
#include "compiler/strmap.h"
#include "runtime/analysis/replay.h"
#include "runtime/analysis/whatif.h"
#include "runtime/analysis/whatif_compiled.h"

struct replay_user {
    char *id, *upn;
    bool guest;               /* userType Guest */
    const char **member_cur;  /* transitive groups today: names and ids, NULL-terminated */
    const char **member_prop; /* the same with the configuration's static memberships */
    const char **roles;       /* active directory role template ids, NULL-terminated */
};

struct replay_dir {
    struct whatif_inputs cur; /* the tenant's policies, named locations, strengths */
    struct replay_user *users;
    size_t nusers;
    struct strmap by_id, by_upn; /* -> index into users */
    char **strings;              /* everything the lists point at */
    size_t nstrings, capstrings;
    char *tenant_display;
};

/* Reads the tenant and builds every user's inputs; `m` gives the proposed memberships. */
int replay_dir_load(struct replay_dir *d, const char *spec, const struct model *m, char *err,
                    size_t errlen);
void replay_dir_fini(struct replay_dir *d);
const struct replay_user *replay_dir_user(const struct replay_dir *d, const char *id,
                                          const char *upn);

/* A tally of sign-ins and distinct users under one key (a change, an app, a user). */
struct replay_tally {
    char *key, *label;
    size_t signins;
    uint64_t *users; /* one bit per directory user (index into replay_dir.users), made at once:
                        memory follows the tenant, not the sign-ins */
    size_t words, nusers;
};

struct replay_change {
    struct replay_tally t;
    size_t from, to; /* outcome indexes */
    int severity;    /* 0 newly blocked .. 4 other; sorts the report */
    const char *kind;
    struct strmap why_seen;
    json_t *why;      /* ["+ CA009 …", "- Legacy …"] distinct explanations */
    json_t *examples; /* the first few sign-ins */
    struct strmap apps;
    struct replay_tally *by_app;
    size_t napps;
};

struct replay_outcome {
    char *label;
    int rank; /* 0 allow .. 5 block */
};

struct replay_set {
    long outcome;      /* index, -1 until computed */
    uint64_t *applied; /* enabled policies that apply: bit i for policy i of the inputs */
};

struct replay_disagreement {
    json_t *j;
};

struct replay {
    struct replay_options o;
    struct replay_dir dir;
    struct whatif_inputs prop, verify_in;
    struct whatif_compiled *c_cur, *c_prop, *c_ver;
    struct replay_set *sets[2];
    size_t nsets[2];
    struct strmap pair_why; /* "cur,prop" -> index into why_text */
    char **why_text;
    size_t nwhy;
    /* interned record strings (the compiled evaluator compares pointers) */
    struct strmap intern;
    char **interned;
    size_t ninterned, capinterned;
    bool device_filters; /* some policy has a device filter */
    json_t *devices;     /* key -> device properties object */
    size_t ndevices;

    struct replay_outcome *outcomes;
    size_t noutcomes;
    struct strmap outcome_ix;

    size_t signins, evaluated, changed;
    struct replay_tally all_users;     /* every evaluated sign-in's user */
    struct replay_tally changed_users; /* users with a changed sign-in */
    size_t *user_changed;              /* changed sign-ins per directory user */

    struct replay_change *changes;
    size_t nchanges;
    struct strmap change_ix;
    struct replay_tally *apps;
    size_t napps;
    struct strmap app_ix;

    /* incomplete inputs: reason -> count, first examples */
    json_t *incomplete; /* {reason: {"count": n, "evaluated": bool, "examples": [...]}} */

    /* verify */
    size_t v_signins, v_agree_signins, v_compared, v_agree;
    size_t v_unknown_policy, ndisagree;
    json_t *disagreements;
    json_t *disagree_kinds; /* {"evaluator": n, "missing-input": n} */
};

/* replay_render.c */
void replay_tally_init(struct replay_tally *t, const char *key, const char *label, size_t users);
void replay_tally_fini(struct replay_tally *t);
void replay_tally_add(struct replay_tally *t, size_t user); /* SIZE_MAX: no user */

#endif
