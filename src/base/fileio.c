/* fileio.c - whole files and durable replacement (see fileio.h).
 *
 * Owns: the file-system steps every writer and reader of ours shares:
 * reading a file whole, fsync of a directory, the flush/fsync/close of a
 * stream, atomic replacement of one file, mkdir -p, removal of a flat
 * directory.  Never: interprets bytes, prints, exits.
 */
#include "base/fileio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fileio_read_all(const char *path, char **out, size_t *len, struct err *e)
{
    *out = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return ERR(e, E_NOINPUT, "%s does not exist", path);
        return ERR(e, E_IO, "cannot open %s: %s", path, strerror(errno));
    }
    /* the size is a hint only: the file may grow or shrink meanwhile */
    struct stat sb;
    size_t cap = 1 << 16;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0 &&
        (unsigned long long)sb.st_size < SIZE_MAX / 2)
        cap = (size_t)sb.st_size + 1;
    char *b = malloc(cap + 1);
    size_t n = 0;
    int bad = 0;
    while (b) {
        if (n == cap) {
            char *nb = realloc(b, cap * 2 + 1);
            if (!nb) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
        ssize_t k = read(fd, b + n, cap - n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            bad = 1;
            break;
        }
        if (k == 0)
            break;
        n += (size_t)k;
    }
    close(fd);
    if (!b)
        return ERR(e, E_NOMEM, "out of memory while reading %s", path);
    if (bad) {
        free(b);
        return ERR(e, E_IO, "cannot read %s", path);
    }
    b[n] = '\0';
    *out = b;
    *len = n;
    return E_OK;
}

int fileio_fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int r = fsync(fd);
    int er = errno;
    close(fd);
    errno = er;
    return r;
}

int fileio_fsync_parent(const char *path)
{
    char dir[PATH_MAX];
    if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir) {
        errno = ENAMETOOLONG;
        return -1;
    }
    char *slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    return fileio_fsync_dir(dir);
}

int fileio_close_synced(FILE *f, int *err_no)
{
    int bad = ferror(f);
    if (fflush(f) != 0)
        bad = 1;
    int er = errno;
    if (!bad && fsync(fileno(f)) != 0) {
        bad = 1;
        er = errno;
    }
    if (fclose(f) != 0 && !bad) {
        bad = 1;
        er = errno;
    }
    *err_no = bad ? er : 0;
    return bad ? -1 : 0;
}

int fileio_replace(const char *path, int (*fill)(FILE *f, void *ctx), void *ctx, struct err *e)
{
    char tmp[PATH_MAX + 16];
    if (snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", path) >= (int)sizeof tmp)
        return ERR(e, E_USAGE, "path too long: %s", path);
    int fd = mkstemp(tmp);
    if (fd < 0)
        return ERR(e, E_WRITE, "cannot create a temporary file beside %s: %s", path,
                   strerror(errno));
    fchmod(fd, 0600);
    FILE *f = fdopen(fd, "w");
    if (!f) {
        int er = errno;
        close(fd);
        unlink(tmp);
        return ERR(e, E_WRITE, "cannot open %s: %s", tmp, strerror(er));
    }
    int st = fill(f, ctx);
    int er = 0;
    if (fileio_close_synced(f, &er) != 0 && st == E_OK)
        st = ERR(e, E_WRITE, "cannot write %s: %s", tmp, strerror(er));
    if (st == E_OK && rename(tmp, path) != 0)
        st = ERR(e, E_WRITE, "cannot replace %s: %s", path, strerror(errno));
    if (st != E_OK) {
        unlink(tmp);
        return st;
    }
    if (fileio_fsync_parent(path) != 0)
        return ERR(e, E_WRITE, "cannot sync the directory of %s: %s", path, strerror(errno));
    return E_OK;
}

int fileio_mkdir_p(const char *path, mode_t mode, int *created)
{
    char buf[PATH_MAX];
    if (created)
        *created = 0;
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(buf, mode) == 0) {
        if (created)
            *created = 1;
    } else if (errno != EEXIST) {
        return -1;
    }
    return 0;
}

void fileio_remove_flat_dir_at(int dir_fd, const char *name)
{
    int fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return;
    DIR *dp = fdopendir(fd);
    if (!dp) {
        close(fd);
        return;
    }
    struct dirent *de;
    while ((de = readdir(dp)) != NULL)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            unlinkat(fd, de->d_name, 0);
    closedir(dp);
    unlinkat(dir_fd, name, AT_REMOVEDIR);
}

void fileio_remove_flat_dir(const char *path)
{
    fileio_remove_flat_dir_at(AT_FDCWD, path);
}
