/* snapref.c - the current snapshot of `hedui serve` and its swaps
 * (snapref.h).
 *
 * Owns: the reference counts.  Taking a reference is a mutex-protected
 * load-and-increment (a bare atomic load of `cur` followed by an increment
 * could see a snapshot freed in between); giving it back is one atomic
 * decrement, and whoever takes it to zero closes the snapshot.
 * Never: holds the mutex while opening or verifying a snapshot.
 */
#include "serve/snapref.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int file_id_of(const char *path, struct file_id *id)
{
    struct stat sb;
    memset(id, 0, sizeof *id);
    if (stat(path, &sb) != 0)
        return -1;
    id->dev = sb.st_dev;
    id->ino = sb.st_ino;
    id->size = sb.st_size;
    id->mtime = sb.st_mtim;
    return 0;
}

static int same_id(const struct file_id *a, const struct file_id *b)
{
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
           a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec;
}

/* Open and verify the snapshot at s->path into a new reference (count 1). */
static int open_ref(struct snaps *s, struct snapref **out, struct err *e)
{
    struct snapref *r = calloc(1, sizeof *r);
    if (!r)
        return ERR(e, E_NOMEM, "out of memory while opening a snapshot");
    int st = precheck_open(&r->b, s->path, s->rules[0] ? s->rules : NULL, PRECHECK_VERIFY_ALL,
                           e);
    if (st != E_OK) {
        free(r);
        return st;
    }
    /* the identity of the file opened (not of the path: it may be replaced
     * meanwhile, and is then seen as changed next time) */
    struct stat sb;
    if (fstat(r->b.s.fd, &sb) == 0)
        r->id = (struct file_id){sb.st_dev, sb.st_ino, sb.st_size, sb.st_mtim};
    atomic_init(&r->refs, 1);
    r->loaded_unix = (long long)time(NULL);
    *out = r;
    return E_OK;
}

int snaps_init(struct snaps *s, const char *path, const char *rules_dir, struct err *e)
{
    memset(s, 0, sizeof *s);
    snprintf(s->path, sizeof s->path, "%s", path);
    snprintf(s->rules, sizeof s->rules, "%s", rules_dir ? rules_dir : "");
    int st = open_ref(s, &s->cur, e);
    if (st != E_OK)
        return st;
    s->cur->generation = 1;
    pthread_mutex_init(&s->mu, NULL);
    return E_OK;
}

struct snapref *snaps_get(struct snaps *s)
{
    pthread_mutex_lock(&s->mu);
    struct snapref *r = s->cur;
    atomic_fetch_add_explicit(&r->refs, 1, memory_order_relaxed);
    pthread_mutex_unlock(&s->mu);
    return r;
}

void snapref_put(struct snapref *r)
{
    if (r && atomic_fetch_sub_explicit(&r->refs, 1, memory_order_acq_rel) == 1) {
        precheck_close(&r->b);
        free(r);
    }
}

int snaps_reload(struct snaps *s, int force, struct err *e)
{
    struct file_id now;
    if (!force) {
        if (file_id_of(s->path, &now) != 0)
            return 0;   /* gone for a moment (being replaced): keep serving */
        pthread_mutex_lock(&s->mu);
        int unchanged = same_id(&now, &s->cur->id) || same_id(&now, &s->refused);
        pthread_mutex_unlock(&s->mu);
        if (unchanged)
            return 0;
    }
    struct snapref *r;
    int st = open_ref(s, &r, e);
    if (st != E_OK) {
        pthread_mutex_lock(&s->mu);
        file_id_of(s->path, &s->refused);
        s->refusals++;
        pthread_mutex_unlock(&s->mu);
        return -1;
    }
    pthread_mutex_lock(&s->mu);
    struct snapref *old = s->cur;
    r->generation = old->generation + 1;
    s->cur = r;
    s->swaps++;
    memset(&s->refused, 0, sizeof s->refused);
    pthread_mutex_unlock(&s->mu);
    snapref_put(old);
    return 1;
}

void snaps_free(struct snaps *s)
{
    if (!s->cur)
        return;
    snapref_put(s->cur);
    s->cur = NULL;
    pthread_mutex_destroy(&s->mu);
}
