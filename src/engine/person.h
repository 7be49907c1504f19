/* person.h - what the feeds say about one person, and the evidence text.
 *
 * For evaluate.c only.  Each person_* function looks at one person's rows
 * of one feed (join.c's index by person key) and answers the question a
 * rule asks of them: which vehicles count (E03), which held properties are
 * commercial (E05), which business roles (E07), public-servant records
 * (E08), funeral records (E14), the residential titles (E04, E06) and the
 * financial assets (E13).  With an evidence buffer, each row that counts is
 * also described there in flags.csv's style (feed, record, values); with
 * NULL only the count is wanted (L01, L02).  Every number comes from the
 * policy; read-only, thread-safe after join_build.
 */
#ifndef ENGINE_PERSON_H
#define ENGINE_PERSON_H

#include <stddef.h>
#include <stdint.h>

#include "contract/model.h"
#include "contract/policy.h"
#include "engine/calendar.h"
#include "engine/join.h"

typedef __int128 i128;

/* "no household": a flag about a candidate (L01) has none. */
#define HH_NONE UINT32_MAX

/* What a rule reads: the dataset, its indexes, the policy, the calendar,
 * the as-of day and which optional feeds are present. */
struct eval_ctx {
    const struct dataset *d;
    const struct join *j;
    const struct policy *p;
    const struct calendar *cal;
    int as_of;
    int have[N_INPUT];        /* optional feed present? */
};

/* ---------- evidence text ---------- */

/* A flag's evidence (b) and its key values for the fingerprint (k,
 * review.h): one key item per ev_key, items ended by 0x1e, fields inside
 * an item split by 0x1f; no line numbers, limits or as-of date. */
struct evbuf {
    char b[2048];
    size_t n;
    int truncated;
    char k[2048];
    size_t kn;
};

void ev_reset(struct evbuf *s);
/* Append text; what does not fit ends the text with "; ..." */
void ev_add(struct evbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append one key item; an item that does not fit is dropped. */
void ev_key(struct evbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Yuan text of fen ("86000", "30000.01"), in buf. */
const char *ev_money(int64_t fen, char buf[48]);

/* Exact text of an area x share (hundredths of m2 x billionths): "40.005". */
const char *ev_area(i128 v_h_nano, char buf[64]);
/* Yuan text of an exact sum of fen that may exceed int64. */
const char *ev_money128(i128 fen, char buf[48]);

/* ---------- one person's rows ---------- */

/* E10, L01: how many registry households that are not cancelled the person
 * is a member of (*n_out, may be NULL), and one of them other than
 * except_hh (HH_NONE: any), or NULL. */
const struct household *person_membership(const struct eval_ctx *c, uint64_t key,
                                          uint32_t except_hh, int *n_out);

/* E03: valid vehicles of the policy's classes, unless exempt by use and value. */
int person_vehicles(const struct eval_ctx *c, uint64_t key, struct evbuf *ev);
/* E05: held properties of the policy's commercial usages. */
int person_commercial_property(const struct eval_ctx *c, uint64_t key, struct evbuf *ev);
/* E07: business roles and statuses the policy names. */
int person_business(const struct eval_ctx *c, uint64_t key, struct evbuf *ev);
/* E08: public_servants.csv records. */
int person_pubservant(const struct eval_ctx *c, uint64_t key, struct evbuf *ev);
/* E14: funeral records with event_date <= the as-of date. */
int person_funerals(const struct eval_ctx *c, uint64_t key, struct evbuf *ev);

/* Distinct held residential titles (E04): the first 64 ids, and how many. */
struct idset {
    const char *v[64];
    int n;
    int overflow;     /* more than 64 distinct: count only */
    long long n_total;
};
/* Held residential area x share (hundredths of m2 x billionths) added to
 * *area_x_share, titles to ids. */
void person_residential(const struct eval_ctx *c, uint64_t key, i128 *area_x_share,
                        struct idset *ids);

/* E13, L01: the person's financial assets (evaluate_assets) added to *sum,
 * accounts to *n_accounts; with ev, each counted account's fingerprint key
 * item (the text is ev_asset_accounts').  E_OK or E_NOMEM. */
int person_assets(const struct eval_ctx *c, uint64_t key, i128 *sum, int *n_accounts,
                  struct evbuf *ev, struct err *e);

/* ---------- figures a reader can check (E09, L01, E13) ---------- */

/* num/den fen as yuan with two decimals, "..." when not whole fen
 * (num_format_yuan; the policy's yuan()). */
const char *ev_yuan(i128 num, i128 den, char buf[64]);
/* An ID or account number masked as one value, first 6 and last 4 kept
 * (idmask_value of its first 127 bytes; the policy's masked()). */
const char *ev_masked(const char *s, char buf[128]);

/* The lists are reference.policy's: largest first, ties by id_no then file
 * line; each item its own piece of evidence, "; " between.  E_OK or
 * E_NOMEM. */
/* E09's evidence: "income: W-month total T / N counted members / W months =
 * P per person per month > standard S x factor F = L (...)", then each
 * counted member of h, "ID max(declared D x W, social_insurance S) = P".
 * size and income are evaluate.c's (the counted members, their income). */
int ev_income_household(const struct eval_ctx *c, const struct household *h, int size,
                        i128 income, const struct standard *std, struct evbuf *ev,
                        struct err *e);
/* L01: each normal person of hk's hukou_no, "ID social_insurance S". */
int ev_income_persons(const struct eval_ctx *c, const struct hukou *hk, struct evbuf *ev,
                      struct err *e);
/* E13: each counted member's accounts (owners by their sum, accounts by
 * balance), "ID: institution ACCOUNT asset_type BALANCE on DATE (line N)". */
int ev_asset_accounts(const struct eval_ctx *c, const struct household *h, struct evbuf *ev,
                      struct err *e);

#endif
