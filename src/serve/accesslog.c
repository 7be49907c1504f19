/* accesslog.c - the look-up record (accesslog.h): append, keyed hashes,
 * batched fdatasync, reopen.
 *
 * Owns: the log's descriptor (under `mu` so a reopen never races a write),
 * the key, and the flusher thread that syncs what was appended.
 * Never: truncates the log, prints, or writes an ID number.
 *
 * Threads: any number of request threads call accesslog_append; the
 * flusher waits on `cv` for ACCESSLOG_SYNC_MS or a nudge when
 * ACCESSLOG_SYNC_LINES lines are waiting, then syncs outside the lock (an
 * fdatasync takes milliseconds on a VM disk; appends go on meanwhile).
 */
#include "serve/accesslog.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "serve/auth.h"

struct accesslog {
    char path[4096], key_path[4104];
    unsigned char key[32];
    int fd;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t flusher;
    int flusher_up, stop;
    unsigned long long lines, synced_lines, syncs;
};

static int private_mode(int fd)
{
    struct stat sb;
    return fstat(fd, &sb) == 0 && (sb.st_mode & 077) == 0;
}

/* The key beside the log: read it, or make it (O_EXCL, 0600). */
static int load_key(struct accesslog *l, struct err *e)
{
    int fd = open(l->key_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 && errno == ENOENT) {
        unsigned char k[32];
        if (getrandom(k, sizeof k, 0) != (ssize_t)sizeof k)
            return ERR(e, E_WRITE, "cannot draw a key for %s: %s", l->key_path, strerror(errno));
        fd = open(l->key_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
            return ERR(e, E_WRITE, "cannot create the key file %s: %s", l->key_path,
                       strerror(errno));
        int ok = write(fd, k, sizeof k) == (ssize_t)sizeof k && fsync(fd) == 0;
        close(fd);
        if (!ok) {
            unlink(l->key_path);
            return ERR(e, E_WRITE, "cannot write the key file %s", l->key_path);
        }
        memcpy(l->key, k, sizeof k);
        return E_OK;
    }
    if (fd < 0)
        return ERR(e, E_WRITE, "cannot open the key file %s: %s", l->key_path, strerror(errno));
    if (!private_mode(fd)) {
        close(fd);
        return ERR(e, E_CONFIG, "the key file %s may be read by group or others: chmod 600 it",
                   l->key_path);
    }
    unsigned char k[33];
    ssize_t n = read(fd, k, sizeof k);
    close(fd);
    if (n != 32)
        return ERR(e, E_CONFIG, "the key file %s is not 32 bytes; restore it from a backup (a "
                                "new key would make earlier lines unsearchable)", l->key_path);
    memcpy(l->key, k, 32);
    return E_OK;
}

/* Open the log for appending; a last line cut short gets its newline. */
static int open_log(struct accesslog *l, struct err *e)
{
    int fd = open(l->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return ERR(e, E_WRITE, "cannot open the access log %s: %s", l->path, strerror(errno));
    if (!private_mode(fd)) {
        close(fd);
        return ERR(e, E_CONFIG, "the access log %s may be read by group or others: chmod 600 it",
                   l->path);
    }
    struct stat sb;
    if (fstat(fd, &sb) == 0 && sb.st_size > 0) {
        int rfd = open(l->path, O_RDONLY | O_CLOEXEC);
        char last = '\n';
        if (rfd >= 0) {
            if (pread(rfd, &last, 1, sb.st_size - 1) != 1)
                last = '\n';
            close(rfd);
        }
        if (last != '\n' && write(fd, "\n", 1) != 1) {
            close(fd);
            return ERR(e, E_WRITE, "cannot write the access log %s: %s", l->path,
                       strerror(errno));
        }
    }
    l->fd = fd;
    return E_OK;
}

static void *flusher(void *arg)
{
    struct accesslog *l = arg;
    pthread_mutex_lock(&l->mu);
    while (!l->stop || l->synced_lines != l->lines) {
        if (l->synced_lines == l->lines && !l->stop) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += (long)ACCESSLOG_SYNC_MS * 1000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&l->cv, &l->mu, &ts);
            continue;
        }
        unsigned long long upto = l->lines;
        int fd = dup(l->fd);
        pthread_mutex_unlock(&l->mu);
        if (fd >= 0) {
            fdatasync(fd);
            close(fd);
        }
        pthread_mutex_lock(&l->mu);
        l->synced_lines = upto;
        l->syncs++;
        if (!l->stop) {
            /* let a batch gather before the next sync */
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += (long)ACCESSLOG_SYNC_MS * 1000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            if (l->lines - l->synced_lines < ACCESSLOG_SYNC_LINES)
                pthread_cond_timedwait(&l->cv, &l->mu, &ts);
        }
    }
    pthread_mutex_unlock(&l->mu);
    return NULL;
}

int accesslog_open(struct accesslog **out, const char *path, struct err *e)
{
    *out = NULL;
    struct accesslog *l = calloc(1, sizeof *l);
    if (!l)
        return ERR(e, E_NOMEM, "out of memory while opening the access log");
    l->fd = -1;
    snprintf(l->path, sizeof l->path, "%s", path);
    snprintf(l->key_path, sizeof l->key_path, "%s.key", path);
    int st = load_key(l, e);
    if (st == E_OK)
        st = open_log(l, e);
    if (st == E_OK) {
        pthread_mutex_init(&l->mu, NULL);
        pthread_cond_init(&l->cv, NULL);
        if (pthread_create(&l->flusher, NULL, flusher, l) != 0) {
            st = ERR(e, E_NOMEM, "cannot start the access log's flusher thread");
            pthread_cond_destroy(&l->cv);
            pthread_mutex_destroy(&l->mu);
        } else {
            l->flusher_up = 1;
        }
    }
    if (st != E_OK) {
        if (l->fd >= 0)
            close(l->fd);
        free(l);
        return st;
    }
    *out = l;
    return E_OK;
}

int accesslog_append(struct accesslog *l, const char *line, size_t n)
{
    int rc = 0;
    pthread_mutex_lock(&l->mu);
    size_t done = 0;
    while (done < n) {
        ssize_t k = write(l->fd, line + done, n - done);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            rc = k < 0 ? errno : EIO;
            break;
        }
        done += (size_t)k;
    }
    if (done > 0 && done < n && write(l->fd, "\n", 1) < 0) {
        /* the line is cut; the next one starts on its own line anyway */
    }
    if (rc == 0) {
        l->lines++;
        if (l->lines - l->synced_lines >= ACCESSLOG_SYNC_LINES)
            pthread_cond_signal(&l->cv);
    }
    pthread_mutex_unlock(&l->mu);
    return rc;
}

void accesslog_id_hash(const struct accesslog *l, const char *s, size_t n, char out[35])
{
    unsigned char h[32];
    if (auth_hmac_sha256(l->key, sizeof l->key, s, n, h) != 0)
        memset(h, 0, sizeof h);
    out[0] = 'h';
    out[1] = ':';
    auth_hex(h, 16, out + 2);
}

int accesslog_reopen(struct accesslog *l, struct err *e)
{
    pthread_mutex_lock(&l->mu);
    int old = l->fd;
    fdatasync(old);
    int st = open_log(l, e);
    if (st == E_OK) {
        close(old);
        l->synced_lines = l->lines;
    } else {
        l->fd = old;   /* keep appending to the old file */
    }
    pthread_mutex_unlock(&l->mu);
    return st;
}

void accesslog_stats(struct accesslog *l, unsigned long long *lines, unsigned long long *syncs)
{
    pthread_mutex_lock(&l->mu);
    *lines = l->lines;
    *syncs = l->syncs;
    pthread_mutex_unlock(&l->mu);
}

void accesslog_close(struct accesslog *l)
{
    if (!l)
        return;
    if (l->flusher_up) {
        pthread_mutex_lock(&l->mu);
        l->stop = 1;
        pthread_cond_signal(&l->cv);
        pthread_mutex_unlock(&l->mu);
        pthread_join(l->flusher, NULL);
        pthread_cond_destroy(&l->cv);
        pthread_mutex_destroy(&l->mu);
    }
    if (l->fd >= 0) {
        fdatasync(l->fd);
        close(l->fd);
    }
    memset(l->key, 0, sizeof l->key);
    free(l);
}
