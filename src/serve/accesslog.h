/* accesslog.h - the look-up record of `hedui serve`: one line per POST
 * /v1/check, appended to a file that is never truncated.
 *
 * Each line is one JSON object (the fields are in routes.c):
 *   {"time":"2026-12-07T03:10:00.123Z","caller":"token:cw-0107","peer":
 *    "127.0.0.1","reason":"申请编号 2026-118","status":200,"as_of":
 *    "2026-06-15","snapshot":"2026-06-15 b0b682bc0a80a8a8","households":
 *    [{"id":"NEW001","verdict":"looks_ineligible","ids":["h:3fa2...",..]}],
 *    "ms":0.41}
 * An ID number never appears in it: each is written as "h:" and the first
 * 128 bits of HMAC-SHA-256 under a key kept beside the log (LOG.key, 32
 * random bytes, mode 0600, made on first use), so the bureau can find
 * every look-up of one person (hash the ID with the key) and nobody who
 * reads the log alone can.  Free text (household ids, the reason, the
 * caller) is masked with idmask_text as well.
 *
 * Durability: accesslog_append writes the whole line with one write(2) on
 * a descriptor opened O_APPEND before the answer is sent, so a process
 * killed at any moment (kill -9) has every line whose answer went out in
 * the file; a flusher thread fdatasync()s the file in batches (every
 * ACCESSLOG_SYNC_MS, or at once past ACCESSLOG_SYNC_LINES unsynced lines),
 * so a power loss loses at most that batch.  A line that cannot be
 * written makes the look-up fail (503): no answer without its record.
 * The file is created mode 0600 and refused if group or others may read
 * it; it is only ever appended to.  To rotate it, rename it and send
 * SIGUSR1 (accesslog_reopen opens a new file at the path).  A line cut by
 * a power loss is ended with a newline when the log is opened again.
 *
 * Owns: the log file, its key file and the flusher thread.  Never: prints.
 */
#ifndef ENGINE_SERVE_ACCESSLOG_H
#define ENGINE_SERVE_ACCESSLOG_H

#include <stddef.h>

#include "base/err.h"

#define ACCESSLOG_SYNC_MS 100
#define ACCESSLOG_SYNC_LINES 256

struct accesslog;

/* Open (create) the log at path and its key at path.key.  E_WRITE when the
 * file cannot be opened or created, E_CONFIG when the log or the key may
 * be read by group or others or the key is not 32 bytes, E_NOMEM. */
int accesslog_open(struct accesslog **out, const char *path, struct err *e);
/* Append line[0..n) (which ends with '\n').  0, or an errno value. */
int accesslog_append(struct accesslog *l, const char *line, size_t n);
/* "h:" + 32 hex digits of the keyed hash of s[0..n) into out[35]. */
void accesslog_id_hash(const struct accesslog *l, const char *s, size_t n, char out[35]);
/* Sync, close and open the path again (after a rename).  E_OK or E_WRITE. */
int accesslog_reopen(struct accesslog *l, struct err *e);
/* Lines appended and fdatasync calls so far. */
void accesslog_stats(struct accesslog *l, unsigned long long *lines, unsigned long long *syncs);
/* Sync, stop the flusher and close.  NULL is allowed. */
void accesslog_close(struct accesslog *l);

#endif
