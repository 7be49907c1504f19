/* outdir.c - the output directory: refusals, the lock, the temporary
 * directory inside it, and the publish protocol of outdir.h.
 *
 * Owns: every create, rename and delete hedui does in an output directory
 * (only contract/model.h's output files are touched there).  Never:
 * changes the directory's owner, group, mode or ACLs, renames the
 * directory, touches an entry that is not hedui's, follows a symbolic link
 * where it deletes or truncates, or prints (errors go up in struct err).
 */
#include "out/outdir.h"

#include "base/fileio.h"
#include "contract/model.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Only the files of contract/model.h's output_file_names are ever
 * published, replaced or removed in an output directory. */
static int is_own(const char *name)
{
    for (int i = 0; i < N_OUTPUT; i++)
        if (strcmp(output_file_names[i], name) == 0)
            return 1;
    return 0;
}

/* The hidden entries of the protocol. */
static int is_hidden_own(const char *name)
{
    return strcmp(name, OUT_LOCK_NAME) == 0 || strcmp(name, OUT_PUBLISH_NAME) == 0 ||
           strncmp(name, OUT_TMP_PREFIX, strlen(OUT_TMP_PREFIX)) == 0;
}

static void kill_point(int step)
{
    const char *s = getenv("HEDUI_TEST_KILL_AT_STEP");
    if (s && atoi(s) == step)
        raise(SIGKILL);
}


/* ---------- the lock ---------- */

/* The holder's record, "pid=N start=YYYY-MM-DD HH:MM:SS +ZZZZ", read back
 * field by field (never echoed as it is). */
static void holder_text(int fd, char *out, size_t n)
{
    char buf[128];
    ssize_t r = pread(fd, buf, sizeof buf - 1, 0);
    buf[r > 0 ? r : 0] = '\0';
    long pid = 0;
    char start[40] = "";
    const char *p = strstr(buf, "pid=");
    if (p)
        pid = strtol(p + 4, NULL, 10);
    const char *s = strstr(buf, "start=");
    if (s) {
        size_t k = 0;
        for (s += 6; *s && *s != '\n' && k + 1 < sizeof start; s++)
            if ((*s >= '0' && *s <= '9') || *s == '-' || *s == ':' || *s == ' ' || *s == '+')
                start[k++] = *s;
        start[k] = '\0';
    }
    if (pid > 0 && start[0])
        snprintf(out, n, "pid %ld, started %s", pid, start);
    else if (pid > 0)
        snprintf(out, n, "pid %ld", pid);
    else
        snprintf(out, n, "a run that has not yet written its pid");
}

static int lock_at(struct run_lock *l, int dir_fd, const char *what, struct err *e)
{
    int fd = openat(dir_fd, OUT_LOCK_NAME, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return ERR(e, E_WRITE, "cannot open the lock %s/%s of %s: %s", l->dir, OUT_LOCK_NAME,
                   what, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int er = errno;
        if (er == EWOULDBLOCK) {
            char who[120];
            holder_text(fd, who, sizeof who);
            close(fd);
            return ERR(e, E_WRITE, "%s %s is in use by another hedui run (%s); nothing was "
                                   "changed: wait for that run to finish",
                       what, l->dir, who);
        }
        close(fd);
        return ERR(e, E_WRITE, "cannot lock %s/%s: %s", l->dir, OUT_LOCK_NAME, strerror(er));
    }
    char rec[128], when[40];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S %z", &tm);
    int n = snprintf(rec, sizeof rec, "pid=%ld start=%s\n", (long)getpid(), when);
    /* a record that cannot be written only makes a rival's message vaguer */
    if (ftruncate(fd, 0) == 0 && pwrite(fd, rec, (size_t)n, 0) != n)
        (void)0;
    l->fd = fd;
    return E_OK;
}

int run_lock_take(struct run_lock *l, const char *dir, const char *what, struct err *e)
{
    l->fd = -1;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return ERR(e, E_WRITE, "cannot create %s %s: %s", what, dir, strerror(errno));
    char *real = realpath(dir, NULL);
    if (!real)
        return ERR(e, E_WRITE, "cannot resolve %s %s: %s", what, dir, strerror(errno));
    snprintf(l->dir, sizeof l->dir, "%s", real);
    free(real);
    int dfd = open(l->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return ERR(e, E_WRITE, "cannot open %s %s: %s", what, l->dir, strerror(errno));
    int st = lock_at(l, dfd, what, e);
    close(dfd);
    return st;
}

void run_lock_release(struct run_lock *l)
{
    if (l->fd >= 0)
        close(l->fd);   /* releases the flock; the file stays, harmless */
    l->fd = -1;
}

/* ---------- refusals ---------- */

static int same_or_under(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    if (strcmp(dir, "/") == 0)
        return 1;
    return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* Is real (resolved) the home directory of $HOME or of any user? */
static int is_home(const char *real)
{
    const char *h = getenv("HOME");
    int hit = 0;
    if (h && *h) {
        char *rh = realpath(h, NULL);
        hit = rh && strcmp(rh, real) == 0;
        free(rh);
    }
    setpwent();
    struct passwd *pw;
    while (!hit && (pw = getpwent()) != NULL) {
        if (!pw->pw_dir || strcmp(pw->pw_dir, "/") == 0)
            continue;
        char *rh = realpath(pw->pw_dir, NULL);
        hit = rh && strcmp(rh, real) == 0;
        free(rh);
    }
    endpwent();
    return hit;
}

/* manifest.json of dir_fd written by hedui? */
static int has_our_manifest(int dir_fd)
{
    int fd = openat(dir_fd, "manifest.json", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return 0;
    struct stat st;
    char buf[256];
    ssize_t r = -1;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
        r = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (r <= 0)
        return 0;
    buf[r] = '\0';
    return strstr(buf, "\"tool\": \"hedui\"") != NULL;
}

/* Not empty, and nothing of hedui's in it? */
static int check_contents(struct outdir *o, struct err *e)
{
    int fd = dup(o->dir_fd);
    DIR *dp = fd >= 0 ? fdopendir(fd) : NULL;
    if (!dp) {
        if (fd >= 0)
            close(fd);
        return ERR(e, E_WRITE, "cannot list the output directory %s: %s", o->dir,
                   strerror(errno));
    }
    long others = 0;
    int ours = 0;
    rewinddir(dp);   /* a dup shares the offset with dir_fd */
    struct dirent *de;
    while ((de = readdir(dp)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (is_hidden_own(de->d_name))
            ours = 1;
        else if (strcmp(de->d_name, "manifest.json") != 0)
            others++;
    }
    closedir(dp);
    if (!ours)
        ours = has_our_manifest(o->dir_fd);
    if (!ours && (others > 0 || faccessat(o->dir_fd, "manifest.json", F_OK,
                                          AT_SYMLINK_NOFOLLOW) == 0))
        return ERR(e, E_USAGE, "--out %s is not empty (%ld entries) and holds no earlier hedui "
                               "output (no manifest.json of hedui): hedui publishes its lists "
                               "into the directory itself, so give a new or empty directory, "
                               "or one an earlier run wrote",
                   o->dir, others);
    return E_OK;
}

static int refuse(struct outdir *o, const char *data_dir, const struct stat *st, struct err *e)
{
    if (strcmp(o->dir, "/") == 0)
        return ERR(e, E_USAGE, "refusing to publish into /: give a directory of its own");
    if (st->st_mode & S_IWOTH)
        return ERR(e, E_USAGE, "--out %s is world-writable%s: anyone could replace or read "
                               "the lists there; give a directory of its own, e.g. %s/hedui-out",
                   o->dir, (st->st_mode & S_ISVTX) ? " with the sticky bit (a shared place "
                                                     "like /tmp)" : "",
                   o->dir);
    if (is_home(o->dir))
        return ERR(e, E_USAGE, "--out %s is a home directory: give a directory of its own, "
                               "e.g. %s/hedui-out",
                   o->dir, o->dir);
    if (data_dir) {
        char *rd = realpath(data_dir, NULL);
        int hit = rd && same_or_under(rd, o->dir);
        if (hit) {
            int same = strcmp(rd, o->dir) == 0;
            int st2 = ERR(e, E_USAGE, "--out %s %s the data directory --data %s: the inputs "
                                      "would sit among the outputs; give another directory",
                          o->dir, same ? "is" : "contains", rd);
            free(rd);
            return st2;
        }
        free(rd);
    }
    return E_OK;
}

/* ---------- publish steps 3-6 (also the roll forward) ---------- */

#define FILES_NAME ".hedui-files"   /* in the publish directory: the run's file names */

/* The own names listed in pfd's FILES_NAME, as a bit set over
 * output_file_names; -1 if the list cannot be read. */
static long read_files_list(int pfd)
{
    int fd = openat(pfd, FILES_NAME, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    char buf[1024];
    ssize_t r = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (r <= 0)
        return -1;
    buf[r] = '\0';
    long set = 0;
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
        for (int i = 0; i < N_OUTPUT; i++)
            if (strcmp(line, output_file_names[i]) == 0)
                set |= 1L << i;
    return set;
}

/* Steps 3-6 of outdir.h from DIR/.hedui-publish, which holds the run's
 * manifest and its list of files (FILES_NAME): a file on the list is moved
 * in if it is still waiting there (after a crash it may be in place
 * already), every other own name is removed from DIR. */
static int roll_forward(struct outdir *o, struct err *e)
{
    int pfd = openat(o->dir_fd, OUT_PUBLISH_NAME, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
                                                      O_CLOEXEC);
    if (pfd < 0)
        return ERR(e, E_WRITE, "cannot open %s/%s: %s", o->dir, OUT_PUBLISH_NAME,
                   strerror(errno));
    long files = read_files_list(pfd);
    if (files < 0) {
        close(pfd);
        return ERR(e, E_WRITE, "%s/%s has no readable list of its files: move it away and run "
                               "again", o->dir, OUT_PUBLISH_NAME);
    }
    const char *failed = NULL;
    /* 3: the previous run's marker goes first */
    if (unlinkat(o->dir_fd, "manifest.json", 0) != 0 && errno != ENOENT)
        failed = "remove the previous manifest.json";
    else if (fsync(o->dir_fd) != 0)
        failed = "sync the directory";
    if (!failed)
        kill_point(3);
    /* 4: the files, and the previous run's files this one has not */
    int moved = 0;
    for (int i = 0; !failed && i < N_OUTPUT; i++) {
        const char *n = output_file_names[i];
        struct stat sb;
        if (strcmp(n, "manifest.json") == 0)
            continue;
        if (!(files & (1L << i))) {
            if (unlinkat(o->dir_fd, n, 0) != 0 && errno != ENOENT && errno != EISDIR)
                failed = n;
        } else if (fstatat(pfd, n, &sb, AT_SYMLINK_NOFOLLOW) == 0) {
            if (renameat(pfd, n, o->dir_fd, n) != 0)
                failed = n;
            else if (moved++ == 0)
                kill_point(4);
        }
    }
    if (!failed && fsync(o->dir_fd) != 0)
        failed = "sync the directory";
    if (!failed)
        kill_point(5);
    /* 5: the commit point */
    if (!failed && renameat(pfd, "manifest.json", o->dir_fd, "manifest.json") != 0)
        failed = "manifest.json";
    if (!failed && fsync(o->dir_fd) != 0)
        failed = "sync the directory";
    if (!failed)
        kill_point(6);
    int er = errno;
    close(pfd);
    if (failed)
        return ERR(e, E_WRITE, "publishing into %s stopped (%s: %s); no manifest.json is there "
                               "now: the next run into %s completes this publish first",
                   o->dir, failed, strerror(er), o->dir);
    /* 6 */
    fileio_remove_flat_dir_at(o->dir_fd, OUT_PUBLISH_NAME);
    return E_OK;
}

/* An interrupted publish found by out_prepare: finish it; then stale
 * temporary directories go. */
static int recover(struct outdir *o, struct err *e)
{
    struct stat sb;
    if (fstatat(o->dir_fd, OUT_PUBLISH_NAME, &sb, AT_SYMLINK_NOFOLLOW) == 0) {
        if (!S_ISDIR(sb.st_mode))
            return ERR(e, E_WRITE, "%s/%s is not hedui's (not a directory): move it away and "
                                   "run again", o->dir, OUT_PUBLISH_NAME);
        int pfd = openat(o->dir_fd, OUT_PUBLISH_NAME, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
                                                          O_CLOEXEC);
        int has_manifest = pfd >= 0 && faccessat(pfd, "manifest.json", F_OK,
                                                 AT_SYMLINK_NOFOLLOW) == 0;
        if (pfd >= 0)
            close(pfd);
        if (has_manifest) {
            int st = roll_forward(o, e);
            if (st != E_OK)
                return st;
        } else if (faccessat(o->dir_fd, "manifest.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
            fileio_remove_flat_dir_at(o->dir_fd, OUT_PUBLISH_NAME);   /* committed; 6 undone */
        } else {
            return ERR(e, E_WRITE, "%s/%s holds an interrupted publish without its manifest "
                                   "(not written by this version of hedui?): move it away and "
                                   "run again", o->dir, OUT_PUBLISH_NAME);
        }
    }
    int fd = dup(o->dir_fd);
    DIR *dp = fd >= 0 ? fdopendir(fd) : NULL;
    if (!dp) {
        if (fd >= 0)
            close(fd);
        return E_OK;
    }
    rewinddir(dp);   /* a dup shares the offset with dir_fd */
    struct dirent *de;
    while ((de = readdir(dp)) != NULL)
        if (strncmp(de->d_name, OUT_TMP_PREFIX, strlen(OUT_TMP_PREFIX)) == 0)
            fileio_remove_flat_dir_at(o->dir_fd, de->d_name);
    closedir(dp);
    return E_OK;
}

/* ---------- prepare, begin, commit ---------- */

int out_prepare(struct outdir *o, const char *dir, const char *data_dir, struct err *e)
{
    memset(o, 0, sizeof *o);
    o->dir_fd = -1;
    o->lock.fd = -1;
    char buf[1024];
    if (strlen(dir) == 0 || strlen(dir) >= sizeof buf - 1)
        return ERR(e, E_USAGE, "bad output directory path '%s'", dir);
    snprintf(buf, sizeof buf, "%s", dir);
    size_t n = strlen(buf);
    while (n > 1 && buf[n - 1] == '/')
        buf[--n] = '\0';
    /* refusals that need no directory come first: nothing is created for
     * a run that will be refused */
    struct stat st;
    int exists = stat(buf, &st) == 0;
    if (exists && !S_ISDIR(st.st_mode))
        return ERR(e, E_USAGE, "--out %s is not a directory", buf);
    if (exists) {
        char *real = realpath(buf, NULL);
        if (!real)
            return ERR(e, E_WRITE, "cannot resolve output directory %s: %s", buf,
                       strerror(errno));
        snprintf(o->dir, sizeof o->dir, "%s", real);
        free(real);
        int r = refuse(o, data_dir, &st, e);
        if (r != E_OK)
            return r;
    }
    int created = 0;
    if (!exists && fileio_mkdir_p(buf, 0700, &created) != 0)
        return ERR(e, E_WRITE, "cannot create output directory %s: %s", buf, strerror(errno));
    char *real = realpath(buf, NULL);
    if (!real)
        return ERR(e, E_WRITE, "cannot resolve output directory %s: %s", buf, strerror(errno));
    if (strlen(real) >= sizeof o->dir - 40) {
        free(real);
        return ERR(e, E_USAGE, "output directory path too long: %s", buf);
    }
    snprintf(o->dir, sizeof o->dir, "%s", real);
    free(real);
    o->dir_fd = open(o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (o->dir_fd < 0)
        return ERR(e, E_WRITE, "cannot open output directory %s: %s", o->dir, strerror(errno));
    if (!exists) {
        /* made by someone else meanwhile? then it is checked as theirs */
        if (fstat(o->dir_fd, &st) != 0)
            return ERR(e, E_WRITE, "cannot stat %s: %s", o->dir, strerror(errno));
        if (!created) {
            int r = refuse(o, data_dir, &st, e);
            if (r != E_OK)
                return r;
        }
    }
    int r = check_contents(o, e);
    if (r != E_OK)
        return r;
    snprintf(o->lock.dir, sizeof o->lock.dir, "%s", o->dir);
    r = lock_at(&o->lock, o->dir_fd, "--out", e);
    if (r != E_OK)
        return r;
    return recover(o, e);
}

int out_begin(struct outdir *o, struct err *e)
{
    if (o->dir_fd < 0)
        return ERR(e, E_INTERNAL, "out_begin before out_prepare");
    snprintf(o->tmp, sizeof o->tmp, "%s/%sXXXXXX", o->dir, OUT_TMP_PREFIX);
    if (!mkdtemp(o->tmp))
        return ERR(e, E_WRITE, "cannot create a temporary directory in %s: %s", o->dir,
                   strerror(errno));
    o->open = 1;
    return E_OK;
}

static const char *tmp_base(const struct outdir *o)
{
    return strrchr(o->tmp, '/') + 1;
}

void out_abort(struct outdir *o)
{
    if (!o->open)
        return;
    fileio_remove_flat_dir_at(o->dir_fd, tmp_base(o));
    o->open = 0;
}

void out_release(struct outdir *o)
{
    if (o->dir_fd >= 0)
        out_abort(o);
    run_lock_release(&o->lock);
    if (o->dir_fd >= 0)
        close(o->dir_fd);
    o->dir_fd = -1;
}

/* Every entry of the temporary directory is a file hedui may publish, and
 * the manifest is among them; their names go into FILES_NAME (synced). */
static int check_tmp(struct outdir *o, struct err *e)
{
    DIR *dp = opendir(o->tmp);
    if (!dp)
        return ERR(e, E_WRITE, "cannot list %s: %s", o->tmp, strerror(errno));
    int manifest = 0, st = E_OK;
    char list[1024];
    size_t len = 0;
    struct dirent *de;
    while ((de = readdir(dp)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (!is_own(de->d_name) ||
            strcmp(de->d_name, output_file_names[OF_REJECTS_STOPPED]) == 0) {
            st = ERR(e, E_INTERNAL, "a file hedui does not publish was written: %s",
                     de->d_name);
            break;
        }
        manifest |= strcmp(de->d_name, "manifest.json") == 0;
        len += (size_t)snprintf(list + len, sizeof list - len, "%s\n", de->d_name);
    }
    closedir(dp);
    if (st == E_OK && !manifest)
        st = ERR(e, E_INTERNAL, "publish without a manifest.json");
    if (st != E_OK)
        return st;
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", o->tmp, FILES_NAME);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return ERR(e, E_WRITE, "cannot create %s: %s", path, strerror(errno));
    int bad = write(fd, list, len) != (ssize_t)len || fsync(fd) != 0;
    int er = errno;
    if (close(fd) != 0 && !bad) {
        bad = 1;
        er = errno;
    }
    if (bad)
        return ERR(e, E_WRITE, "cannot write %s: %s", path, strerror(er));
    return E_OK;
}

int out_commit(struct outdir *o, struct err *e)
{
    int st = check_tmp(o, e);
    if (st != E_OK)
        return st;
    /* 1 */
    if (fileio_fsync_dir(o->tmp) != 0)
        return ERR(e, E_WRITE, "cannot sync directory %s: %s", o->tmp, strerror(errno));
    if (getenv("HEDUI_TEST_PAUSE_BEFORE_PUBLISH"))
        sleep((unsigned)atoi(getenv("HEDUI_TEST_PAUSE_BEFORE_PUBLISH")));
    kill_point(1);
    /* 2: complete on disk; published from here on, by us or the next run */
    if (renameat(o->dir_fd, tmp_base(o), o->dir_fd, OUT_PUBLISH_NAME) != 0)
        return ERR(e, E_WRITE, "cannot publish into %s (rename %s): %s", o->dir, tmp_base(o),
                   strerror(errno));
    if (fsync(o->dir_fd) != 0) {
        int er = errno;
        if (renameat(o->dir_fd, OUT_PUBLISH_NAME, o->dir_fd, tmp_base(o)) != 0)
            return ERR(e, E_WRITE, "cannot sync directory %s: %s; the run stays in %s/%s and "
                                   "the next run publishes it first",
                       o->dir, strerror(er), o->dir, OUT_PUBLISH_NAME);
        return ERR(e, E_WRITE, "cannot sync directory %s: %s", o->dir, strerror(er));
    }
    o->open = 0;
    kill_point(2);
    return roll_forward(o, e);
}

int out_place(struct outdir *o, const char *name, struct err *e)
{
    int tfd = open(o->tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (tfd < 0)
        return ERR(e, E_WRITE, "cannot open %s: %s", o->tmp, strerror(errno));
    int r = renameat(tfd, name, o->dir_fd, name);
    int er = errno;
    close(tfd);
    if (r != 0)
        return ERR(e, E_WRITE, "cannot move %s into %s: %s", name, o->dir, strerror(er));
    if (fsync(o->dir_fd) != 0)
        return ERR(e, E_WRITE, "cannot sync directory %s: %s", o->dir, strerror(errno));
    return E_OK;
}

/* ---------- files ---------- */

#define OUT_BUF_BYTES ((size_t)1 << 20)

FILE *out_open(struct outdir *o, const char *name, struct err *e)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", o->tmp, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        ERR(e, E_WRITE, "cannot create %s: %s", path, strerror(errno));
        return NULL;
    }
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        ERR(e, E_WRITE, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    /* one write(2) per MiB (glibc ignores a size given without a buffer and
     * would use 4 KiB), and no stream lock per character: each file is
     * written by one thread */
    __fsetlocking(f, FSETLOCKING_BYCALLER);
    /* files of one run may be written by two threads at once
     * (pipeline_publish_dir): the table of buffers is shared */
    int slot = -1;
#pragma omp critical(hedui_out_bufs)
    for (int i = 0; i < OUT_MAX_BUFS && slot < 0; i++)
        if (!o->buf_file[i]) {
            o->buf_file[i] = f;
            slot = i;
        }
    char *buf = slot >= 0 ? malloc(OUT_BUF_BYTES) : NULL;
    int ok = buf && setvbuf(f, buf, _IOFBF, OUT_BUF_BYTES) == 0;
    if (!ok)
        free(buf);   /* stdio's own buffer then: slower, still right */
#pragma omp critical(hedui_out_bufs)
    if (slot >= 0) {
        o->buf[slot] = ok ? buf : NULL;
        if (!ok)
            o->buf_file[slot] = NULL;
    }
    return f;
}

static void free_buf(struct outdir *o, FILE *f)
{
    char *buf = NULL;
#pragma omp critical(hedui_out_bufs)
    for (int i = 0; i < OUT_MAX_BUFS; i++)
        if (o->buf_file[i] == f) {
            buf = o->buf[i];
            o->buf[i] = NULL;
            o->buf_file[i] = NULL;
        }
    free(buf);
}

int out_close(FILE *f, struct outdir *o, const char *name, struct err *e)
{
    int er = 0;
    int bad = fileio_close_synced(f, &er) != 0;
    free_buf(o, f);
    if (bad)
        return ERR(e, E_WRITE, "cannot write %s/%s: %s", o->tmp, name, strerror(er));
    return E_OK;
}
