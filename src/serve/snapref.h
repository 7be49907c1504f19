/* snapref.h - the snapshot `hedui serve` answers from, swapped without a
 * gap when a new one comes.
 *
 * A new snapshot (SIGHUP, or the file at the path replaced: `hedui index
 * build` renames a new file over it) is opened and verified whole, with
 * its policy, while the old one keeps answering; then the current pointer
 * is swapped under a mutex.  Each request takes a reference (snaps_get)
 * and gives it back (snapref_put) when its answer is rendered; the old
 * snapshot is closed when its last reference goes, so requests in flight
 * end on the snapshot they started on.  A new snapshot that cannot be
 * opened, is damaged, or has bad rules is refused and the old one keeps
 * serving (the refusal is remembered: the same file is not tried again
 * until it changes or SIGHUP asks).
 *
 * Owns: the current snapshot and its reference counts.  Never: prints
 * (the caller reports the outcome of a reload), blocks a request for
 * longer than a pointer swap.
 */
#ifndef ENGINE_SERVE_SNAPREF_H
#define ENGINE_SERVE_SNAPREF_H

#include <pthread.h>
#include <stdatomic.h>
#include <sys/types.h>
#include <time.h>

#include "base/err.h"
#include "snapshot/precheck.h"

struct file_id {
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
};

struct snapref {
    atomic_int refs;
    struct precheck_base b;
    struct file_id id;
    long long loaded_unix;
    unsigned generation;       /* 1 for the first snapshot, +1 per swap */
};

struct snaps {
    pthread_mutex_t mu;
    struct snapref *cur;
    char path[4096];
    char rules[4096];          /* "" : the snapshot's own policy */
    struct file_id refused;    /* the last file refused (all zero: none) */
    unsigned swaps, refusals;
};

/* Open and verify the first snapshot; rules_dir as for
 * precheck_open, for this one and every snapshot swapped in.
 * precheck_open's errors. */
int snaps_init(struct snaps *s, const char *path, const char *rules_dir, struct err *e);
/* The current snapshot, with a reference; never NULL after snaps_init. */
struct snapref *snaps_get(struct snaps *s);
void snapref_put(struct snapref *r);
/* Swap in the file at the path if it changed (force: even if not, as on
 * SIGHUP).  Returns 1 swapped, 0 nothing to do, or -1 refused with e set
 * (the old snapshot still serving). */
int snaps_reload(struct snaps *s, int force, struct err *e);
/* Drop the current snapshot (in-flight references keep theirs). */
void snaps_free(struct snaps *s);

#endif
