/* outdir.h - the output directory: checks, lock, temporary place, atomic
 * publish.  The directory is ours only as far as we own it.
 *
 * THE DIRECTORY ITSELF IS NEVER REPLACED.  Its owner, group, mode, ACLs,
 * inode and mount stay as they are (a shared setgid directory keeps its
 * group, a mount point keeps working, `--out .` stays the directory you
 * are in); hedui needs write access to it, not to its parent.  Files
 * hedui writes are mode 0600 (full ID numbers, for the bureau only).
 *
 * REFUSED, before any work (out_prepare, E_USAGE): "/", a home directory,
 * a world-writable directory (sticky or not: /tmp itself), a directory
 * that is or contains --data, and a directory that is not empty and holds
 * no earlier hedui output (a manifest.json of hedui, or hedui's hidden
 * entries below).  A missing directory is created, mode 0700.
 *
 * ONE RUN AT A TIME.  out_prepare takes an exclusive flock on
 * DIR/.hedui.lock (never waits) and writes its pid and start time there;
 * a second run names the holder and exits touching nothing.  run_lock_*
 * does the same for any directory (--state).  The lock goes when the
 * process ends, however it ends.
 *
 * PUBLISH, inside DIR (the design; reliability.md section 3.3 adapted to a
 * directory we may not replace).  manifest.json is the commit marker:
 * a reader that finds it sees one complete run; a reader that finds none
 * sees no complete run (a publish under way or interrupted).
 *   1. every file is written into DIR/.hedui-tmp-XXXXXX (mode 0700),
 *      flushed, fsync'd and closed (out_open/out_close), manifest last;
 *      the list of their names is written there too (.hedui-files);
 *      then that directory is fsync'd.
 *   2. it is renamed to DIR/.hedui-publish and DIR is fsync'd: from here
 *      the run is complete on disk and will be published (by this run, or
 *      by the next one if this one dies).  Failing the sync, the rename
 *      is undone and nothing is published.
 *   3. DIR/manifest.json (the previous run's marker) is removed; fsync.
 *   4. every listed file still in .hedui-publish, but the manifest, is
 *      renamed into DIR (replacing the old copy, atomically per file);
 *      files hedui wrote before and this run did not (say changes.csv:
 *      hedui's names not on the list) are removed; fsync.
 *   5. the manifest is renamed into DIR; fsync.  THE COMMIT POINT.
 *   6. .hedui-publish is removed.
 * A crash before 2 leaves the previous run whole (and a stale
 * .hedui-tmp-*, removed by the next run); a crash in 2-6 leaves no
 * manifest, or the new one, and .hedui-publish holding the rest: the next
 * run's out_prepare (under the lock) finishes steps 3-6 before anything
 * else ("roll forward"), so the directory holds the new complete run.
 * Entries that are not hedui's are never touched.  Everything is in DIR,
 * so renames never cross a file system (EXDEV) and need no access to the
 * parent.
 *
 * Test hook: HEDUI_TEST_KILL_AT_STEP=N (1..6) sends SIGKILL to the process
 * at step N of the publish (after the step's own work, before the next);
 * tests/safety_test.sh loops N over every step.
 */
#ifndef ENGINE_OUTDIR_H
#define ENGINE_OUTDIR_H

#include <stdio.h>

#include "base/err.h"

#define OUT_MAX_BUFS 4
#define OUT_LOCK_NAME ".hedui.lock"
#define OUT_TMP_PREFIX ".hedui-tmp-"
#define OUT_PUBLISH_NAME ".hedui-publish"

/* An exclusive, non-waiting lock on a directory (DIR/.hedui.lock). */
struct run_lock {
    int fd;                  /* -1 when not held */
    char dir[1024];          /* absolute */
};

struct outdir {
    char dir[1024];     /* the output directory, absolute */
    char tmp[1100];     /* DIR/.hedui-tmp-XXXXXX while open */
    int dir_fd;         /* DIR, for fsync; -1 when not prepared */
    int open;           /* tmp exists */
    struct run_lock lock;
    /* stdio buffers of the files open for writing, freed when each closes */
    FILE *buf_file[OUT_MAX_BUFS];
    char *buf[OUT_MAX_BUFS];
};

/* Check dir (see REFUSED above; data_dir may be NULL), create it if
 * missing, lock it, finish an interrupted publish and remove stale
 * temporary directories.  E_USAGE for a refused directory, E_WRITE when it
 * is locked by another run (the message names pid and start time) or
 * cannot be created or locked.  Call out_release() in any case. */
int out_prepare(struct outdir *o, const char *dir, const char *data_dir, struct err *e);

/* A fresh temporary directory for the files of one run (after
 * out_prepare). */
int out_begin(struct outdir *o, struct err *e);

/* A file of the run: created mode 0600 in the temporary directory, with a
 * 1 MiB buffer; out_close flushes, fsyncs and closes it (and reports any
 * error of the writes).  Two threads may open and close files of one
 * outdir at once. */
FILE *out_open(struct outdir *o, const char *name, struct err *e);
int out_close(FILE *f, struct outdir *o, const char *name, struct err *e);

/* Publish the files written (steps 1-6 above; manifest.json must be one
 * of them).  On an error before step 3 nothing is published and the
 * temporary directory is gone; after it, the message says the next run
 * completes the publish. */
int out_commit(struct outdir *o, struct err *e);

/* Move one file of the temporary directory into DIR on its own (atomic
 * rename, then fsync of DIR), outside any publish: the rejects of a run
 * stopped by the reject limit. */
int out_place(struct outdir *o, const char *name, struct err *e);

/* Remove the temporary directory and whatever is in it (on failure). */
void out_abort(struct outdir *o);

/* Abort if still open, then unlock and close.  Safe on a zeroed or
 * released outdir. */
void out_release(struct outdir *o);


/* Take the lock of dir (created if missing, mode 0700; `what` names it in
 * messages, e.g. "--state").  E_WRITE if another process holds it: the
 * message names its pid and start time. */
int run_lock_take(struct run_lock *l, const char *dir, const char *what, struct err *e);
void run_lock_release(struct run_lock *l);

#endif
