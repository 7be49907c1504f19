/* fingerprint.h - the identity of a finding from run to run.
 *
 * Fingerprint: XXH3-64 (16 lower-case hex digits) of the rule, the flag's
 * key (household_id, hukou_no, id_no) and the evidence's key values
 * (struct flag.evkey: plates and values, dates, income totals and
 * standards, ...; never record line numbers, limits or the as-of date).
 * Key items are sorted before hashing, so the same finding has the same
 * fingerprint in every run wherever its rows sit in the feeds, and a
 * changed finding (a new car, a higher value, a higher wage) gets a new one.
 * 0 means "not computed": no fingerprint is 0.
 *
 * Owns: the fingerprint's definition (changing it makes every finding new:
 * never without a new tag).  Never: reads or writes a file.
 */
#ifndef ENGINE_FINGERPRINT_H
#define ENGINE_FINGERPRINT_H

#include <stdint.h>

#include "engine/evaluate.h"

uint64_t review_fingerprint(const struct flag *f);
/* 16 lower-case hex digits and a NUL. */
void review_fp_hex(uint64_t fp, char out[17]);
/* 16 hex digits (either case) -> fp; 0 on success, -1 if malformed (or 0). */
int review_fp_parse(const char *s, uint64_t *out);

#endif
