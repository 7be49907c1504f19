/* model.c - value sets of the data contract, growable arrays, rejects.
 *
 * Owns: the spelling of every enumerated value (these are a promise to the
 * departments that feed us: never rename) and the dataset's lifetime.
 */
#include "contract/model.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const program_names[N_PROG] = {"dibao", "tekun", "dishouru"};
const char *const area_names[N_AREA] = {"urban", "rural"};
const char *const hh_status_names[N_HS] = {"active", "suspended", "cancelled", "applying"};
const char *const relation_names[N_REL] = {"head", "spouse", "child", "parent",
                                           "sibling", "grandchild", "other"};
const char *const work_ability_names[N_WA] = {"full", "partial", "none"};
const char *const hk_status_names[N_HK] = {"normal", "deceased", "moved_out", "cancelled"};
const char *const vclass_names[N_VC] = {"car", "truck", "bus", "motorcycle", "tricycle",
                                        "disabled_mobility", "low_speed"};
const char *const vuse_names[N_VU] = {"private", "commercial"};
const char *const vstatus_names[N_VS] = {"valid", "scrapped", "transferred"};
const char *const usage_names[N_US] = {"residential", "commercial", "office",
                                       "industrial", "parking", "other"};
const char *const pstatus_names[N_PS] = {"held", "sold"};
const char *const si_kind_names[N_SI] = {"employment", "employee_pension_contrib",
                                         "resident_pension_contrib", "pension_benefit",
                                         "unemployment_benefit"};
const char *const brole_names[N_BR] = {"legal_rep", "shareholder", "sole_proprietor"};
const char *const bstatus_names[N_BS] = {"active", "revoked", "cancelled"};
const char *const hol_kind_names[N_HOL] = {"holiday", "workday"};

const char *const input_file_names[N_INPUT] = {
    "households.csv", "members.csv", "hukou.csv", "vehicles.csv", "property.csv",
    "social_insurance.csv", "business.csv", "public_servants.csv",
    "staff_relatives.csv", "candidates.csv", "standards.csv", "holidays.csv"};

const enum input_need input_needs[N_INPUT] = {
    [IN_BUSINESS] = IN_OPTIONAL_FEED, [IN_PUBSERV] = IN_OPTIONAL_FEED,
    [IN_STAFFREL] = IN_OPTIONAL_FEED, [IN_CANDIDATES] = IN_OPTIONAL_FEED,
    [IN_STANDARDS] = IN_POLICY_TABLE, [IN_HOLIDAYS] = IN_POLICY_TABLE};

int enum_lookup(const char *const *names, int n, const char *s, size_t len)
{
    for (int i = 0; i < n; i++)
        if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0)
            return i;
    return -1;
}

void *vec_push(struct vec *v, size_t size)
{
    if (v->n == v->cap) {
        if (v->borrowed)
            return NULL;
        size_t cap = v->cap ? v->cap * 2 : 64;
        if (cap > SIZE_MAX / size)
            return NULL;
        void *p = realloc(v->v, cap * size);
        if (!p)
            return NULL;
        v->v = p;
        v->cap = cap;
    }
    void *el = (char *)v->v + v->n * size;
    memset(el, 0, size);
    v->n++;
    return el;
}

void vec_free(struct vec *v)
{
    if (!v->borrowed)
        free(v->v);
    v->borrowed = 0;
    v->v = NULL;
    v->n = v->cap = 0;
}

void dataset_init(struct dataset *d)
{
    memset(d, 0, sizeof *d);
    arena_init_growing(&d->arena, (size_t)256 << 10, (size_t)4 << 20);
    for (int i = 0; i < N_INPUT; i++)
        d->files[i].name = input_file_names[i];
}

void dataset_free(struct dataset *d)
{
    for (int i = 0; i < N_INPUT; i++)
        vec_free(&d->files[i].rejects);
    vec_free(&d->households);
    vec_free(&d->members);
    vec_free(&d->hukou);
    vec_free(&d->vehicles);
    vec_free(&d->property);
    vec_free(&d->si);
    vec_free(&d->business);
    vec_free(&d->pubservants);
    vec_free(&d->staffrels);
    vec_free(&d->candidates);
    vec_free(&d->standards);
    vec_free(&d->holidays);
    for (size_t i = 0; i < d->arenas.n; i++)
        arena_free(&VEC_AT(d->arenas, struct arena, i));
    vec_free(&d->arenas);
    arena_free(&d->arena);
}

int reject_cmp(const void *a, const void *b)
{
    const struct reject *x = a, *y = b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return strcmp(x->reason, y->reason);
}

uint64_t hukou_no_code(const char *s)
{
    /* digits d of length L -> d + (10^L - 1) / 9: length L fills
     * [R(L), R(L+1)) where R(L) = 11...1 (L ones), below 2^61 for L <= 18 */
    uint64_t v = 0, repunit = 0;
    size_t len = 0;
    for (; s[len]; len++) {
        if (len == 18 || s[len] < '0' || s[len] > '9')
            return 0;
        v = v * 10 + (uint64_t)(s[len] - '0');
        repunit = repunit * 10 + 1;
    }
    return len ? v + repunit : 0;
}

struct vec *dataset_rows(struct dataset *d, enum input_file f, size_t *row_size)
{
    switch (f) {
    case IN_HOUSEHOLDS: *row_size = sizeof(struct household); return &d->households;
    case IN_MEMBERS: *row_size = sizeof(struct member); return &d->members;
    case IN_HUKOU: *row_size = sizeof(struct hukou); return &d->hukou;
    case IN_VEHICLES: *row_size = sizeof(struct vehicle); return &d->vehicles;
    case IN_PROPERTY: *row_size = sizeof(struct property); return &d->property;
    case IN_SI: *row_size = sizeof(struct si_row); return &d->si;
    case IN_BUSINESS: *row_size = sizeof(struct business); return &d->business;
    case IN_PUBSERV: *row_size = sizeof(struct pubservant); return &d->pubservants;
    case IN_STAFFREL: *row_size = sizeof(struct staffrel); return &d->staffrels;
    case IN_CANDIDATES: *row_size = sizeof(struct candidate); return &d->candidates;
    case IN_STANDARDS: *row_size = sizeof(struct standard); return &d->standards;
    case IN_HOLIDAYS: *row_size = sizeof(struct holiday); return &d->holidays;
    case N_INPUT: break;
    }
    *row_size = 0;
    return NULL;
}

int dataset_reject(struct dataset *d, enum input_file f, long long line,
                   struct err *e, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    struct reject *r = vec_push(&d->files[f].rejects, sizeof *r);
    char *reason = arena_strndup(&d->arena, buf, strlen(buf));
    if (!r || !reason)
        return ERR(e, E_NOMEM, "out of memory while recording a reject of %s",
                   input_file_names[f]);
    r->line = line;
    r->reason = reason;
    return E_OK;
}
